import type { CollectorStatus, CounterState, Store } from '../store.js';

export type Concern = 'none' | 'watch' | 'bad';

/** How many samples of history a row carries; panels show as many as fit. */
export const SPARK_HISTORY = 120;

/** A counter "moved recently" if it changed within this window. */
export const MOVED_WINDOW_MS = 60_000;

export interface SourceStatusModel {
  problem?: CollectorStatus['problem'];
  notes: string[];
  skippedLines: number;
  /** Age of the data shown, when there is any. */
  sampleAtMs?: number;
}

/** Changed within the last minute: what makes a counter stand out. */
export function movedRecently(state: CounterState | undefined, nowMs: number): boolean {
  return state?.lastMovedMs !== undefined && nowMs - state.lastMovedMs <= MOVED_WINDOW_MS;
}

/** A counter as a panel row shows it: value, rate now, rate over the minute, and whether it moved. */
export interface CounterReading {
  value?: bigint;
  perSec?: number;
  perSecMinute?: number;
  moved: boolean;
}

export function readCounter(store: Store, owner: string, name: string, nowMs: number): CounterReading {
  const state = store.counters(owner).get(name);
  const out: CounterReading = { moved: movedRecently(state, nowMs) };
  if (state) out.value = state.value;
  if (state?.perSec !== undefined) out.perSec = state.perSec;
  const minute = store.counterMinuteRate(owner, name);
  if (minute !== undefined) out.perSecMinute = minute;
  return out;
}

export function sourceStatus(store: Store, name: string): SourceStatusModel {
  const status = store.status(name);
  const out: SourceStatusModel = { notes: status.notes, skippedLines: status.skippedLines };
  if (status.problem) out.problem = status.problem;
  const sample = store.sample(name);
  if (sample) out.sampleAtMs = sample.atMs;
  return out;
}

/** 'bad' at or above `bad`, 'watch' at or above `watch`. */
export function concernAt(value: number | undefined, watch: number, bad: number): Concern {
  if (value === undefined) return 'none';
  return value >= bad ? 'bad' : value >= watch ? 'watch' : 'none';
}

export function worst(...concerns: Concern[]): Concern {
  if (concerns.includes('bad')) return 'bad';
  if (concerns.includes('watch')) return 'watch';
  return 'none';
}
