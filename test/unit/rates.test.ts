import { sampleKey } from '../../collectors/types.js';
import { describe, expect, it } from 'vitest';
import { counterRate, jsonInteger } from '../../src/rates.js';
import { CollectorProblem } from '../../src/problems.js';
import { Store, rateSeriesKey } from '../../src/store.js';

const cKey = sampleKey<unknown>('c');

describe('counter rates', () => {
  it('is the per-second delta', () => {
    expect(counterRate({ value: 100n, atMs: 0 }, { value: 350n, atMs: 2500 })).toEqual({ kind: 'rate', perSec: 100, delta: 250n });
  });

  it('gives no rate for a first reading', () => {
    expect(counterRate(undefined, { value: 5n, atMs: 0 })).toEqual({ kind: 'first' });
  });

  it('treats a counter that goes down as a reset, never a negative rate', () => {
    expect(counterRate({ value: 1_000_000n, atMs: 0 }, { value: 12n, atMs: 1000 })).toEqual({ kind: 'reset' });
  });

  it('recognises a 32-bit wrap', () => {
    const r = counterRate({ value: 4_294_967_000n, atMs: 0 }, { value: 200n, atMs: 1000 });
    expect(r).toEqual({ kind: 'wrapped', perSec: 496, delta: 496n });
  });

  it('recognises a 64-bit wrap and stays exact above 2^53', () => {
    const max = (1n << 64n) - 1n;
    expect(counterRate({ value: max - 9n, atMs: 0 }, { value: 10n, atMs: 1000 })).toMatchObject({ kind: 'wrapped', delta: 20n });
    const big = 2n ** 60n;
    expect(counterRate({ value: big, atMs: 0 }, { value: big + 3n, atMs: 1000 })).toMatchObject({ kind: 'rate', perSec: 3 });
    expect(jsonInteger(big)).toBe('1152921504606846976');
    expect(jsonInteger(42n)).toBe(42);
  });
});

describe('counter rates in the store', () => {
  const tick = (store: Store, atMs: number, values: Record<string, bigint> | 'fail') => {
    if (values === 'fail') store.recordProblem(cKey, new CollectorProblem('timeout', 'slow'), atMs);
    else {
      store.recordSample(cKey, { value: {}, atMs, skippedLines: 0, notes: [] }, {});
      store.recordCounters(cKey, atMs, new Map(Object.entries(values)));
    }
    store.commitTick(atMs);
  };

  it('bridges a missing sample: a gap on screen, then the rate over the longer interval', () => {
    const store = new Store();
    tick(store, 0, { x: 0n });
    tick(store, 1000, { x: 10n });
    tick(store, 2000, 'fail');
    tick(store, 3000, { x: 50n });
    expect(store.history(rateSeriesKey(cKey, 'x'), 3)).toEqual([10, Number.NaN, 20]);
    expect(store.counters(cKey).get('x')?.perSec).toBe(20);
  });

  it('starts a counter that appears later without a rate, then rates it', () => {
    const store = new Store();
    tick(store, 0, { a: 1n });
    tick(store, 1000, { a: 1n, late: 100n });
    expect(store.counters(cKey).get('late')?.perSec).toBeUndefined();
    tick(store, 2000, { a: 1n, late: 104n });
    expect(store.counters(cKey).get('late')?.perSec).toBe(4);
    // a counter that never moved keeps no history ring
    expect(store.seriesKeys()).not.toContain(rateSeriesKey(cKey, 'a'));
  });

  it('marks a reset as movement without a rate, and forgets counters that vanish', () => {
    const store = new Store();
    tick(store, 0, { x: 500n, gone: 1n });
    tick(store, 1000, { x: 3n });
    const x = store.counters(cKey).get('x');
    expect(x?.reset).toBe(true);
    expect(x?.perSec).toBeUndefined();
    expect(x?.lastMovedMs).toBe(1000);
    expect(store.counters(cKey).has('gone')).toBe(false);
  });

  it('averages the rate over the last minute', () => {
    const store = new Store();
    for (let i = 0; i <= 120; i++) tick(store, i * 1000, { x: BigInt(i < 60 ? i * 100 : 6000 + (i - 60) * 10) });
    expect(store.windowMean(rateSeriesKey(cKey, 'x'))).toBeCloseTo(10, 5);
  });
});
