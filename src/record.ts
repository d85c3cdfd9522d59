import type { SocketStateSample } from '../collectors/socketStates.js';
import type { CollectorStatus, Store } from './store.js';
import { type Target, targetLabel } from './target.js';

/** Bumped when a path that scripts read changes meaning or disappears. */
export const RECORD_VERSION = 1;

export interface SourceError {
  error: string;
  hint?: string;
}

/** Freshness and parse accounting that every data section carries. */
export interface SectionMeta {
  /** Age of this data when the record was written; > interval means it is stale. */
  ageMs: number;
  /** The latest attempt failed; the data is from an earlier one. */
  problem?: SourceError;
  notes?: string[];
  skippedLines?: number;
}

export type TcpRecord = SocketStateSample & SectionMeta;

/** One line of `--json` output: the state of everything at one tick. */
export interface SampleRecord {
  v: typeof RECORD_VERSION;
  time: string;
  target: string;
  intervalMs: number;
  tcp: TcpRecord | SourceError;
}

function problemOf(status: CollectorStatus): SourceError | undefined {
  if (!status.problem) return undefined;
  const out: SourceError = { error: status.problem.message };
  if (status.problem.hint) out.hint = status.problem.hint;
  return out;
}

/**
 * A section is its data (with `problem` beside it when the latest attempt
 * failed but earlier data exists), or `{error, hint}` when there is no data.
 */
function section<T extends object>(store: Store, name: string, nowMs: number): (T & SectionMeta) | SourceError {
  const sample = store.sample<T>(name);
  const status = store.status(name);
  const problem = problemOf(status);
  if (!sample) return problem ?? { error: 'no sample yet' };
  const out: T & SectionMeta = { ...sample.value, ageMs: Math.max(0, nowMs - sample.atMs) };
  if (problem) out.problem = problem;
  if (status.notes.length > 0) out.notes = status.notes;
  if (status.skippedLines > 0) out.skippedLines = status.skippedLines;
  return out;
}

export function buildRecord(store: Store, target: Target, intervalMs: number, nowMs = Date.now()): SampleRecord {
  return {
    v: RECORD_VERSION,
    time: new Date(nowMs).toISOString(),
    target: targetLabel(target),
    intervalMs,
    tcp: section<SocketStateSample>(store, 'sockets', nowMs),
  };
}
