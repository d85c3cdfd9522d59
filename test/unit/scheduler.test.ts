import { sampleKey } from '../../collectors/types.js';
import { describe, expect, it } from 'vitest';
import type { Collector } from '../../collectors/types.js';
import { CollectorProblem } from '../../src/problems.js';
import { Scheduler, isDue } from '../../src/scheduler.js';
import { Store } from '../../src/store.js';
import { defaultRoots } from '../../src/target.js';
import { createTargetIO } from '../../src/targetIO.js';

const io = createTargetIO({ kind: 'host' }, defaultRoots);

function counting(name: string, everyTicks = 1): Collector<number> & { runs: number; concurrent: number; maxConcurrent: number } {
  const c = {
    key: sampleKey<number>(name),
    everyTicks,
    runs: 0,
    concurrent: 0,
    maxConcurrent: 0,
    async sample() {
      c.runs++;
      c.concurrent++;
      c.maxConcurrent = Math.max(c.maxConcurrent, c.concurrent);
      await new Promise((r) => setTimeout(r, 5));
      c.concurrent--;
      return { value: c.runs, atMs: Date.now(), skippedLines: 0, notes: [] };
    },
    series: (v: number) => ({ [`${name}.runs`]: v }),
  };
  return c;
}

describe('Scheduler', () => {
  it('keeps ticking while one collector hangs, reports the hang, and never starts it twice', async () => {
    let hungStarts = 0;
    const hung: Collector<number> = {
      key: sampleKey('hung'),
      everyTicks: 1,
      sample: () => {
        hungStarts++;
        return new Promise(() => {});
      },
    };
    const healthy = counting('healthy');
    const store = new Store();
    const scheduler = new Scheduler([hung, healthy] as Collector<unknown>[], io, store, { intervalMs: 200, timeoutMs: 100 });
    for (let i = 0; i < 5; i++) await scheduler.runTick();
    expect(store.ticks).toBe(5);
    expect(healthy.runs).toBe(5);
    expect(store.latestValue('healthy.runs')).toBe(5);
    expect(hungStarts).toBe(1);
    await new Promise((r) => setTimeout(r, 700));
    expect(store.status(sampleKey('hung')).problem).toMatchObject({ kind: 'timeout' });
    expect(store.status(sampleKey('healthy')).problem).toBeUndefined();
  });

  it('offsets a slow collector by its phase after the first run', () => {
    const ticks = (c: { everyTicks: number; phaseTicks?: number }) => Array.from({ length: 26 }, (_, t) => t).filter((t) => isDue(c, t));
    expect(ticks({ everyTicks: 10 })).toEqual([0, 10, 20]);
    expect(ticks({ everyTicks: 10, phaseTicks: 5 })).toEqual([0, 5, 15, 25]);
  });

  it('runs slower collectors on their own cadence', async () => {
    const every = counting('every');
    const third = counting('third', 3);
    const scheduler = new Scheduler([every, third] as Collector<unknown>[], io, new Store(), { intervalMs: 200 });
    for (let i = 0; i < 9; i++) await scheduler.runTick();
    expect(every.runs).toBe(9);
    expect(third.runs).toBe(3);
    expect(every.maxConcurrent).toBe(1);
  });

  it('records a failing collector as a problem with its hint, and the next good sample clears it', async () => {
    let fail = true;
    const flaky: Collector<number> = {
      key: sampleKey('flaky'),
      everyTicks: 1,
      async sample() {
        if (fail) throw new CollectorProblem('missing-tool', 'ss not found', 'install the iproute2 package');
        return { value: 1, atMs: Date.now(), skippedLines: 0, notes: [] };
      },
    };
    const store = new Store();
    const scheduler = new Scheduler([flaky as Collector<unknown>], io, store, { intervalMs: 200 });
    await scheduler.runTick();
    expect(store.status(sampleKey('flaky')).problem).toMatchObject({ message: 'ss not found', hint: 'install the iproute2 package' });
    fail = false;
    await scheduler.runTick();
    expect(store.status(sampleKey('flaky')).problem).toBeUndefined();
  });

  it('turns an unexpected exception into a problem, not a crash', async () => {
    const broken: Collector<number> = {
      key: sampleKey('broken'),
      everyTicks: 1,
      async sample() {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    };
    const store = new Store();
    await new Scheduler([broken as Collector<unknown>], io, store, { intervalMs: 200 }).runTick();
    expect(store.status(sampleKey('broken')).problem?.kind).toBe('failed');
  });
});
