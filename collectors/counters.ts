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
export function parseKernelCounters(text: string, keep?: ReadonlySet<string>, memo?: CounterMemo, into?: CounterValues): Parsed<CounterValues> {
  // The same counters every read: the last read's map, its values replaced, nothing reallocated.
  const counters: CounterValues = into ?? new Map();
  let set = 0;
  const notes: string[] = [];
  let skipped = 0;
  const lines = text.split('\n');
  // What a section (or an snmp6 line) gave the last time its text was this: most of a quiet host's, each tick.
  const remembered = (name: string, header: string, values: string, parse: () => [string, bigint][] | undefined) => {
    const last = memo?.get(name);
    let entries: [string, bigint][];
    if (last && last.values === values && last.header === header) entries = last.entries;
    else {
      const read = parse();
      // What could not be read is not remembered: it is read, and said, again next time.
      if (read === undefined) return;
      entries = read;
      memo?.set(name, { header, values, entries });
    }
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k] as [string, bigint];
      counters.set(entry[0], entry[1]);
    }
    set += entries.length;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    const section = sectionOf(line);
    if (section !== undefined) {
      const valuesLine = lines[i + 1]?.trim() ?? '';
      if (sectionOf(valuesLine) !== section) {
        skipped++;
        continue;
      }
      i++;
      // A section none of the kept counters is in is not split at all.
      if (keep !== undefined && ![...keep].some((k) => k.startsWith(section))) continue;
      remembered(section, line, valuesLine, () => {
        const names = line.slice(section.length + 1).trim().split(/\s+/);
        const numbers = valuesLine.slice(section.length + 1).trim().split(/\s+/);
        if (names.length !== numbers.length) {
          notes.push(`${section}: ${names.length} names but ${numbers.length} values; section skipped`);
          skipped += 2;
          return undefined;
        }
        const entries: [string, bigint][] = [];
        names.forEach((name, k) => {
          const key = `${section}${name}`;
          const value = numbers[k] ?? '';
          if ((keep === undefined || keep.has(key)) && INTEGER.test(value)) entries.push([key, BigInt(value)]);
        });
        return entries;
      });
      continue;
    }
    const pair = /^(\w+)\s+(-?\d+)$/.exec(line);
    if (pair?.[1] && pair[2] !== undefined) {
      const [name, value] = [pair[1], pair[2]];
      if (keep === undefined || keep.has(name)) remembered(name, '', line, () => [[name, BigInt(value)]]);
    } else skipped++;
  }
  // A counter gone since the last read (a module unloaded) leaves the reused map: read again into a new one.
  if (into && counters.size !== set) return parseKernelCounters(text, keep, memo);
  return { value: counters, skippedLines: skipped, notes };
}

/** `Tcp: …` -> `Tcp`: the section a line of snmp or netstat belongs to; undefined for any other line. */
function sectionOf(line: string): string | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0 || (line[colon + 1] !== ' ' && line[colon + 1] !== '\t')) return undefined;
  const name = line.slice(0, colon);
  return /^\w+$/.test(name) ? name : undefined;
}

/**
 * What each section (or snmp6 line) of the last read gave, by its name,
 * with the text it was read from: a section whose text did not change is
 * not split or turned into BigInts again.
 */
export type CounterMemo = Map<string, { header: string; values: string; entries: [string, bigint][] }>;

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
  const memo: CounterMemo = new Map();
  let last: CounterValues | undefined;
  return {
    key: COUNTERS,
    everyTicks: 1,
    counters: (v) => v.values,
    async sample(ctx) {
      const atMs = Date.now();
      // snmp6 is absent with IPv6 disabled, netstat on very old kernels.
      const files = await ctx.io.readProcNetFiles(COUNTER_FILES, ['snmp'], ctx.timeoutMs);
      const parsed = parseKernelCounters([...files.values()].join('\n'), undefined, memo, last);
      last = parsed.value;
      if (parsed.value.size === 0) throw new CollectorProblem('unparseable', 'no counters in /proc/net/snmp');
      return { ...parsed, value: { total: parsed.value.size, values: parsed.value }, atMs };
    },
  };
}
