import { describe, expect, it } from 'vitest';
import { CONNTRACK } from '../../collectors/conntrack.js';
import { DROP_REASONS, createDropReasonsCollector } from '../../collectors/dropReasons.js';
import { COUNTERS } from '../../collectors/counters.js';
import { NICS } from '../../collectors/nics.js';
import { QDISCS, createQdiscsCollector } from '../../collectors/qdiscs.js';
import { SOFTNET, createSoftnetCollector } from '../../collectors/softnet.js';
import type { SampleKey } from '../../collectors/types.js';
import { DROP_LAYERS, dropPath, worstLayer } from '../../src/dropPath.js';
import { CollectorProblem } from '../../src/problems.js';
import { Store } from '../../src/store.js';

/** A store fed for `seconds` with counters that grow at the given rates per second. */
function storeWith(rates: { udp?: number; softnet?: number; nicMissed?: number; childQdisc?: number; reasons?: Record<string, number> }, seconds = 10): Store {
  const store = new Store();
  for (let t = 0; t <= seconds; t++) {
    const atMs = 1_000_000 + t * 1000;
    const feed = <T>(key: SampleKey<T>, value: T, counters: Map<string, bigint>) => {
      store.recordSample(key, { value, atMs, skippedLines: 0, notes: [] }, {});
      store.recordCounters(key, atMs, counters);
    };
    const kernel = new Map([['UdpRcvbufErrors', BigInt(t * (rates.udp ?? 0))], ['UdpInErrors', BigInt(t * (rates.udp ?? 0))], ['IpInDiscards', 0n], ['TcpExtListenDrops', 0n]]);
    feed(COUNTERS, { total: kernel.size, values: kernel }, kernel);
    const softnet = { cpus: [{ cpu: 0, processed: t * 1000, dropped: t * (rates.softnet ?? 0), timeSqueeze: 0 }] };
    feed(SOFTNET, softnet, createSoftnetCollector().counters?.(softnet) ?? new Map());
    const nic = { name: 'eth0', operstate: 'UP', physical: true, stats: new Map([['rx_missed_errors', BigInt(t * (rates.nicMissed ?? 0))], ['rx_dropped', 0n], ['tx_dropped', 0n]]) };
    feed(NICS, { interfaces: [nic], source: 'ip' as const }, new Map([...nic.stats].map(([k, v]) => [`eth0/${k}`, v])));
    const drops = t * (rates.childQdisc ?? 0);
    const qdiscs = {
      qdiscs: [
        { dev: 'eth0', kind: 'htb', handle: '1:', parent: 'root', bytes: 0, packets: 0, drops, overlimits: 0, requeues: 0, backlogBytes: 0, backlogPackets: 0 },
        { dev: 'eth0', kind: 'pfifo', handle: '10:', parent: '1:10', bytes: 0, packets: 0, drops, overlimits: 0, requeues: 0, backlogBytes: 0, backlogPackets: 0 },
      ],
    };
    feed(QDISCS, qdiscs, createQdiscsCollector().counters?.(qdiscs) ?? new Map());
    if (rates.reasons) {
      const reasons = { mode: 'hist' as const, totals: Object.fromEntries(Object.entries(rates.reasons).map(([r, n]) => [r, t * n])) };
      feed(DROP_REASONS, reasons, createDropReasonsCollector({ sample: false }).counters?.(reasons) ?? new Map());
    }
    store.commitTick(atMs);
  }
  return store;
}

describe('the drop path', () => {
  it('goes layer by layer in the order a received packet meets them, then the transmit side', () => {
    expect(dropPath(new Store()).map((l) => l.layer)).toEqual([...DROP_LAYERS]);
    expect(DROP_LAYERS).toEqual(['nic', 'softnet', 'conntrack', 'ip', 'tcp', 'udp', 'qdisc', 'tx']);
  });

  it('adds up each layer and names the counter that moves most; the worst layer is the one losing most', () => {
    const path = dropPath(storeWith({ udp: 30, softnet: 5, nicMissed: 2 }));
    const by = Object.fromEntries(path.map((l) => [l.layer, l]));
    expect(by.udp).toMatchObject({ dropsPerSec: 60, top: { counter: 'UdpRcvbufErrors', rate: expect.any(Number) } });
    expect(by.softnet?.dropsPerSec).toBe(5);
    expect(by.nic).toMatchObject({ dropsPerSec: 2, top: { counter: 'eth0 rx_missed_errors' } });
    expect(by.ip?.dropsPerSec).toBe(0);
    expect(by.qdisc?.dropsPerSec).toBe(0);
    expect(worstLayer(path)?.layer).toBe('udp');
    // What Prometheus takes the rate of: each layer's counters added up, after 10 s.
    expect(by.udp?.packets).toBe(600);
    expect(by.nic?.packets).toBe(20);
    expect(by.conntrack?.packets).toBeNull();
  });

  it('counts a root qdisc once, not its child again', () => {
    const by = Object.fromEntries(dropPath(storeWith({ childQdisc: 40 })).map((l) => [l.layer, l]));
    expect(by.qdisc).toMatchObject({ dropsPerSec: 40, top: { counter: 'eth0 htb' } });
  });

  it('takes the larger of a layer’s counters and its drop reasons, never their sum; a reason of no layer counts nowhere', () => {
    // UDP: the counters say 30/s (two of them, 60), the reasons 45/s: the counters' 60, not 105.
    const by = Object.fromEntries(dropPath(storeWith({ udp: 30, reasons: { SOCKET_RCVBUFF: 45, NETFILTER_DROP: 80, NO_SOCKET: 500 } })).map((l) => [l.layer, l]));
    expect(by.udp?.dropsPerSecMinute).toBeCloseTo(60);
    expect(by.udp?.top?.counter).toMatch(/^Udp/);
    // An iptables DROP: no counter, the reason alone, with the command that finds the rule.
    expect(by.conntrack?.dropsPerSecMinute).toBeCloseTo(80);
    expect(by.conntrack?.top).toEqual({ counter: 'NETFILTER_DROP (drop reason)', rate: expect.closeTo(80) });
    expect(by.conntrack?.next).toMatch(/^iptables-save -c/);
    // 500/s of NO_SOCKET (packets to closed ports) are in no layer.
    expect(worstLayer(Object.values(by))?.layer).toBe('conntrack');
  });

  it('says why a layer has no figure instead of showing it as calm', () => {
    const store = new Store();
    store.recordProblem(CONNTRACK, new CollectorProblem('inactive', 'nf_conntrack is not loaded'), 1_000_000);
    store.commitTick(1_000_000);
    const conntrack = dropPath(store).find((l) => l.layer === 'conntrack');
    expect(conntrack).toMatchObject({ dropsPerSec: null, dropsPerSecMinute: null, unknown: 'nf_conntrack is not loaded' });
    expect(worstLayer(dropPath(store))).toBeUndefined();
  });
});
