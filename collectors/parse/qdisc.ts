import { type Parsed, parsed } from '../types.js';

/** One qdisc of `tc -s -j qdisc show`: where it sits and what it counted. */
export interface QdiscStats {
  /** As the kernel names it: untrusted text, sanitise before display. */
  dev: string;
  kind: string;
  /** `1:`; children of mq all say `0:` and differ by parent. */
  handle: string;
  /** `root`, `ingress`, or the parent class (`1:10`, `7fff:a`). */
  parent: string;
  bytes: number;
  packets: number;
  drops: number;
  overlimits: number;
  requeues: number;
  /** Bytes and packets waiting in it now. */
  backlogBytes: number;
  backlogPackets: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** `eth0 root 1: htb`, `eth0 parent 7fff:a 0: fq_codel`: one qdisc's identity, for the store and the screen. */
export const qdiscKey = (q: Pick<QdiscStats, 'dev' | 'parent' | 'handle' | 'kind'>): string => `${q.dev} ${q.parent === 'root' || q.parent === 'ingress' ? q.parent : `parent ${q.parent}`} ${q.handle} ${q.kind}`;

/**
 * `tc -s -j qdisc show`: an array of qdiscs, roots (`"root": true`) and
 * children (`"parent": "1:10"`), each with bytes, packets, drops,
 * overlimits, requeues, `backlog` (bytes) and `qlen` (packets). An entry
 * without a device, a kind or the counters is skipped and counted.
 */
export function parseTcQdiscJson(text: string): Parsed<QdiscStats[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch {
    return parsed([], text.split('\n').length, ['tc -j qdisc output is not JSON']);
  }
  if (!Array.isArray(doc)) return parsed([], 1, ['tc -j qdisc output is not a list']);
  const out: QdiscStats[] = [];
  let skipped = 0;
  for (const entry of doc as Record<string, unknown>[]) {
    const dev = entry?.dev;
    const kind = entry?.kind;
    const counters = [entry?.bytes, entry?.packets, entry?.drops, entry?.overlimits, entry?.requeues].map(num);
    if (typeof dev !== 'string' || typeof kind !== 'string' || counters.some((c) => c === undefined)) {
      skipped++;
      continue;
    }
    const [bytes = 0, packets = 0, drops = 0, overlimits = 0, requeues = 0] = counters as number[];
    const parent = entry.root === true ? 'root' : typeof entry.parent === 'string' ? (entry.parent === 'ffff:fff1' ? 'ingress' : entry.parent) : 'root';
    out.push({
      dev,
      kind,
      handle: typeof entry.handle === 'string' ? entry.handle : '?',
      parent,
      bytes,
      packets,
      drops,
      overlimits,
      requeues,
      backlogBytes: num(entry.backlog) ?? 0,
      backlogPackets: num(entry.qlen) ?? 0,
    });
  }
  return parsed(out, skipped);
}
