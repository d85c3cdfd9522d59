import { runBounded } from '../runBounded.js';
import type { Endpoint } from '../endpoint.js';
import { type Roots, type Target, netnsCommandPrefix } from '../target.js';
import type { BundlePart } from './collect.js';

/** How much a bundle's packet capture may take. */
export interface CaptureLimits {
  seconds: number;
  packets: number;
  bytes: number;
}

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = { seconds: 10, packets: 5_000, bytes: 16 * 1024 ** 2 };

/** An address or port that can go into a BPF filter: nothing else reaches tcpdump's argv. */
const BPF_ADDRESS = /^[0-9A-Fa-f.:]+$/;
const BPF_PORT = /^\d{1,5}$/;

/**
 * The BPF filter of one TCP socket's 4-tuple (`*` and names are left out),
 * undefined when nothing of it can be said.
 */
export function socketFilter(local: Endpoint, peer: Endpoint): string | undefined {
  const clauses: string[] = [];
  for (const e of [local, peer]) {
    if (BPF_ADDRESS.test(e.address)) clauses.push(`host ${e.address.replace(/^::ffff:(\d+\.)/, '$1')}`);
    if (BPF_PORT.test(e.port)) clauses.push(`port ${e.port}`);
  }
  return clauses.length === 0 ? undefined : ['tcp', ...clauses].join(' and ');
}

const PCAP_MAGIC = new Set(['a1b2c3d4', 'd4c3b2a1', 'a1b23c4d', '4d3cb2a1']);

/**
 * tcpdump inside the namespace, on every interface, for at most `seconds`,
 * `packets` and `bytes`: the pcap as it came (written packet by packet, so
 * the time limit ends it cleanly).
 */
export async function capturePart(target: Target, roots: Roots, filter: string, limits: CaptureLimits): Promise<{ part: BundlePart; data: Buffer }> {
  const argv = ['tcpdump', '-i', 'any', '-n', '-U', '-w', '-', '-c', String(limits.packets), filter];
  const command = [...netnsCommandPrefix(target, roots), ...argv];
  const started = performance.now();
  const r = await runBounded(command, { timeoutMs: limits.seconds * 1000, maxBytes: limits.bytes });
  const data = r.stdout;
  const isPcap = data.length >= 24 && PCAP_MAGIC.has(data.subarray(0, 4).toString('hex'));
  const part: BundlePart = { file: 'capture.pcap', source: argv.join(' '), ok: isPcap, bytes: data.length, durationMs: Math.round(performance.now() - started) };
  if (r.truncated) part.truncated = true;
  if (!isPcap) {
    const said = r.stderr.toString('utf8').split('\n').find((l) => /error|denied|not found|No such/i.test(l));
    part.error = said?.trim() || r.notStarted || `exit ${r.exitCode}`;
  }
  return { part, data };
}
