/*
 * The words the store and the collectors share: a parse's account, a
 * source's typed key, a sample with its time. This file imports nothing,
 * so the store (downstream) and the collectors (upstream) both use it
 * without the store's types reaching back into the collectors.
 */

/** What a pure parser returns: the data it read and an account of what it could not. */
export interface Parsed<T> {
  value: T;
  /** Lines that did not match the expected format and were left out. */
  skippedLines: number;
  /** Human-readable remarks (an unknown header, a format that changed). */
  notes: string[];
}

export function parsed<T>(value: T, skippedLines = 0, notes: string[] = []): Parsed<T> {
  return { value, skippedLines, notes };
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

export interface Sampled<T> extends Parsed<T> {
  /** Wall-clock time the sample describes (ms since the epoch). */
  atMs: number;
}
