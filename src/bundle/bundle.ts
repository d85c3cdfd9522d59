import { closeSync, rmSync, writeSync } from 'node:fs';
import { createPrivateFile } from '../recording/privateFile.js';
import { type Roots, type Target, targetLabel } from '../target.js';
import { BUNDLE_COMMANDS, type BundleLimits, type BundlePart, DEFAULT_BUNDLE_LIMITS, readPart, resolvConfPath, runPart } from './collect.js';
import { type CaptureLimits, capturePart } from './capture.js';
import { type TarEntry, tarArchive } from './tar.js';

export interface BundleInput {
  target: Target;
  roots: Roots;
  version: string;
  /** The last minutes of samples (a recording's text), when nettriage was running. */
  recording?: string;
  limits?: BundleLimits;
  /** A packet capture to take beside the snapshots (`--bundle-capture`, `--capture`). */
  capture?: { filter: string; limits: CaptureLimits };
  /** Why a capture that was asked for was not taken (no socket selected). */
  captureSkipped?: string;
  /** What the probe keys ran on screen (commands, findings, output), when any ran. */
  actions?: string;
}

export interface BundleResult {
  path: string;
  bytes: number;
  parts: BundlePart[];
}

/** `nettriage-bundle-netns_web-20261127-171500.tar.gz` */
export function bundleFileName(target: Target, nowMs: number): string {
  const t = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `nettriage-bundle-${targetLabel(target).replace(/[^A-Za-z0-9_.-]+/g, '_')}-${t}.tar.gz`;
}

/**
 * An incident bundle of the watched namespace, in one .tar.gz created 0600
 * without following anything at the path: the recording kept in memory, and
 * snapshots taken now (sockets with owners and timers, ss -s, nstat,
 * conntrack -S, links with statistics, routes, neighbours, iptables and nft
 * rules, resolv.conf as the namespace sees it, the TCP and netfilter
 * sysctls), each bounded in time and size, run in parallel; a manifest says
 * what each is, what failed and why. The path is claimed first: a planted
 * link fails before anything runs.
 */
export async function writeBundle(path: string, input: BundleInput, nowMs = Date.now()): Promise<BundleResult> {
  const fd = createPrivateFile(path);
  let written = false;
  try {
    const limits = input.limits ?? DEFAULT_BUNDLE_LIMITS;
    const prefix = 'nettriage-bundle/';
    const capture = input.capture ? capturePart(input.target, input.roots, input.capture.filter, input.capture.limits) : undefined;
    const snapshots = await Promise.all(BUNDLE_COMMANDS.map((c) => runPart(input.target, input.roots, c.file, c.argv, limits)));
    let resolv = await readPart('resolv.conf', resolvConfPath(input.target), limits);
    if (!resolv.part.ok && input.target.kind === 'netns') {
      // No /etc/netns/NAME/resolv.conf: `ip netns exec` leaves the host's in place.
      resolv = await readPart('resolv.conf', '/etc/resolv.conf', limits);
    }
    const parts = [...snapshots, resolv, ...(capture ? [await capture] : [])];
    // A part that failed with nothing to show is said in the manifest only.
    const entries: TarEntry[] = parts.filter((p) => p.part.ok || p.data.length > 0).map((p) => ({ name: `${prefix}${p.part.file}`, data: p.data, mtimeMs: nowMs }));
    const recording: BundlePart = input.recording
      ? { file: 'recording.ndjson', source: 'the samples kept in memory (nettriage --replay reads it)', ok: true, bytes: Buffer.byteLength(input.recording), durationMs: 0 }
      : { file: 'recording.ndjson', source: 'the samples kept in memory', ok: false, bytes: 0, durationMs: 0, error: 'nettriage was not running: no samples kept' };
    if (input.recording) entries.push({ name: `${prefix}recording.ndjson`, data: Buffer.from(input.recording), mtimeMs: nowMs });
    const actions: BundlePart[] = input.actions ? [{ file: 'actions.txt', source: 'the probes run from the dashboard (P C R H L X): each command as typed, what it found, its output', ok: true, bytes: Buffer.byteLength(input.actions), durationMs: 0 }] : [];
    if (input.actions) entries.push({ name: `${prefix}actions.txt`, data: Buffer.from(input.actions), mtimeMs: nowMs });
    const manifest = {
      nettriage: 'bundle',
      version: input.version,
      target: targetLabel(input.target),
      createdAt: new Date(nowMs).toISOString(),
      limits,
      parts: [
        ...parts.map((p) => p.part),
        recording,
        ...actions,
        ...(input.captureSkipped ? [{ file: 'capture.pcap', source: 'tcpdump', ok: false, bytes: 0, durationMs: 0, error: input.captureSkipped }] : []),
      ],
    };
    entries.unshift({ name: `${prefix}manifest.json`, data: Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`), mtimeMs: nowMs });
    // Imported here, as node:http and node:readline are: a static import is compiled at every start of the one-file build.
    const { gzipSync } = await import('node:zlib');
    const gz = gzipSync(tarArchive(entries));
    let off = 0;
    while (off < gz.length) off += writeSync(fd, gz, off);
    written = true;
    return { path, bytes: gz.length, parts: manifest.parts };
  } finally {
    closeSync(fd);
    // Not a half archive left behind (a full disk): the file we created goes.
    if (!written) rmSync(path, { force: true });
  }
}
