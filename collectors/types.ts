import type { TargetIO } from '../src/targetIO.js';
import type { SampleKey, Sampled } from './sample.js';

export { type Parsed, type SampleKey, type Sampled, parsed, sampleKey } from './sample.js';

export interface SampleContext {
  io: TargetIO;
  timeoutMs: number;
  /** Monotonic tick number; collectors that do expensive work every N ticks use it. */
  tick: number;
}

/**
 * A collector knows one source. `sample` fetches and parses; it throws a
 * CollectorProblem when the source is unusable. Parsers live beside it as
 * pure functions so that fixtures test them. What decides whether an
 * expensive source is worth running comes in as a plain function (see
 * `src/queryGates.ts`): a collector knows nothing of the store or the rules.
 */
export interface Collector<T> {
  readonly key: SampleKey<T>;
  /** Run every N scheduler ticks (1 = every tick). */
  readonly everyTicks: number;
  /**
   * Offset of the slow runs after the first (which is at tick 0): two
   * collectors of the same cadence with different phases never start their
   * processes in the same tick.
   */
  readonly phaseTicks?: number;
  sample(ctx: SampleContext): Promise<Sampled<T>>;
  /** The numbers of a sample that the store keeps history of, by series key. */
  series?(value: T): Record<string, number>;
  /** Monotonic counters of a sample, by name; the store turns them into rates. */
  counters?(value: T): Map<string, bigint>;
}
