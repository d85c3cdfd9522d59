import type { AlertsState } from '../src/alerts/engine.js';
import type { AlertConfig } from '../src/alerts/types.js';
import type { OwnersService } from '../src/owners.js';
import type { Store } from '../src/store.js';
import type { TargetIO } from '../src/targetIO.js';
import type { DropReasonsWish } from './dropReasons.js';

/** What a pure parser returns: the data it read and an account of what it could not. */
export interface Parsed<T> {
  value: T;
  /** Lines that did not match the expected format and were left out. */
  skippedLines: number;
  /** Human-readable remarks (an unknown header, a format that changed). */
  notes: string[];
}

/**
 * A source's name in the store, typed by its samples: `store.sample(SOCKETS)`
 * is a `Sampled<SocketsSample>`. Each collector exports its key; nothing else
 * spells the name.
 */
export interface SampleKey<T> {
  readonly name: string;
  /** Never set: carries T. */
  readonly sample?: T;
}

export function sampleKey<T>(name: string): SampleKey<T> {
  return { name };
}

export interface SampleContext {
  io: TargetIO;
  timeoutMs: number;
  /** Monotonic tick number; collectors that do expensive work every N ticks use it. */
  tick: number;
}

export interface Sampled<T> extends Parsed<T> {
  /** Wall-clock time the sample describes (ms since the epoch). */
  atMs: number;
}

/**
 * A collector knows one source. `sample` fetches and parses; it throws a
 * CollectorProblem when the source is unusable. Parsers live beside it as
 * pure functions so that fixtures test them.
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

export function parsed<T>(value: T, skippedLines = 0, notes: string[] = []): Parsed<T> {
  return { value, skippedLines, notes };
}

/** What a collector may consult to decide whether its (expensive) query is worth running now. */
export interface CollectorContext {
  store: Store;
  io: TargetIO;
  config: AlertConfig;
  /** The latest alert evaluation. */
  alerts(): AlertsState;
  /** Socket owners, shared with the drill-down. */
  owners: OwnersService;
  /** Interfaces named with --ethtool, beside the physical ones. */
  ethtoolInterfaces: string[];
  /** How the kernel's drop reasons are to be read (`--drop-reasons`), or why not. */
  dropReasons: DropReasonsWish;
  /** The destinations an open drill-down shows (who connects there is traced too). */
  drilledPeers(): string[];
}

/** How the registry makes a collector. */
export type CollectorFactory = (ctx: CollectorContext) => Collector<unknown>;
