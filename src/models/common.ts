import type { CollectorStatus, Store } from '../store.js';

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

export function sourceStatus(store: Store, name: string): SourceStatusModel {
  const status = store.status(name);
  const out: SourceStatusModel = { notes: status.notes, skippedLines: status.skippedLines };
  if (status.problem) out.problem = status.problem;
  const sample = store.sample(name);
  if (sample) out.sampleAtMs = sample.atMs;
  return out;
}

export function worst(...concerns: Concern[]): Concern {
  if (concerns.includes('bad')) return 'bad';
  if (concerns.includes('watch')) return 'watch';
  return 'none';
}
