/**
 * When an expensive query may run again. Its own measured cost sets the
 * pace: a query that took W ms waits W / share ms before the next, so it
 * never takes more than `share` of a core, however busy the host — within
 * [minMs, maxMs]. `soon` asks for the short wait: something suggests the
 * answer changed.
 */
export class CostCadence {
  private lastStartMs = Number.NEGATIVE_INFINITY;
  private waitMs = 0;

  constructor(private readonly options: { minMs: number; maxMs: number; share: number }) {}

  due(nowMs: number, soon = false): boolean {
    return nowMs - this.lastStartMs >= (soon ? this.options.minMs : this.waitMs);
  }

  ran(startMs: number, costMs: number): void {
    this.lastStartMs = startMs;
    this.waitMs = Math.min(this.options.maxMs, Math.max(this.options.minMs, costMs / this.options.share));
  }

  /** How long the last run makes the next wait (for notes and tests). */
  get currentWaitMs(): number {
    return this.waitMs;
  }
}
