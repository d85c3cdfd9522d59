import type { Collector } from '../collectors/types.js';
import { CollectorProblem, asProblem } from './problems.js';
import type { Store } from './store.js';
import type { TargetIO } from './targetIO.js';

export const MIN_INTERVAL_MS = 200;
export const MAX_INTERVAL_MS = 60_000;

export interface SchedulerOptions {
  intervalMs: number;
  /** Per-run timeout; by default twice the interval, between 2 and 10 s. */
  timeoutMs?: number;
}

/**
 * Runs each collector on its own cadence. A collector still running from an
 * earlier tick is not started again; a run that exceeds its timeout is
 * reported as such (the child process is killed by execa's own timeout) and
 * the other collectors carry on. A tick closes when its collectors settle or
 * its time is up, whichever comes first, so one hung source never freezes
 * the screen.
 */
export class Scheduler {
  private intervalMsValue: number;
  private readonly fixedTimeoutMs: number | undefined;
  private readonly inFlight = new Set<string>();
  private tickNumber = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private nextAtMs = 0;

  constructor(
    private readonly collectors: Collector<unknown>[],
    private readonly io: TargetIO,
    private readonly store: Store,
    options: SchedulerOptions,
  ) {
    this.intervalMsValue = clampInterval(options.intervalMs);
    this.fixedTimeoutMs = options.timeoutMs;
  }

  get intervalMs(): number {
    return this.intervalMsValue;
  }

  get timeoutMs(): number {
    return this.fixedTimeoutMs ?? Math.min(10_000, Math.max(2_000, 2 * this.intervalMsValue));
  }

  setIntervalMs(intervalMs: number): void {
    this.intervalMsValue = clampInterval(intervalMs);
    if (!this.stopped && this.timer) {
      clearTimeout(this.timer);
      this.nextAtMs = Date.now() + this.intervalMsValue;
      this.timer = setTimeout(() => void this.loop(), this.intervalMsValue);
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.nextAtMs = Date.now();
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One tick: start what is due, wait for it or for the deadline, then commit. */
  async runTick(): Promise<void> {
    const tick = this.tickNumber++;
    const due = this.collectors.filter((c) => isDue(c, tick) && !this.inFlight.has(c.key.name));
    const runs = due.map((c) => this.runOne(c, tick));
    const deadlineMs = Math.max(MIN_INTERVAL_MS, this.intervalMsValue * 0.9);
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(runs),
      new Promise<void>((resolve) => {
        deadline = setTimeout(resolve, deadlineMs);
      }),
    ]);
    clearTimeout(deadline);
    this.store.commitTick(Date.now());
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    await this.runTick();
    if (this.stopped) return;
    this.nextAtMs += this.intervalMsValue;
    const now = Date.now();
    // After a stall (a suspended laptop, an overloaded host) don't replay missed ticks.
    if (this.nextAtMs < now) this.nextAtMs = now;
    this.timer = setTimeout(() => void this.loop(), this.nextAtMs - now);
  }

  private async runOne(collector: Collector<unknown>, tick: number): Promise<void> {
    const startedMs = Date.now();
    const timeoutMs = this.timeoutMs;
    this.inFlight.add(collector.key.name);
    this.store.setRunning(collector.key, startedMs);
    const work = collector.sample({ io: this.io, timeoutMs, tick });
    let timedOut = false;
    let guard: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      // Grace beyond the child's own timeout, for reads that cannot be killed.
      guard = setTimeout(() => resolve('timeout'), timeoutMs + 500);
    });
    try {
      const first = await Promise.race([work, timeout]);
      if (first === 'timeout') {
        timedOut = true;
        this.store.recordProblem(
          collector.key,
          new CollectorProblem('timeout', `no answer within ${(timeoutMs / 1000).toFixed(1)} s`),
          Date.now(),
        );
        await work.catch(() => undefined);
        return;
      }
      this.store.recordSample(collector.key, first, collector.series?.(first.value) ?? {});
      const counters = collector.counters?.(first.value);
      if (counters) this.store.recordCounters(collector.key, first.atMs, counters);
    } catch (error) {
      if (!timedOut) this.store.recordProblem(collector.key, asProblem(error), Date.now());
    } finally {
      clearTimeout(guard);
      this.inFlight.delete(collector.key.name);
      this.store.setRunning(collector.key, undefined);
    }
  }
}

/** At tick 0, then every `everyTicks` from `phaseTicks` on. */
export function isDue(collector: Pick<Collector<unknown>, 'everyTicks' | 'phaseTicks'>, tick: number): boolean {
  return tick === 0 || (tick - (collector.phaseTicks ?? 0)) % collector.everyTicks === 0;
}

export function clampInterval(intervalMs: number): number {
  if (!Number.isFinite(intervalMs)) return 1000;
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.round(intervalMs)));
}
