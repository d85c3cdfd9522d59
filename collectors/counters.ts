import { CollectorProblem } from '../src/problems.js';
import { type Collector, type Parsed, sampleKey } from './types.js';

/** Counter name as nstat prints it (`TcpRetransSegs`, `TcpExtListenOverflows`, `Udp6RcvbufErrors`) -> value. */
export type CounterValues = Map<string, bigint>;

const INTEGER = /^-?\d+$/;

/**
 * Parses /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6 — alone or
 * concatenated, as one `cat` of all three prints them inside a namespace.
 * snmp and netstat come as pairs of lines, a header and its values, per
 * section (`Tcp:`, `TcpExt:`); the fields grow with the kernel, so names are
 * taken from the header, never from a fixed list. snmp6 is one `Name value`
 * per line. Names are nstat's: section + field. Values are BigInt: some pass
 * 2^53 on long-lived hosts.
 */
export function parseKernelCounters(text: string, keep?: ReadonlySet<string>): Parsed<CounterValues> {
  const counters: CounterValues = new Map();
  const notes: string[] = [];
  let skipped = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    const section = /^(\w+):\s+(.*)$/.exec(line);
    if (section?.[1] && section[2] !== undefined) {
      const values = /^(\w+):\s+(.*)$/.exec(lines[i + 1]?.trim() ?? '');
      if (!values || values[1] !== section[1]) {
        skipped++;
        continue;
      }
      i++;
      // A section none of the kept counters is in is not split at all.
      if (keep !== undefined && ![...keep].some((k) => k.startsWith(section[1] ?? ''))) continue;
      const names = section[2].split(/\s+/);
      const numbers = values[2]?.split(/\s+/) ?? [];
      if (names.length !== numbers.length) {
        notes.push(`${section[1]}: ${names.length} names but ${numbers.length} values; section skipped`);
        skipped += 2;
        continue;
      }
      names.forEach((name, k) => {
        const key = `${section[1]}${name}`;
        const value = numbers[k] ?? '';
        if ((keep === undefined || keep.has(key)) && INTEGER.test(value)) counters.set(key, BigInt(value));
      });
      continue;
    }
    const pair = /^(\w+)\s+(-?\d+)$/.exec(line);
    if (pair?.[1] && pair[2] !== undefined) {
      if (keep === undefined || keep.has(pair[1])) counters.set(pair[1], BigInt(pair[2]));
    }
    else skipped++;
  }
  return { value: counters, skippedLines: skipped, notes };
}

/** `nstat -a` text (`#kernel` then `Name value rate`) or `nstat --json` (`{"kernel":{...}}`). */
export function parseNstat(text: string): Parsed<CounterValues> {
  const counters: CounterValues = new Map();
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      // Integers above 2^53 would lose precision in JSON.parse: quote them first.
      const safe = trimmed.replace(/:(\d{16,})/g, ':"$1"');
      const doc = JSON.parse(safe) as Record<string, Record<string, number | string>>;
      for (const table of Object.values(doc)) {
        for (const [name, value] of Object.entries(table)) counters.set(name, BigInt(value));
      }
      return { value: counters, skippedLines: 0, notes: [] };
    } catch {
      return { value: counters, skippedLines: trimmed.split('\n').length, notes: ['nstat JSON could not be read'] };
    }
  }
  let skipped = 0;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = /^(\w+)\s+(\d+)(?:\s+[\d.]+)?(?:\s+\(overflow\))?$/.exec(t);
    if (m?.[1] && m[2]) counters.set(m[1], BigInt(m[2]));
    else skipped++;
  }
  return { value: counters, skippedLines: skipped, notes: [] };
}

/**
 * Old nstat builds print Icmp values one column off (iproute2 d4717914 fixed
 * it): IcmpInMsgs then reads 0 while IcmpMsgInType* add up to the real total.
 * Returns a note when the Icmp totals disagree with the per-type counters.
 */
export function icmpShiftNote(counters: CounterValues): string | undefined {
  const inMsgs = counters.get('IcmpInMsgs');
  if (inMsgs === undefined) return undefined;
  let perType = 0n;
  for (const [name, value] of counters) if (name.startsWith('IcmpMsgInType')) perType += value;
  if (perType > 0n && inMsgs === 0n) return 'Icmp counters look shifted by one column (old nstat bug); Icmp values are unreliable';
  return undefined;
}

const COUNTER_FILES = ['snmp', 'netstat', 'snmp6'];

export interface CountersSample {
  /** How many counters the kernel exposes here. */
  total: number;
  values: CounterValues;
}

export const COUNTERS = sampleKey<CountersSample>('counters');

/**
 * Every counter of the target's namespace, straight from /proc (no nstat:
 * nstat keeps a history file per user and prints deltas since anyone's last
 * call; reading the files ourselves never touches it and starts no process
 * except inside a named namespace).
 */
export function createCountersCollector(): Collector<CountersSample> {
  return {
    key: COUNTERS,
    everyTicks: 1,
    counters: (v) => v.values,
    async sample(ctx) {
      const atMs = Date.now();
      // snmp6 is absent with IPv6 disabled, netstat on very old kernels.
      const files = await ctx.io.readProcNetFiles(COUNTER_FILES, ['snmp'], ctx.timeoutMs);
      const parsed = parseKernelCounters([...files.values()].join('\n'));
      if (parsed.value.size === 0) throw new CollectorProblem('unparseable', 'no counters in /proc/net/snmp');
      return { ...parsed, value: { total: parsed.value.size, values: parsed.value }, atMs };
    },
  };
}
