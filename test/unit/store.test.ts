import { sampleKey } from '../../collectors/types.js';
import { describe, expect, it } from 'vitest';
import { CollectorProblem } from '../../src/problems.js';
import { Ring } from '../../src/ring.js';
import { Store } from '../../src/store.js';
import { NICS } from '../../collectors/nics.js';
import { SOCKETS } from '../../collectors/sockets.js';

const cKey = sampleKey<unknown>('c');
const aKey = sampleKey<unknown>('a');
const bKey = sampleKey<unknown>('b');

const sample = (atMs: number) => ({ value: {}, atMs, skippedLines: 0, notes: [] });

describe('Ring', () => {
  it('keeps the newest values and forgets the oldest', () => {
    const ring = new Ring(3);
    for (const v of [1, 2, 3, 4, 5]) ring.push(v);
    expect(ring.length).toBe(3);
    expect(ring.tail(10)).toEqual([3, 4, 5]);
    expect(ring.at(0)).toBe(3);
    expect(ring.last()).toBe(5);
    expect(ring.at(3)).toBeNaN();
  });
});

describe('Store', () => {
  it('computes change per minute from the last minute of ticks', () => {
    const store = new Store(900);
    for (let i = 0; i <= 60; i++) {
      store.recordSample(SOCKETS, sample(i * 1000), { cw: 100 + i * 2 });
      store.commitTick(i * 1000);
    }
    expect(store.changePerMinute('cw')).toBeCloseTo(120, 5);
  });

  it('shows no trend before 5 s of history', () => {
    const store = new Store();
    for (let i = 0; i < 4; i++) {
      store.recordSample(SOCKETS, sample(i * 1000), { cw: i * 10 });
      store.commitTick(i * 1000);
    }
    expect(store.changePerMinute('cw')).toBeUndefined();
  });

  it('carries a value forward across ticks its collector skipped, and leaves a gap when it failed', () => {
    const store = new Store();
    store.recordSample(NICS, sample(0), { drops: 5 });
    store.commitTick(0);
    store.commitTick(1000);
    store.recordProblem(NICS, new CollectorProblem('timeout', 'slow'), 2000);
    store.commitTick(2000);
    expect(store.history('drops', 3)).toEqual([5, 5, Number.NaN]);
    expect(store.status(NICS).problem?.message).toBe('slow');
    store.recordSample(NICS, sample(3000), { drops: 6 });
    store.commitTick(3000);
    expect(store.status(NICS).problem).toBeUndefined();
    expect(store.latestValue('drops')).toBe(6);
  });

  it('aligns a series that appears later with the tick clock', () => {
    const store = new Store();
    store.commitTick(0);
    store.commitTick(1000);
    store.recordSample(cKey, sample(2000), { late: 7 });
    store.commitTick(2000);
    expect(store.history('late', 3)).toEqual([Number.NaN, Number.NaN, 7]);
  });

  it('keeps memory flat: history is capped and vanished series are dropped', () => {
    const store = new Store(50);
    for (let i = 0; i < 500; i++) {
      // a new interface name every tick, as on a busy Kubernetes node
      store.recordSample(cKey, sample(i), { steady: i, [`veth${i}`]: 1 });
      store.commitTick(i);
    }
    expect(store.history('steady', 1000)).toHaveLength(50);
    expect(store.seriesKeys().length).toBeLessThanOrEqual(53);
  });

  it('notifies listeners once per tick', () => {
    const store = new Store();
    let calls = 0;
    const off = store.subscribe(() => calls++);
    store.recordSample(aKey, sample(0), { x: 1 });
    store.recordSample(bKey, sample(0), { y: 1 });
    store.commitTick(0);
    off();
    store.commitTick(1);
    expect(calls).toBe(1);
  });
});
