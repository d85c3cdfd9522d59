import { CollectorProblem } from '../src/problems.js';
import { type Collector, sampleKey } from './types.js';

/** The namespace being watched, while the target still leads to it. */
export interface TargetSample {
  /** `net:[4026532412]`, or undefined for the host. */
  namespace?: string;
}

export const TARGET = sampleKey<TargetSample>('target');

/**
 * Checks, every tick, that the target's PID or name still leads to the
 * namespace pinned at start (a stat, no process). When it does not, the
 * problem says so; everything else goes on reading the pinned namespace, so
 * the history never mixes two namespaces.
 */
export function createTargetCollector(): Collector<TargetSample> {
  return {
    key: TARGET,
    everyTicks: 1,
    async sample({ io }) {
      const drift = io.drift();
      if (drift) throw new CollectorProblem('absent', drift, 'the target is gone: still showing the namespace it had; restart nettriage with the new target');
      return { value: io.namespace === undefined ? {} : { namespace: io.namespace }, skippedLines: 0, notes: [], atMs: Date.now() };
    },
  };
}
