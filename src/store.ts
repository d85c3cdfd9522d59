import type { SampleKey, Sampled } from '../collectors/sample.js';
import type { CollectorProblem, ProblemKind } from './problems.js';
import { counterRate, meanFinite } from './rates.js';
import { Ring } from './ring.js';

export interface CounterState {
  value: bigint;
  atMs: number;
  /** Rate since the previous reading; undefined on the first reading and after a reset. */
  perSec?: number;
  /** When the counter last changed (a reset counts as a change). */
  lastMovedMs?: number;
  /** The store tick (`ticks` while it was read) at which it last changed. */
  lastMovedTick?: number;
  /** The counter went down without wrapping since the previous reading. */
  reset?: boolean;
  /** Store tick at which the counter was first read (its first rate comes a tick later). */
  firstTick: number;
  /** Its rate series' key (`rateSeriesKey`), spelled once. */
  seriesKey: string;
}

/** Series key of a counter's per-second rate; the store makes these series itself. */
export const rateSeriesKey = (owner: SampleKey<unknown>, name: string): string => `rate:${owner.name}:${name}`;

export interface CollectorStatus {
  /** When the last good sample was taken. */
  lastOkMs?: number;
  /** Why the last attempt failed; cleared by the next good sample. */
  problem?: { kind: ProblemKind; message: string; hint?: string; sinceMs: number };
  notes: string[];
  /** Lines the last sample could not parse. */
  skippedLines: number;
  /** Set while a run is in flight. */
  runningSinceMs?: number;
}

/** 15 minutes at the default 1 s interval. */
export const DEFAULT_HISTORY_TICKS = 900;

/**
 * The one place samples land. Keeps the latest sample and status of every
 * collector, and a ring of values per numeric series aligned on scheduler
 * ticks, so every sparkline and trend reads the same clock. Listeners hear
 * once per tick, not once per collector.
 */
/** The window of every Δ/min on screen and in the alerts. */
export const TREND_WINDOW_MS = 60_000;
const TREND_MIN_SPAN_MS = 5_000;

export class Store {
  readonly tickTimes: Ring;
  /** `next`: the value this tick gave it (NaN for a known gap), until the tick closes. */
  private readonly series = new Map<string, { ring: Ring; owner: string; lastTick: number; next?: number }>();
  private readonly latest = new Map<string, Sampled<unknown>>();
  private readonly statuses = new Map<string, CollectorStatus>();
  /**
   * Series this tick gave a first value (the others keep theirs in `next`,
   * with nothing allocated per tick). `zeroTicks`: how many of the ticks
   * before it are known zeros rather than gaps.
   */
  private readonly pending = new Map<string, { owner: string; value: number; zeroTicks?: number }>();
  private readonly counterStates = new Map<string, Map<string, CounterState>>();
  /** Collectors that recorded a sample since the last commit. */
  private readonly reported = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private tickCount = 0;

  constructor(readonly capacity = DEFAULT_HISTORY_TICKS) {
    this.tickTimes = new Ring(capacity);
  }

  get ticks(): number {
    return this.tickCount;
  }

  recordSample<T>(key: SampleKey<T>, sampled: Sampled<T>, seriesValues: Record<string, number>): void {
    const name = key.name;
    this.latest.set(name, sampled);
    const status = this.statusOf(name);
    status.lastOkMs = sampled.atMs;
    delete status.problem;
    status.notes = sampled.notes;
    status.skippedLines = sampled.skippedLines;
    for (const key in seriesValues) this.offer(key, name, seriesValues[key] as number);
    this.reported.add(name);
  }

  /**
   * Turns a sample's monotonic counters into rates. Only counters that have
   * moved get a history ring (most of the ~400 kernel counters never do);
   * their history before the first move is zeros, not gaps. Counters missing
   * from the sample (an interface that went away) are forgotten.
   */
  recordCounters(ownerKey: SampleKey<unknown>, atMs: number, values: Map<string, bigint>): void {
    const owner = ownerKey.name;
    let states = this.counterStates.get(owner);
    if (!states) {
      states = new Map();
      this.counterStates.set(owner, states);
    }
    // forEach, not for…of: no [name, value] pair is made for each of ~400 counters a tick.
    values.forEach((value, name) => {
      const previous = states.get(name);
      let state: CounterState;
      if (previous && value === previous.value && atMs > previous.atMs) {
        // Unchanged, as most of ~400 kernel counters are at most ticks: updated in place, nothing allocated.
        previous.atMs = atMs;
        previous.perSec = 0;
        if (previous.reset) delete previous.reset;
        state = previous;
      } else {
        const outcome = counterRate(previous, { value, atMs });
        state = { value, atMs, firstTick: previous?.firstTick ?? this.tickCount, seriesKey: previous?.seriesKey ?? rateSeriesKey(ownerKey, name) };
        if (previous?.lastMovedMs !== undefined) state.lastMovedMs = previous.lastMovedMs;
        if (previous?.lastMovedTick !== undefined) state.lastMovedTick = previous.lastMovedTick;
        if (outcome.kind === 'rate' || outcome.kind === 'wrapped') {
          state.perSec = outcome.perSec;
          if (outcome.delta > 0n) {
            state.lastMovedMs = atMs;
            state.lastMovedTick = this.tickCount;
          }
        } else if (outcome.kind === 'reset') {
          state.reset = true;
          state.lastMovedMs = atMs;
          state.lastMovedTick = this.tickCount;
        }
        states.set(name, state);
      }
      const key = state.seriesKey;
      if (this.series.has(key) || (state.perSec ?? 0) > 0 || state.reset) {
        // It sat still from its second reading until now: those ticks are zeros, earlier ones gaps.
        this.offer(key, owner, state.perSec ?? Number.NaN, Math.max(0, this.tickCount - state.firstTick - 1));
      }
    });
    if (states.size !== values.size) for (const name of states.keys()) if (!values.has(name)) states.delete(name);
  }

  /** A series' value for the tick being collected. */
  private offer(key: string, owner: string, value: number, zeroTicks?: number): void {
    const entry = this.series.get(key);
    if (entry) entry.next = value;
    else this.pending.set(key, zeroTicks === undefined ? { owner, value } : { owner, value, zeroTicks });
  }

  /** A counter's average rate over the last minute; 0 for a counter that exists but never moved. */
  counterMinuteRate(owner: SampleKey<unknown>, name: string): number | undefined {
    const mean = this.windowMean(rateSeriesKey(owner, name));
    if (mean !== undefined) return mean;
    return this.counters(owner).has(name) ? 0 : undefined;
  }

  counters(owner: SampleKey<unknown>): ReadonlyMap<string, CounterState> {
    return this.counterStates.get(owner.name) ?? new Map();
  }

  /** Mean of a series over the last `windowMs` (NaN ticks skipped); e.g. a counter's 1-minute rate. */
  windowMean(key: string, windowMs = 60_000): number | undefined {
    const ring = this.series.get(key)?.ring;
    if (!ring) return undefined;
    const tNow = this.tickTimes.last();
    const values: number[] = [];
    for (let back = 0; back < ring.length; back++) {
      const t = this.tickTimes.at(this.tickTimes.length - 1 - back);
      if (tNow - t >= windowMs) break;
      values.push(ring.at(ring.length - 1 - back));
    }
    return meanFinite(values);
  }

  recordProblem(key: SampleKey<unknown>, problem: CollectorProblem, atMs: number): void {
    const status = this.statusOf(key.name);
    const sinceMs = status.problem?.message === problem.message ? status.problem.sinceMs : atMs;
    status.problem = { kind: problem.kind, message: problem.message, sinceMs };
    if (problem.hint !== undefined) status.problem.hint = problem.hint;
  }

  setRunning(key: SampleKey<unknown>, sinceMs: number | undefined): void {
    const status = this.statusOf(key.name);
    if (sinceMs === undefined) delete status.runningSinceMs;
    else status.runningSinceMs = sinceMs;
  }

  /**
   * Closes a tick: every series gets one value. A series whose collector did
   * not run this tick (slower cadence) carries its last value; one whose
   * collector failed gets NaN, a gap in the sparkline. Series that have not
   * been fed for a whole history (an interface that vanished) are dropped.
   */
  commitTick(atMs: number): void {
    this.tickTimes.push(atMs);
    for (const [key, { owner, value, zeroTicks = 0 }] of this.pending) {
      const ring = new Ring(this.capacity);
      const pad = this.tickTimes.length - 1;
      for (let i = 0; i < pad; i++) ring.push(i >= pad - zeroTicks ? 0 : Number.NaN);
      this.series.set(key, { ring, owner, lastTick: this.tickCount, next: value });
    }
    for (const [key, entry] of this.series) {
      const fresh = entry.next;
      // A gap does not keep a series alive: one with nothing but gaps for a whole history goes.
      if (fresh !== undefined && !Number.isNaN(fresh)) entry.lastTick = this.tickCount;
      if (this.tickCount - entry.lastTick > this.capacity) {
        this.series.delete(key);
      } else if (fresh !== undefined) {
        entry.ring.push(fresh);
        entry.next = undefined;
      } else if (this.reported.has(entry.owner) || this.statuses.get(entry.owner)?.problem) {
        // Its collector reported without it (a destination that left the top
        // list), or failed: a gap, not the old value.
        entry.ring.push(Number.NaN);
      } else {
        entry.ring.push(entry.ring.last());
      }
    }
    this.pending.clear();
    this.reported.clear();
    this.tickCount++;
    for (const listener of this.listeners) listener();
  }

  sample<T>(key: SampleKey<T>): Sampled<T> | undefined {
    // The only cast: recordSample stored a Sampled<T> under this key.
    return this.latest.get(key.name) as Sampled<T> | undefined;
  }

  status(key: SampleKey<unknown>): CollectorStatus {
    return this.statuses.get(key.name) ?? { notes: [], skippedLines: 0 };
  }

  seriesKeys(): string[] {
    return [...this.series.keys()];
  }

  /** The newest n values of a series, oldest first (NaN where there was none). */
  history(key: string, n: number): number[] {
    return this.series.get(key)?.ring.tail(n) ?? [];
  }

  latestValue(key: string): number | undefined {
    const v = this.series.get(key)?.ring.last();
    return v === undefined || Number.isNaN(v) ? undefined : v;
  }

  /**
   * How fast a count moves now, per minute: the one "Δ/min" of the screen
   * and the alerts. Within the last `windowMs`, the rise since the lowest
   * point or the fall since the highest (whichever came last: the move that
   * goes on now), per minute of the time since that point. A leak that restarts after a drop shows its
   * new speed, not an average with the fall; a climb that stopped fades as
   * the window moves past it. The time since the point counts as at least
   * `minSpanMs` (or the history there is), so one noisy sample does not read
   * as a stampede. Undefined until the window holds `minSpanMs` of history.
   */
  trendPerMinute(key: string, windowMs = TREND_WINDOW_MS, minSpanMs = TREND_MIN_SPAN_MS): number | undefined {
    const ring = this.series.get(key)?.ring;
    if (!ring || ring.length < 2) return undefined;
    const newest = ring.length - 1;
    const ticks = this.tickTimes.length;
    const timeOf = (i: number) => this.tickTimes.at(ticks - 1 - (newest - i));
    const tNow = timeOf(newest);
    const vNow = ring.at(newest);
    if (Number.isNaN(vNow)) return undefined;
    let oldestT = tNow;
    let low = { v: vNow, t: tNow };
    let high = { v: vNow, t: tNow };
    for (let i = newest - 1; i >= 0; i--) {
      const t = timeOf(i);
      if (tNow - t > windowMs) break;
      const v = ring.at(i);
      if (Number.isNaN(v)) continue;
      oldestT = t;
      // Strictly lower or higher: the latest time the extreme was seen, where the move began.
      if (v < low.v) low = { v, t };
      if (v > high.v) high = { v, t };
    }
    const spanMs = tNow - oldestT;
    if (spanMs < minSpanMs) return undefined;
    // The move that ends now began at whichever extreme came last.
    const from = high.t === tNow ? low : low.t === tNow ? high : low.t > high.t ? low : high;
    if (from.v === vNow) return 0;
    const overMs = Math.max(tNow - from.t, Math.min(minSpanMs, spanMs));
    return ((vNow - from.v) / overMs) * 60_000;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private statusOf(name: string): CollectorStatus {
    let status = this.statuses.get(name);
    if (!status) {
      status = { notes: [], skippedLines: 0 };
      this.statuses.set(name, status);
    }
    return status;
  }
}
