import type { ProcStat } from './drilldown/processInfo.js';

/**
 * Clock ticks per second of /proc/PID/stat (USER_HZ). The kernel fixes it at
 * 100 on every architecture a Node.js build exists for.
 */
export const USER_HZ = 100;

/**
 * CPU% of processes from two looks at /proc/PID/stat, one core = 100. Each
 * look is a plain file read (no descriptor is kept between looks, so a
 * thousand short-lived processes leave nothing open behind them). The first
 * look at a process gives its average since it started, when the uptime is
 * known; a PID that now names another process (same number, other start
 * time) starts over.
 */
export class ProcessCpu {
  private readonly last = new Map<number, { startTicks: number; cpuTicks: number; atMs: number }>();

  percent(pid: number, stat: ProcStat, atMs: number, uptimeSec?: number): number | undefined {
    const previous = this.last.get(pid);
    this.last.set(pid, { startTicks: stat.startTicks, cpuTicks: stat.cpuTicks, atMs });
    if (previous && previous.startTicks === stat.startTicks && atMs > previous.atMs) {
      return (((stat.cpuTicks - previous.cpuTicks) / USER_HZ) * 100_000) / (atMs - previous.atMs);
    }
    if (uptimeSec === undefined) return undefined;
    const lifetimeSec = uptimeSec - stat.startTicks / USER_HZ;
    return lifetimeSec > 0 ? (stat.cpuTicks / USER_HZ / lifetimeSec) * 100 : undefined;
  }

  /** Forgets every process not in `alive`: the history is bounded by what is on screen. */
  retain(alive: Set<number>): void {
    for (const pid of this.last.keys()) if (!alive.has(pid)) this.last.delete(pid);
  }

  clear(): void {
    this.last.clear();
  }
}
