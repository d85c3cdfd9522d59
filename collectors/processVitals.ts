import { parseOpenFilesLimit, parseProcStat, parseStatusRssBytes } from '../src/drilldown/processInfo.js';
import type { TargetIO } from '../src/targetIO.js';
import { type Collector, sampleKey } from './types.js';

/**
 * What a leak eats in the process that leaks: its file descriptors against
 * its limit (every socket is one; at the limit accept() fails with EMFILE)
 * and its resident memory.
 */
export interface ProcessVitals {
  pid: number;
  /** Its start time after boot, in clock ticks: with the pid, it names one process (PIDs are reused). */
  startTicks: number;
  /** Open file descriptors (entries of /proc/PID/fd). */
  fds: number;
  /** Soft RLIMIT_NOFILE; undefined for "unlimited". */
  fdLimit?: number;
  rssBytes?: number;
}

export interface ProcessVitalsSample {
  processes: ProcessVitals[];
}

export const PROCESS_VITALS = sampleKey<ProcessVitalsSample>('processVitals');

/** Store series of one process's open fds and RSS (by pid and start time): their trends are the forecast. */
export const fdSeriesKey = (p: Pick<ProcessVitals, 'pid' | 'startTicks'>): string => `proc.fds:${p.pid}@${p.startTicks}`;
export const rssSeriesKey = (p: Pick<ProcessVitals, 'pid' | 'startTicks'>): string => `proc.rss:${p.pid}@${p.startTicks}`;

/** A process's limits rarely change: read once a minute. */
const LIMITS_EVERY_MS = 60_000;

/**
 * The fds and RSS of the processes the alerts name (`wanted`: the top
 * holders of a leaking state), every tick while they are wanted — a readdir
 * of /proc/PID/fd and two small reads, nothing while no alert asks. A PID
 * that now names another process (its start time changed) has a history of
 * its own; one that exited is left out.
 */
export function createProcessVitalsCollector(io: Pick<TargetIO, 'readProc' | 'listProc'>, wanted: () => number[]): Collector<ProcessVitalsSample> {
  const known = new Map<number, { startTicks: number; fdLimit?: number; limitsAtMs: number }>();
  return {
    key: PROCESS_VITALS,
    everyTicks: 1,
    series(v) {
      const out: Record<string, number> = {};
      for (const p of v.processes) {
        out[fdSeriesKey(p)] = p.fds;
        if (p.rssBytes !== undefined) out[rssSeriesKey(p)] = p.rssBytes;
      }
      return out;
    },
    async sample() {
      const atMs = Date.now();
      const pids = wanted();
      for (const pid of known.keys()) if (!pids.includes(pid)) known.delete(pid);
      const read = await Promise.all(
        pids.map(async (pid): Promise<ProcessVitals | undefined> => {
          const optional = (path: string) => io.readProc(`${pid}/${path}`).catch(() => undefined);
          const [stat, status, fds] = await Promise.all([
            optional('stat'),
            optional('status'),
            io.listProc(`${pid}/fd`).then(
              (entries) => entries.length,
              () => undefined,
            ),
          ]);
          const startTicks = stat === undefined ? undefined : parseProcStat(stat)?.startTicks;
          if (startTicks === undefined || fds === undefined) return undefined;
          let k = known.get(pid);
          if (!k || k.startTicks !== startTicks || atMs - k.limitsAtMs >= LIMITS_EVERY_MS) {
            const limits = await optional('limits');
            const fdLimit = limits === undefined ? undefined : parseOpenFilesLimit(limits);
            k = { startTicks, limitsAtMs: atMs, ...(fdLimit === undefined ? {} : { fdLimit }) };
            known.set(pid, k);
          }
          const rssBytes = status === undefined ? undefined : parseStatusRssBytes(status);
          return { pid, startTicks, fds, ...(k.fdLimit === undefined ? {} : { fdLimit: k.fdLimit }), ...(rssBytes === undefined ? {} : { rssBytes }) };
        }),
      );
      return { value: { processes: read.filter((p): p is ProcessVitals => p !== undefined) }, skippedLines: 0, notes: [], atMs };
    },
  };
}
