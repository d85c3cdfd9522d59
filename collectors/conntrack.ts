import { CollectorProblem, asProblem } from '../src/problems.js';
import { isFixtureProc } from '../src/target.js';
import type { TargetIO } from '../src/targetIO.js';
import { type Collector, type Parsed, type SampleContext, sampleKey } from './types.js';

/**
 * Columns of /proc/net/stat/nf_conntrack that are not per-CPU event counters:
 * `entries` repeats the table size on every row, `chainlength` is a gauge.
 */
const NOT_SUMMED = new Set(['entries', 'chainlength']);

/**
 * /proc/net/stat/nf_conntrack: a header naming the columns (it changes with
 * the kernel: searched -> clashres, delete_list -> chainlength), then one row
 * of hex values per possible CPU. Event counters are summed over CPUs.
 */
export function parseConntrackStatTable(text: string): Parsed<Map<string, bigint>> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  const totals = new Map<string, bigint>();
  const known = ['entries', 'found', 'insert', 'insert_failed', 'drop'];
  if (!header.every((h) => /^[a-z_]+$/.test(h)) || !known.some((k) => header.includes(k))) {
    return { value: totals, skippedLines: lines.length, notes: ['unrecognised /proc/net/stat/nf_conntrack header'] };
  }
  let skipped = 0;
  let rows = 0;
  for (const line of lines.slice(1)) {
    const cells = line.trim().split(/\s+/);
    if (cells.length !== header.length || !cells.every((c) => /^[0-9a-fA-F]+$/.test(c))) {
      skipped++;
      continue;
    }
    rows++;
    header.forEach((name, i) => {
      const value = BigInt(`0x${cells[i]}`);
      if (NOT_SUMMED.has(name)) {
        if (rows === 1) totals.set(name, value);
      } else totals.set(name, (totals.get(name) ?? 0n) + value);
    });
  }
  return { value: totals, skippedLines: skipped, notes: [] };
}

/** `conntrack -S`: `cpu=0   \tfound=0 invalid=126 ... ` per CPU, summed. */
export function parseConntrackS(text: string): Parsed<Map<string, bigint>> {
  const totals = new Map<string, bigint>();
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const pairs = [...line.matchAll(/(\w+)=(\d+)/g)];
    if (!line.trim().startsWith('cpu=') || pairs.length < 2) {
      skipped++;
      continue;
    }
    for (const [, name, value] of pairs) {
      if (name === 'cpu' || !name || value === undefined) continue;
      totals.set(name, (totals.get(name) ?? 0n) + BigInt(value));
    }
  }
  return { value: totals, skippedLines: skipped, notes: [] };
}

/** `conntrack -C`, nf_conntrack_count, nf_conntrack_max: one integer. */
export function parseSingleInteger(text: string): number | undefined {
  const m = /^\s*(\d+)\s*$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface ConntrackSample {
  count: number;
  max: number;
  /** count / max, 0..1. */
  fill: number;
  /** Where the event counters came from. */
  source: 'conntrack' | 'procfs';
  /** Per-CPU event counters summed: insert_failed, drop, early_drop, invalid, ... */
  stats: Map<string, bigint>;
}

export const CONNTRACK = sampleKey<ConntrackSample>('conntrack');
/** Store series of the entry count and of entries / nf_conntrack_max. */
export const CONNTRACK_COUNT_SERIES = 'conntrack.count';
export const CONNTRACK_FILL_SERIES = 'conntrack.fill';

const NOT_LOADED = new CollectorProblem(
  'inactive',
  'connection tracking is not active here (nf_conntrack not loaded)',
  'nothing to exhaust; it loads with the first NAT or conntrack firewall rule',
);

const MAX = 'net/netfilter/nf_conntrack_max';
const COUNT = 'net/netfilter/nf_conntrack_count';
/** nf_conntrack_max is global and rarely changes (inside a namespace each read is a process start). */
const MAX_EVERY_TICKS = 30;
/** `conntrack -S`, where the kernel has no /proc/net/stat/nf_conntrack, is a process start too. */
const BINARY_EVERY_TICKS = 10;

/**
 * Entries against the limit, and the kernel's conntrack event counters, from
 * /proc/net/stat/nf_conntrack: its `entries` column is the namespace's count,
 * the other columns the per-CPU events — a plain file read each tick.
 * nf_conntrack_max is read every 30 ticks. Only a kernel built without that
 * file costs more: the count from the sysctl, and `conntrack -S`
 * (conntrack-tools) every 10 ticks for the events.
 */
export function createConntrackCollector(): Collector<ConntrackSample> {
  let max: number | undefined;
  let maxTick = -Infinity;
  let binary: { tick: number; stats: Parsed<Map<string, bigint>> } | undefined;
  let haveBinary = true;

  const readMax = async (ctx: SampleContext) => {
    if (max !== undefined && ctx.tick - maxTick < MAX_EVERY_TICKS) return max;
    maxTick = ctx.tick;
    const text = (await ctx.io.readProcSysFiles([MAX], ctx.timeoutMs)).get(MAX);
    if (text === undefined) throw NOT_LOADED;
    max = parseSingleInteger(text);
    return max;
  };

  const binaryStats = async (io: TargetIO, tick: number, timeoutMs: number, notes: string[]): Promise<Parsed<Map<string, bigint>> | undefined> => {
    if (!haveBinary || isFixtureProc(io.roots)) return undefined;
    if (binary && tick - binary.tick < BINARY_EVERY_TICKS) return binary.stats;
    try {
      binary = { tick, stats: parseConntrackS((await io.run(['conntrack', '-S'], { timeoutMs })).stdout) };
      return binary.stats;
    } catch (error) {
      const problem = asProblem(error);
      if (problem.kind === 'missing-tool') haveBinary = false;
      else notes.push(`conntrack -S failed (${problem.message})`);
      return undefined;
    }
  };

  return {
    key: CONNTRACK,
    everyTicks: 1,
    counters: (v) => v.stats,
    async sample(ctx: SampleContext) {
      const atMs = Date.now();
      const notes: string[] = [];
      const statText = (await ctx.io.readProcNetFiles(['stat/nf_conntrack'], [], ctx.timeoutMs)).get('stat/nf_conntrack');
      // Without the module there is no stat file either: no process start to find that out.
      if (statText === undefined && max === undefined && ctx.tick - maxTick < MAX_EVERY_TICKS) throw NOT_LOADED;
      const limit = await readMax(ctx);
      let count: number | undefined;
      let stats: Parsed<Map<string, bigint>> | undefined;
      let source: ConntrackSample['source'] = 'procfs';
      if (statText !== undefined) {
        stats = parseConntrackStatTable(statText);
        const entries = stats.value.get('entries');
        if (entries !== undefined) count = Number(entries);
      }
      if (count === undefined) {
        const text = (await ctx.io.readProcSysFiles([COUNT], ctx.timeoutMs)).get(COUNT);
        if (text === undefined) throw NOT_LOADED;
        count = parseSingleInteger(text);
      }
      if (!stats) {
        stats = await binaryStats(ctx.io, ctx.tick, ctx.timeoutMs, notes);
        if (stats) source = 'conntrack';
      }
      if (count === undefined || limit === undefined || limit <= 0) {
        throw new CollectorProblem('unparseable', 'conntrack count or nf_conntrack_max is not a number');
      }
      return {
        value: { count, max: limit, fill: count / limit, source, stats: stats?.value ?? new Map() },
        skippedLines: stats?.skippedLines ?? 0,
        notes: [...notes, ...(stats?.notes ?? [])],
        atMs,
      };
    },
    series: (v) => ({ [CONNTRACK_COUNT_SERIES]: v.count, [CONNTRACK_FILL_SERIES]: v.fill }),
  };
}
