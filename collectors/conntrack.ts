import { CollectorProblem, asProblem } from '../src/problems.js';
import { isFixtureProc } from '../src/target.js';
import type { TargetIO } from '../src/targetIO.js';
import type { Collector, Parsed, SampleContext } from './types.js';

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
  /** Where the count and stats came from. */
  source: 'conntrack' | 'procfs';
  /** Per-CPU event counters summed: insert_failed, drop, early_drop, invalid, ... */
  stats: Map<string, bigint>;
}

const NOT_LOADED = new CollectorProblem(
  'absent',
  'connection tracking is not active here (nf_conntrack not loaded)',
  'nothing to exhaust; it loads with the first NAT or conntrack firewall rule',
);

/**
 * Entries against the limit, and the kernel's conntrack event counters.
 * `conntrack -C`/`-S` (conntrack-tools) when the binary exists, else the
 * /proc files, which need no process start. The count is per network
 * namespace; nf_conntrack_max is global (read-only inside a child namespace).
 */
export function createConntrackCollector(): Collector<ConntrackSample> {
  let haveBinary: boolean | undefined;

  const viaBinary = async (io: TargetIO, timeoutMs: number) => {
    const [count, stats] = await Promise.all([
      io.run(['conntrack', '-C'], { timeoutMs }),
      io.run(['conntrack', '-S'], { timeoutMs }),
    ]);
    return { count: parseSingleInteger(count.stdout), stats: parseConntrackS(stats.stdout) };
  };

  const viaProc = async (io: TargetIO, timeoutMs: number) => {
    const [count, stats] = await Promise.all([
      io.readProcSys('net/netfilter/nf_conntrack_count', timeoutMs),
      io.readProcNet('stat/nf_conntrack', timeoutMs).catch(() => ''),
    ]);
    return { count: parseSingleInteger(count), stats: parseConntrackStatTable(stats) };
  };

  return {
    name: 'conntrack',
    everyTicks: 1,
    counters: (v) => v.stats,
    async sample(ctx: SampleContext) {
      const atMs = Date.now();
      let maxText: string;
      try {
        maxText = await ctx.io.readProcSys('net/netfilter/nf_conntrack_max', ctx.timeoutMs);
      } catch (error) {
        throw asProblem(error).kind === 'absent' ? NOT_LOADED : error;
      }
      const notes: string[] = [];
      let read: Awaited<ReturnType<typeof viaProc>> | undefined;
      let source: ConntrackSample['source'] = 'procfs';
      // A fixture tree is read as files only: the binary would report this host.
      if (haveBinary !== false && !isFixtureProc(ctx.io.roots)) {
        try {
          read = await viaBinary(ctx.io, ctx.timeoutMs);
          haveBinary = true;
          source = 'conntrack';
        } catch (error) {
          const problem = asProblem(error);
          if (problem.kind === 'missing-tool') haveBinary = false;
          else notes.push(`conntrack -C/-S failed (${problem.message}); read /proc instead`);
        }
      }
      if (!read) {
        try {
          read = await viaProc(ctx.io, ctx.timeoutMs);
        } catch (error) {
          throw asProblem(error).kind === 'absent' ? NOT_LOADED : error;
        }
      }
      const max = parseSingleInteger(maxText);
      if (read.count === undefined || max === undefined || max <= 0) {
        throw new CollectorProblem('unparseable', 'conntrack count or nf_conntrack_max is not a number');
      }
      return {
        value: { count: read.count, max, fill: read.count / max, source, stats: read.stats.value },
        skippedLines: read.stats.skippedLines,
        notes: [...notes, ...read.stats.notes],
        atMs,
      };
    },
    series: (v) => ({ 'conntrack.count': v.count, 'conntrack.fill': v.fill }),
  };
}
