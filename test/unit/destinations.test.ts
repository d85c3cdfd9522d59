import { describe, expect, it } from 'vitest';
import { groupByDestination, groupDestinationLines } from '../../collectors/destinations.js';
import { parseSsSockets } from '../../collectors/parse/ssSockets.js';
import { CostCadence } from '../../src/costCadence.js';
import { itOnRealWorld, readCaptured, readRealWorld, realWorldFiles } from '../helpers/realWorld.js';

const range = { low: 32768, high: 60999, reserved: 0, usable: 28232 };

describe('per-destination counts straight from ss lines', () => {
  const same = (text: string, r?: typeof range) => {
    const fast = groupDestinationLines(text, r).value.top;
    expect(fast).toEqual(groupByDestination(parseSsSockets(text).value, r));
    return fast;
  };

  it('match the groups built from parsed sockets, for this machine’s dumps', () => {
    for (const file of ['ss-tano-all-netns-v4v6.txt', 'ss-tanp-all-netns-v4v6.txt', 'ss-tano-unusual-netns-v4v6.txt']) {
      expect(same(readCaptured(file)).length).toBeGreaterThan(0);
      same(readCaptured(file), range);
    }
  });

  itOnRealWorld('match them for every real-world TCP dump', () => {
    for (const file of realWorldFiles('ss-sockets')) same(readRealWorld(file));
  });

  it('count a client toward one destination across IPv4, bracketed IPv6 and mapped addresses', () => {
    const lines = [
      'ESTAB 0 0 10.0.0.5:40001 10.0.0.9:5432',
      'TIME-WAIT 0 0 10.0.0.5:40002 10.0.0.9:5432',
      'ESTAB 0 0 [::ffff:10.0.0.5]:40003 [::ffff:10.0.0.9]:5432',
      'ESTAB 0 0 [fe80::1]%eth0:40004 [fe80::2]:443',
      'ESTAB 0 0 10.0.0.5:5432 10.0.0.77:51000',
      'garbage line here and more',
    ].join('\n');
    const { value, skippedLines } = groupDestinationLines(lines, range);
    expect(skippedLines).toBe(1);
    expect(value.scanned).toBe(5);
    expect(value.top).toEqual([
      { localAddress: '10.0.0.5', peer: '10.0.0.9:5432', count: 2, byState: { ESTAB: 1, 'TIME-WAIT': 1 } },
      { localAddress: '::ffff:10.0.0.5', peer: '[::ffff:10.0.0.9]:5432', count: 1, byState: { ESTAB: 1 } },
      { localAddress: 'fe80::1', peer: '[fe80::2]:443', count: 1, byState: { ESTAB: 1 } },
    ]);
  });
});

describe('the pace of an expensive query', () => {
  it('waits as long as its cost requires, within bounds, and sooner when asked', () => {
    const cadence = new CostCadence({ minMs: 5_000, maxMs: 60_000, share: 0.02 });
    expect(cadence.due(0)).toBe(true);
    cadence.ran(0, 300); // 300 ms at 2% of a core: 15 s
    expect(cadence.due(14_999)).toBe(false);
    expect(cadence.due(15_000)).toBe(true);
    expect(cadence.due(5_000, true)).toBe(true);
    expect(cadence.due(4_999, true)).toBe(false);
    cadence.ran(0, 10); // cheap: the floor
    expect(cadence.currentWaitMs).toBe(5_000);
    cadence.ran(0, 5_000); // very expensive: the ceiling
    expect(cadence.currentWaitMs).toBe(60_000);
  });
});
