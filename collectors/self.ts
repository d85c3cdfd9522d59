import { readFileSync } from 'node:fs';
import { parseProcStat, parseStatusRssBytes } from '../src/drilldown/processInfo.js';
import { USER_HZ } from '../src/processCpu.js';
import { type Collector, sampleKey } from './types.js';

/** What watching costs right now: this process and the helpers it keeps. */
export interface SelfSample {
  /** Share of one core over the last few seconds (self + children), 100 = a whole core; none before 2 s of history. */
  cpuPercent?: number;
  rssBytes: number;
  /** Processes counted: this one and its live helpers. */
  processes: number;
}

export const SELF = sampleKey<SelfSample>('self');

/** CPU is averaged over this long: /proc counts children in 10 ms ticks, too coarse for one second. */
const WINDOW_MS = 10_000;

function readStat(pid: number): { cpuSec: number; rssBytes: number } | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rss = parseStatusRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (!stat) return undefined;
    return { cpuSec: (stat.cpuTicks + stat.childCpuTicks) / USER_HZ, rssBytes: rss ?? 0 };
  } catch {
    return undefined; // a helper that just exited: its time is in our cutime now
  }
}

/**
 * This process's CPU (its own, to the microsecond, and that of the children
 * it reaped) and that of its live helpers (the shells, with everything they
 * ran), over a sliding window; RSS of them all. Shown in the header like
 * htop lists itself, so the person watching knows what observing costs.
 */
export function createSelfCollector(helperPids: () => number[]): Collector<SelfSample> {
  const history: { atMs: number; cpuSec: number }[] = [];
  return {
    key: SELF,
    // Its figures are a 10-second average: every other tick is plenty, and halves what watching ourselves costs.
    everyTicks: 2,
    series: (v) => ({ 'self.cpuPercent': v.cpuPercent ?? Number.NaN, 'self.rssBytes': v.rssBytes }),
    async sample() {
      const atMs = Date.now();
      const own = process.cpuUsage();
      const reaped = parseProcStat(readFileSync('/proc/self/stat', 'utf8'))?.childCpuTicks ?? 0;
      let cpuSec = (own.user + own.system) / 1e6 + reaped / USER_HZ;
      let rssBytes = process.memoryUsage.rss();
      let processes = 1;
      for (const pid of helperPids()) {
        const helper = readStat(pid);
        if (!helper) continue;
        cpuSec += helper.cpuSec;
        rssBytes += helper.rssBytes;
        processes++;
      }
      history.push({ atMs, cpuSec });
      while (history.length > 2 && atMs - (history[1]?.atMs ?? atMs) >= WINDOW_MS) history.shift();
      const first = history[0];
      const spanMs = first ? atMs - first.atMs : 0;
      // Not before 2 s: the first moments are start-up, not what watching costs.
      const value: SelfSample = { rssBytes, processes };
      if (first && spanMs >= 2000) value.cpuPercent = Math.max(0, ((cpuSec - first.cpuSec) * 1000 * 100) / spanMs);
      return { value, skippedLines: 0, notes: [], atMs };
    },
  };
}
