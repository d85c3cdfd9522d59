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
  /** A store fed one value per second. */
  function fed(values: number[]): Store {
    const store = new Store(900);
    values.forEach((v, i) => {
      store.recordSample(SOCKETS, sample(i * 1000), { cw: v });
      store.commitTick(i * 1000);
    });
    return store;
  }

  it('gives the speed of a steady climb per minute', () => {
    expect(fed(Array.from({ length: 61 }, (_, i) => 100 + i * 2)).trendPerMinute('cw')).toBeCloseTo(120, 5);
  });

  it('shows no trend before 5 s of history', () => {
    expect(fed([0, 10, 20, 30]).trendPerMinute('cw')).toBeUndefined();
  });

  it('gives a leak its full speed from the moment it starts, not diluted by the flat minutes before', () => {
    // Flat at 0 for 50 s, then 20 per second (1,200/min) for 6 s.
    const values = [...Array(50).fill(0), ...Array.from({ length: 6 }, (_, i) => (i + 1) * 20)];
    expect(fed(values).trendPerMinute('cw')).toBeCloseTo(1200, 5);
  });

  it('measures a leak that restarts after a drop from its recent low', () => {
    // 500 held, dropped to 0 (a restart), then 20 per second again for 10 s.
    const values = [...Array(40).fill(500), 0, ...Array.from({ length: 10 }, (_, i) => (i + 1) * 20)];
    expect(fed(values).trendPerMinute('cw')).toBeCloseTo(1200, 5);
  });

  it('shows a fall as negative, and a climb that stopped a minute ago as zero', () => {
    expect(fed(Array.from({ length: 30 }, (_, i) => 600 - i * 10)).trendPerMinute('cw')).toBeCloseTo(-600, 5);
    const stopped = [...Array.from({ length: 20 }, (_, i) => i * 10), ...Array(70).fill(200)];
    expect(fed(stopped).trendPerMinute('cw')).toBe(0);
  });

  it('never reads one noisy sample as more than its size over 5 s', () => {
    const values = [...Array(30).fill(100), 103];
    expect(fed(values).trendPerMinute('cw')).toBeCloseTo(36, 5);
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
