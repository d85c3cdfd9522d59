import { type Parsed, parsed } from '../types.js';

/**
 * The kernel's names for its drop reasons, from the `skb:kfree_skb` event's
 * own format file: `__print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, …)`.
 * The numbers differ between kernels (reasons are added in the middle of
 * the enum), so they are never compiled in. Empty when the event has no
 * `reason` field (kernels before 5.17).
 */
export function parseDropReasonNames(format: string): Map<number, string> {
  const names = new Map<number, string>();
  if (!hasReasonField(format)) return names;
  const at = format.indexOf('__print_symbolic(REC->reason');
  if (at < 0) return names;
  for (const m of format.slice(at).matchAll(/\{\s*(\d+)\s*,\s*"([A-Z0-9_]+)"\s*\}/g)) names.set(Number(m[1]), m[2] ?? '');
  return names;
}

/** `field:enum skb_drop_reason reason;` — the tracepoint says why (5.17+). */
export function hasReasonField(format: string): boolean {
  return /^\s*field:[^;]*\breason;/m.test(format);
}

export interface ReasonCounts {
  /** Events per reason name. */
  counts: Map<string, number>;
  events: number;
}

/**
 * Lines of an instance's `trace` file for `skb:kfree_skb`:
 * `<idle>-0 [000] ..s.. 44397.88: kfree_skb: skbaddr=… location=nft_do_chain+0x3e8/0x610 reason: NETFILTER_DROP`.
 * Comment lines are the header; a line of another shape is counted as skipped.
 */
export function parseKfreeSkbTrace(text: string): Parsed<ReasonCounts> {
  const counts = new Map<string, number>();
  let events = 0;
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = / kfree_skb: .* reason: ([A-Z0-9_]+)\s*$/.exec(line);
    if (!m) {
      skipped++;
      continue;
    }
    const reason = m[1] ?? '';
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
    events++;
  }
  return parsed({ counts, events }, skipped);
}

/**
 * An event's `hist` file for `hist:keys=reason`: `{ reason:         12 } hitcount:       340`,
 * the key as a number (named from the format) or, on kernels that print
 * enums symbolically, a name. Totals and comments are left alone.
 */
export function parseReasonHist(text: string, names: Map<number, string>): Parsed<ReasonCounts> {
  const counts = new Map<string, number>();
  let events = 0;
  let skipped = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || /^(Totals:|Hits:|Entries:|Dropped:)/.test(trimmed)) continue;
    const m = /^\{\s*reason:\s*([A-Za-z0-9_]+)\s*\}\s*hitcount:\s*(\d+)/.exec(trimmed);
    if (!m) {
      skipped++;
      continue;
    }
    const key = m[1] ?? '';
    const reason = /^\d+$/.test(key) ? (names.get(Number(key)) ?? `reason ${key}`) : key;
    const hits = Number(m[2]);
    counts.set(reason, (counts.get(reason) ?? 0) + hits);
    events += hits;
  }
  return parsed({ counts, events }, skipped);
}

/** `entries: 33` and `overrun: 0` of `per_cpu/cpuN/stats`: events kept and events the full ring overwrote. */
export function parseRingStats(text: string): { entries: number; overrun: number } {
  const field = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { entries: field('entries'), overrun: field('overrun') };
}
