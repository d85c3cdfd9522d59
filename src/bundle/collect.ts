import { runBounded } from '../runBounded.js';
import { readFile } from 'node:fs/promises';
import { type Roots, type Target, netnsCommandPrefix } from '../target.js';

/** What one part of a bundle is, and how it went. */
export interface BundlePart {
  file: string;
  /** The command run in the namespace, or the file read. */
  source: string;
  ok: boolean;
  bytes: number;
  durationMs: number;
  /** Cut at the size cap. */
  truncated?: boolean;
  /** Why it failed or is missing: the tool is not installed, no permission, the kernel module is not loaded. */
  error?: string;
}

export interface BundleLimits {
  /** Each command is stopped after this long. */
  timeoutMs: number;
  /** Each part is cut at this many bytes. */
  partMaxBytes: number;
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = { timeoutMs: 10_000, partMaxBytes: 16 * 1024 ** 2 };

/** The snapshots of a bundle: commands run inside the namespace, as an engineer would type them. */
export const BUNDLE_COMMANDS: { file: string; argv: string[] }[] = [
  { file: 'ss-tanpoie.txt', argv: ['ss', '-tanpoie'] },
  { file: 'ss-s.txt', argv: ['ss', '-s'] },
  // -s: without updating nstat's history file, so the user's next `nstat` is not disturbed.
  { file: 'nstat.txt', argv: ['nstat', '-asz'] },
  { file: 'conntrack-S.txt', argv: ['conntrack', '-S'] },
  // -d: kind, peer and MTU limits of each link; carrier_changes among the statistics.
  { file: 'ip-d-s-s-link.txt', argv: ['ip', '-d', '-s', '-s', 'link'] },
  { file: 'ip-addr.txt', argv: ['ip', 'addr'] },
  { file: 'ip-route.txt', argv: ['ip', 'route', 'show', 'table', 'all'] },
  { file: 'ip-6-route.txt', argv: ['ip', '-6', 'route', 'show', 'table', 'all'] },
  { file: 'ip-rule.txt', argv: ['ip', 'rule'] },
  { file: 'ip-neigh.txt', argv: ['ip', 'neigh'] },
  // The route cache: PMTU exceptions (`cache expires … mtu 1400`) a black hole leaves.
  { file: 'ip-route-cache.txt', argv: ['sh', '-c', 'ip route show cache table all; ip -6 route show cache table all'] },
  { file: 'iptables-save.txt', argv: ['iptables-save', '-c'] },
  { file: 'nft-ruleset.txt', argv: ['nft', 'list', 'ruleset'] },
  { file: 'sysctl-net.txt', argv: ['sh', '-c', "sysctl -a 2>/dev/null | grep -E '^net\\.(ipv4\\.tcp_|netfilter\\.|core\\.(somaxconn|netdev_max_backlog|rmem|wmem))'"] },
];

/**
 * /etc/resolv.conf as the namespace's processes see it: `ip netns exec`
 * bind-mounts /etc/netns/NAME/resolv.conf over it; a process (a container)
 * has its own root.
 */
export function resolvConfPath(target: Target): string {
  switch (target.kind) {
    case 'host':
      return '/etc/resolv.conf';
    case 'netns':
      return `/etc/netns/${target.name}/resolv.conf`;
    case 'pid':
      return `/proc/${target.pid}/root/etc/resolv.conf`;
  }
}

const firstLine = (text: string) => text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';

/** Runs one snapshot command inside the target's namespace, bounded in time and size. */
export async function runPart(target: Target, roots: Roots, file: string, argv: string[], limits: BundleLimits): Promise<{ part: BundlePart; data: Buffer }> {
  const command = [...netnsCommandPrefix(target, roots), ...argv];
  const started = performance.now();
  const r = await runBounded(command, { timeoutMs: limits.timeoutMs, maxBytes: limits.partMaxBytes });
  const durationMs = Math.round(performance.now() - started);
  const stdout = r.stdout;
  const part: BundlePart = { file, source: argv.join(' '), ok: r.exitCode === 0 && !r.timedOut, bytes: stdout.length, durationMs };
  if (r.truncated) {
    part.truncated = true;
    part.ok = true;
  }
  if (r.timedOut) part.error = `stopped after ${limits.timeoutMs / 1000} s`;
  else if (!part.ok) part.error = firstLine(r.stderr.toString('utf8')) || r.notStarted || `exit ${r.exitCode}`;
  return { part, data: stdout };
}

/** Reads one file as the namespace sees it, bounded in size. */
export async function readPart(file: string, path: string, limits: BundleLimits): Promise<{ part: BundlePart; data: Buffer }> {
  const started = performance.now();
  try {
    const data = await readFile(path);
    const cut = data.subarray(0, limits.partMaxBytes);
    return { part: { file, source: path, ok: true, bytes: cut.length, durationMs: Math.round(performance.now() - started), ...(data.length > cut.length ? { truncated: true } : {}) }, data: cut };
  } catch (error) {
    return { part: { file, source: path, ok: false, bytes: 0, durationMs: 0, error: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message }, data: Buffer.alloc(0) };
  }
}
