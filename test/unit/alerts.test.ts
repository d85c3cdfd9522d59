import { RULES } from '../../src/registry.js';
import { describe, expect, it } from 'vitest';
import { type ConntrackSample, CONNTRACK } from '../../collectors/conntrack.js';
import { DESTINATIONS, type DestinationsSample, destinationKey, destinationSeriesKey } from '../../collectors/destinations.js';
import { type NicsSample, NICS } from '../../collectors/nics.js';
import { type OwnersSample, OWNERS } from '../../collectors/owners.js';
import { PROCESS_VITALS } from '../../collectors/processVitals.js';
import { type SocketsSample, socketSeries, SOCKETS } from '../../collectors/sockets.js';
import { ConfigError, defaultAlertConfig, validateAlertConfig } from '../../src/alerts/config.js';
import { AlertEngine } from '../../src/alerts/engine.js';
import { hysteresis } from '../../src/alerts/hysteresis.js';
import { type Alert, type Explanation, causes, defineRule } from '../../src/alerts/types.js';
import { COUNTERS } from '../../collectors/counters.js';
import { SOFTNET, createSoftnetCollector } from '../../collectors/softnet.js';
import type { SampleKey } from '../../collectors/types.js';
import { Store } from '../../src/store.js';
import { socketStateSample } from '../helpers/samples.js';

/** A store and an engine driven one synthetic second at a time. */
function harness(config = defaultAlertConfig()) {
  const store = new Store();
  const engine = new AlertEngine(config, { kind: 'host' }, RULES);
  let t = 1_000_000;
  const feed = <T>(name: SampleKey<T>, value: T, series: Record<string, number> = {}, counters?: Record<string, bigint>) => {
    store.recordSample(name, { value, atMs: t, skippedLines: 0, notes: [] }, series);
    if (counters) store.recordCounters(name, t, new Map(Object.entries(counters)));
  };
  return {
    store,
    sockets(states: Partial<Record<string, number>>, extra: Partial<SocketsSample> = {}) {
      const value = socketStateSample(states, {
        portRange: { low: 40000, high: 40999, reserved: 0, usable: 1000 },
        limits: { maxOrphans: 1000, twReuse: 2, maxTwBuckets: 5000 },
        ...extra,
      });
      feed(SOCKETS, value, socketSeries(value));
    },
    counters(values: Record<string, number>) {
      const counters = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, BigInt(v)]));
      feed(COUNTERS, { total: Object.keys(counters).length, values: new Map(Object.entries(counters)) }, {}, counters);
    },
    feed,
    /** Closes the tick, evaluates, and moves the clock one second on. */
    tick() {
      store.commitTick(t);
      const state = engine.evaluate(store, t);
      t += 1000;
      return state.alerts;
    },
    get now() {
      return t;
    },
  };
}

const ids = (alerts: { id: string; severity: string }[]) => alerts.map((a) => `${a.id}:${a.severity}`);

describe('hysteresis', () => {
  const t = { warn: 10, crit: 20, warnClear: 5, critClear: 15 };
  it('raises at the threshold, clears only below the lower one', () => {
    expect(hysteresis(9, undefined, t)).toBeUndefined();
    expect(hysteresis(10, undefined, t)).toBe('warning');
    expect(hysteresis(6, 'warning', t)).toBe('warning');
    expect(hysteresis(4, 'warning', t)).toBeUndefined();
    expect(hysteresis(20, 'warning', t)).toBe('critical');
    expect(hysteresis(16, 'critical', t)).toBe('critical');
    expect(hysteresis(14, 'critical', t)).toBe('warning');
  });
});

describe('close-wait-climbing', () => {
  it('fires on steady growth, names the owner, and clears when the leak stops', () => {
    const h = harness();
    const owners: OwnersSample = {
      byState: { 'CLOSE-WAIT': { atMs: h.now, total: 40, unowned: 0, owners: [{ pid: 4213, name: 'python3', count: 40, peers: [], locals: [] }] } },
      clientsOf: {},
    };
    let alerts: Alert[] = [];
    for (let i = 0; i < 12; i++) {
      h.sockets({ 'CLOSE-WAIT': 10 + i * 2 });
      h.feed(OWNERS, owners);
      alerts = h.tick();
    }
    const a = alerts.find((x) => x.id === 'close-wait-climbing');
    expect(a).toMatchObject({ severity: 'critical', subject: 'python3 (pid 4213)' });
    expect(a?.summary).toMatch(/CLOSE-WAIT 32 and climbing \+120\/min: python3 \(pid 4213\) holds 40/);
    expect(a?.next.join(' ')).toContain('ss -tanp state close-wait');
    // the leak is fixed: the count falls back under the floor
    for (let i = 0; i < 3; i++) {
      h.sockets({ 'CLOSE-WAIT': 2 });
      h.feed(OWNERS, owners);
      alerts = h.tick();
    }
    expect(alerts.find((x) => x.id === 'close-wait-climbing')).toBeUndefined();
  });

  it('is critical while a slow leak will still take the holder to its fd limit within the forecast window, and says when', () => {
    const run = (fdLimit: number) => {
      const t = harness();
      const owners: OwnersSample = {
        byState: { 'CLOSE-WAIT': { atMs: t.now, total: 40, unowned: 0, owners: [{ pid: 4213, name: 'python3', count: 40, peers: [], locals: [] }] } },
        clientsOf: {},
      };
      let alerts: Alert[] = [];
      // 10 CLOSE-WAIT (and fds) a minute: a warning by its growth alone.
      for (let i = 0; i < 40; i++) {
        t.sockets({ 'CLOSE-WAIT': 20 + Math.floor(i / 6) });
        t.feed(OWNERS, owners);
        const vitals = { processes: [{ pid: 4213, startTicks: 77, fds: 900 + Math.floor(i / 6), fdLimit, rssBytes: 300 * 2 ** 20 + i * 2 ** 20 }] };
        t.feed(PROCESS_VITALS, vitals, { 'proc.fds:4213@77': vitals.processes[0]!.fds, 'proc.rss:4213@77': vitals.processes[0]!.rssBytes });
        alerts = t.tick();
      }
      return alerts.find((a) => a.id === 'close-wait-climbing');
    };
    const near = run(1024);
    expect(near?.severity).toBe('critical');
    expect(near?.summary).toMatch(/; pid 4213 holds 906 of 1,024 fds — full in ~1[0-9] min at \+1[01]\/min, then accept\(\) fails with EMFILE; RSS 339 MiB, \+60(\.0)? MiB\/min$/);
    expect(near?.holder).toMatchObject({ pid: 4213, fds: 906, fdLimit: 1024 });
    const far = run(65_536);
    expect(far?.severity).toBe('warning');
    expect(far?.summary).toMatch(/holds 906 of 65,536 fds — full in ~\d+ h at \+1[01]\/min/);
  });

  it('does not fire on a single jump', () => {
    const h = harness();
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      h.sockets({ 'CLOSE-WAIT': i < 20 ? 0 : 500 });
      for (const a of h.tick()) seen.add(a.id);
    }
    expect(seen.has('close-wait-climbing')).toBe(false);
  });

  it('does not fire during warm-up', () => {
    const h = harness();
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) {
      h.sockets({ 'CLOSE-WAIT': 100 + i * 50 });
      for (const a of h.tick()) seen.add(a.id);
    }
    expect(seen.size).toBe(0);
  });

  it('does not flap while growth hovers around the threshold', () => {
    const h = harness();
    const changes: string[] = [];
    let last = '';
    // +4, +6, +4, +6 ... per minute around the 5/min warning threshold
    let count = 20;
    for (let i = 0; i < 240; i++) {
      count += i % 20 === 0 ? 1 : 0;
      if (i % 40 === 0) count += 1;
      h.sockets({ 'CLOSE-WAIT': count });
      const now = ids(h.tick().filter((a) => a.id === 'close-wait-climbing')).join();
      if (now !== last) changes.push(now);
      last = now;
    }
    expect(changes.length).toBeLessThanOrEqual(2);
  });
});

describe('ephemeral-port-exhaustion', () => {
  it('warns at half the usable range toward one destination, escalates at 80%, forecasts, and holds above the clear line', () => {
    const h = harness();
    const dest = (count: number): DestinationsSample => ({
      top: [{ localAddress: '10.1.0.1', peer: '10.1.0.2:443', count, byState: { 'TIME-WAIT': count - 5, ESTAB: 5 } }],
      scanned: count,
    });
    const run = (count: number) => {
      h.sockets({ 'TIME-WAIT': count });
      h.feed(DESTINATIONS, dest(count), { [destinationSeriesKey({ localAddress: '10.1.0.1', peer: '10.1.0.2:443' })]: count });
      return h.tick().filter((a) => a.id === 'ephemeral-port-exhaustion');
    };
    expect(run(400)).toHaveLength(0);
    // One more port a second: 60 a minute, 8 minutes from full at 520.
    for (let c = 401; c < 520; c++) run(c);
    const warn = run(520);
    expect(warn[0]).toMatchObject({ severity: 'warning', subject: '10.1.0.2:443 from 10.1.0.1' });
    expect(warn[0]?.summary).toMatch(/520 of 1,000 ephemeral ports \(52%\) in use toward 10\.1\.0\.2:443 \(515 TIME-WAIT\), full in ~8 min/);
    expect(warn[0]?.why).toMatch(/EADDRNOTAVAIL/);
    expect(warn[0]?.why).toMatch(/tcp_tw_reuse=2/);
    expect(run(810)[0]?.severity).toBe('critical');
    expect(run(450)[0]?.severity).toBe('warning'); // below 80% but above the 40% clear line
    expect(run(350)).toHaveLength(0);
  });
});

describe('ephemeral-port-exhaustion when ports go fast', () => {
  it('is critical while there is time to act, says FULL when none is left, and names the processes that connect', () => {
    const h = harness();
    const local = { localAddress: '10.1.0.1', peer: '10.1.0.2:443' };
    const run = (count: number) => {
      h.sockets({ 'TIME-WAIT': count });
      h.feed(DESTINATIONS, { top: [{ ...local, count, byState: { 'TIME-WAIT': count - 5, ESTAB: 5 } }], scanned: count }, { [destinationSeriesKey(local)]: count });
      h.feed(OWNERS, {
        byState: {},
        clientsOf: { [destinationKey(local)]: { atMs: h.now, total: 5, unowned: 0, owners: [{ pid: 777, name: 'loadgen', count: 5, peers: [], locals: [] }] } },
      });
      return h.tick().filter((a) => a.id === 'ephemeral-port-exhaustion');
    };
    // Below the clear share, however fast: nothing yet.
    for (let c = 100; c < 400; c += 20) expect(run(c)).toHaveLength(0);
    run(400);
    // 20 ports a second (1,200/min): at 42%, 29 s from the end — critical now, not at 80%.
    const early = run(420);
    expect(early[0]?.severity).toBe('critical');
    expect(early[0]?.summary).toMatch(/420 of 1,000 ephemeral ports \(42%\) in use toward 10\.1\.0\.2:443 \(415 TIME-WAIT\), full in ~29 s at \+1,200\/min; connecting: loadgen \(pid 777\)/);
    expect(early[0]?.link).toEqual({ panel: 'sockets', state: 'TIME-WAIT', destination: '10.1.0.1>10.1.0.2:443' });
    for (let c = 440; c < 1000; c += 20) run(c);
    const full = run(1000);
    expect(full[0]?.summary).toMatch(/^FULL — connect\(\) to 10\.1\.0\.2:443 fails with EADDRNOTAVAIL now: 1,000 of 1,000 ephemeral ports in use/);
    expect(full[0]?.summary).not.toMatch(/full in/);
  });
});

describe('syn-sent-stuck', () => {
  it('fires when SYN-SENT to one destination persists, not for a passing one', () => {
    const h = harness();
    const syn = (n: number) => ({ unusual: { synSentByPeer: n ? [{ endpoint: '10.9.9.9:8080', count: n }] : [], closeWaitByLocal: [], listeners: [] } });
    let alerts: Alert[] = [];
    for (let i = 0; i < 4; i++) {
      h.sockets({ 'SYN-SENT': 3 }, syn(3));
      alerts = h.tick();
    }
    expect(alerts.find((a) => a.id === 'syn-sent-stuck')).toBeUndefined();
    h.sockets({}, syn(0));
    h.tick();
    for (let i = 0; i < 7; i++) {
      h.sockets({ 'SYN-SENT': 3 }, syn(3));
      alerts = h.tick();
    }
    expect(alerts.find((a) => a.id === 'syn-sent-stuck')).toMatchObject({ severity: 'warning', subject: '10.9.9.9:8080' });
    h.sockets({}, syn(0));
    expect(h.tick().find((a) => a.id === 'syn-sent-stuck')).toBeUndefined();
  });
});

describe('rate rules', () => {
  it('accept-queue-overflow fires on overflows, names the full listener, and clears after a quiet minute', () => {
    const h = harness();
    const listeners = { unusual: { synSentByPeer: [], closeWaitByLocal: [], listeners: [{ local: '127.0.0.1:9300', acceptQueue: 2, backlog: 1 }] } };
    let alerts: Alert[] = [];
    for (let i = 0; i < 10; i++) {
      h.sockets({ LISTEN: 1 }, listeners);
      h.counters({ TcpExtListenOverflows: i * 3, TcpExtListenDrops: i * 3 });
      alerts = h.tick();
    }
    const a = alerts.find((x) => x.id === 'accept-queue-overflow');
    expect(a?.subject).toBe('listener 127.0.0.1:9300');
    expect(a?.summary).toMatch(/127\.0\.0\.1:9300 has 2 waiting of a backlog of 1/);
    for (let i = 0; i < 70; i++) {
      h.sockets({ LISTEN: 1 });
      h.counters({ TcpExtListenOverflows: 27, TcpExtListenDrops: 27 });
      alerts = h.tick();
    }
    expect(alerts.find((x) => x.id === 'accept-queue-overflow')).toBeUndefined();
  });

  it('tcp-retransmits needs a share of segments and a minimum volume', () => {
    const low = harness();
    let alerts: Alert[] = [];
    for (let i = 0; i < 20; i++) {
      low.counters({ TcpRetransSegs: i, TcpOutSegs: i * 5 }); // 20% but only 5 segments/s
      alerts = low.tick();
    }
    expect(alerts.find((a) => a.id === 'tcp-retransmits')).toBeUndefined();
    const high = harness();
    for (let i = 0; i < 20; i++) {
      high.counters({ TcpRetransSegs: i * 3, TcpOutSegs: i * 100 });
      alerts = high.tick();
    }
    expect(alerts.find((a) => a.id === 'tcp-retransmits')).toMatchObject({ severity: 'warning' });
    // 3 retransmitted of 103 sent in all.
    expect(alerts.find((a) => a.id === 'tcp-retransmits')?.summary).toMatch(/^2\.9% of TCP data segments retransmitted/);
  });

  it('tcp-retransmits leaves SYN retransmits to syn-sent-stuck, and no share is above 100%', () => {
    // A connect() to a black hole: every retransmit a SYN, far more of them than segments sent.
    const blackhole = harness();
    let alerts: Alert[] = [];
    for (let i = 0; i < 20; i++) {
      blackhole.counters({ TcpRetransSegs: i * 90, TcpExtTCPSynRetrans: i * 90, TcpOutSegs: i * 12 });
      alerts = blackhole.tick();
    }
    expect(alerts.find((a) => a.id === 'tcp-retransmits')).toBeUndefined();
    // A path that loses nearly everything: the share nears 100% and never passes it.
    const lossy = harness();
    for (let i = 0; i < 20; i++) {
      lossy.counters({ TcpRetransSegs: i * 1000, TcpOutSegs: i * 20 });
      alerts = lossy.tick();
    }
    const summary = alerts.find((a) => a.id === 'tcp-retransmits')?.summary ?? '';
    expect(summary).toMatch(/^98\.0% of TCP data segments retransmitted/);
  });

  it('udp-buffer-errors and time-wait-overflow fire on any event and name the counter', () => {
    const h = harness();
    let alerts: Alert[] = [];
    for (let i = 0; i < 8; i++) {
      h.sockets({ 'TIME-WAIT': 5000 });
      h.counters({ UdpRcvbufErrors: i * 10, TcpExtTCPTimeWaitOverflow: i });
      alerts = h.tick();
    }
    expect(alerts.find((a) => a.id === 'udp-buffer-errors')?.subject).toBe('UdpRcvbufErrors');
    expect(alerts.find((a) => a.id === 'time-wait-overflow')?.summary).toMatch(/tcp_max_tw_buckets 5,000/);
  });
});

describe('conntrack, NIC and orphan rules', () => {
  it('conntrack-table-full at 90% / 95% and conntrack-drops on insert_failed', () => {
    const h = harness();
    const ct = (count: number, failed: number): ConntrackSample => ({ count, max: 1000, fill: count / 1000, source: 'procfs', stats: new Map([['insert_failed', BigInt(failed)]]) });
    let alerts: Alert[] = [];
    for (let i = 0; i < 8; i++) {
      const s = ct(960, i * 2);
      h.feed(CONNTRACK, s, {}, Object.fromEntries(s.stats));
      alerts = h.tick();
    }
    expect(ids(alerts.filter((a) => a.id.startsWith('conntrack')))).toEqual(['conntrack-table-full:critical', 'conntrack-drops:warning']);
    const s = ct(880, 14);
    h.feed(CONNTRACK, s, {}, Object.fromEntries(s.stats));
    expect(ids(h.tick().filter((a) => a.id === 'conntrack-table-full'))).toEqual(['conntrack-table-full:warning']);
  });

  it('nic-errors names the interface and its rising counter', () => {
    const h = harness();
    let alerts: Alert[] = [];
    for (let i = 0; i < 8; i++) {
      const nics: NicsSample = { interfaces: [{ name: 'eth0', operstate: 'UP', physical: true, stats: new Map([['rx_missed_errors', BigInt(i * 50)]]) }], source: 'ip' };
      h.feed(NICS, nics, {}, { 'eth0/rx_missed_errors': BigInt(i * 50), 'eth0/rx_packets': BigInt(i * 1000) });
      alerts = h.tick();
    }
    const a = alerts.find((x) => x.id === 'nic-errors');
    expect(a).toMatchObject({ subject: 'eth0', severity: 'warning', link: { panel: 'nics', nic: 'eth0' } });
    expect(a?.summary).toMatch(/eth0: rx_missed_errors 50\/s/);
  });

  it('orphan-sockets against tcp_max_orphans', () => {
    const h = harness();
    h.sockets({}, { orphans: 600 });
    expect(h.tick().find((a) => a.id === 'orphan-sockets')).toMatchObject({ severity: 'critical', subject: 'tcp_max_orphans' });
  });
});

/** A rule that fires one alert at every evaluation, explained by its causes as `explainedBy` says. */
function firingRule(id: string, alert: { severity: 'warning' | 'critical'; subject: string; why: string }, causesOf: string[] | undefined, explainedBy?: (a: Alert, others: Alert[]) => Explanation | undefined) {
  return defineRule({
    id,
    fires: id,
    warmupMs: 0,
    needs: [],
    params: {},
    evaluate: () => [{ ...alert, summary: id, next: [] }],
    ...(causesOf ? { causes: causesOf } : {}),
    ...(explainedBy ? { explainedBy } : {}),
  });
}

/** The alerts of one evaluation of these rules, every one enabled, over an empty store. */
function evaluateOnce(rules: ReturnType<typeof firingRule>[]): Alert[] {
  const engine = new AlertEngine(Object.fromEntries(rules.map((r) => [r.id, { enabled: true, params: {} }])), { kind: 'host' }, rules);
  const store = new Store();
  store.commitTick(0);
  return engine.evaluate(store, 0).alerts;
}

describe('the engine', () => {
  it('keeps the time an alert started and sorts critical first', () => {
    const h = harness();
    let alerts: Alert[] = [];
    for (let i = 0; i < 8; i++) {
      h.sockets({}, { orphans: 300 });
      h.counters({ UdpRcvbufErrors: i * 10000 });
      alerts = h.tick();
    }
    expect(ids(alerts)).toEqual(['udp-buffer-errors:critical', 'orphan-sockets:warning']);
    expect(alerts[1]?.sinceMs).toBe(1_000_000);
  });

  it('disables a rule that throws, with a note, and keeps the others running', () => {
    const store = new Store();
    const broken = defineRule({
      id: 'broken',
      fires: 'never',
      warmupMs: 0,
      needs: [],
      params: {},
      evaluate() {
        throw new Error('boom');
      },
    });
    const fine = defineRule({
      id: 'fine',
      fires: 'always',
      warmupMs: 0,
      needs: [],
      params: {},
      evaluate: () => [{ subject: 's', severity: 'warning', summary: 'x', why: 'y', next: [] }],
    });
    const config = { broken: { enabled: true, params: {} }, fine: { enabled: true, params: {} } };
    const engine = new AlertEngine(config, { kind: 'host' }, [broken, fine]);
    store.commitTick(0);
    const state = engine.evaluate(store, 0);
    expect(state.alerts.map((a) => a.id)).toEqual(['fine']);
    expect(state.disabled).toEqual([{ id: 'broken', reason: 'boom' }]);
    expect(engine.evaluate(store, 1).watching).toBe(1);
  });

  it('attaches a symptom to the alert that explains it, under it, with the cause at the root of a chain', () => {
    const rule = (id: string, severity: 'warning' | 'critical', explainedBy?: string) =>
      firingRule(
        id,
        { severity, subject: `${id}-subject`, why: 'on its own' },
        explainedBy ? [explainedBy] : undefined,
        explainedBy
          ? (_a, others) => {
              const cause = others.find((o) => o.id === explainedBy);
              return cause ? { cause, why: `because of ${explainedBy}` } : undefined;
            }
          : undefined,
      );
    // c is explained by b, b by a: both ride with a. d and e explain each other: neither is a root, both stand alone.
    const alerts = evaluateOnce([rule('c', 'critical', 'b'), rule('b', 'critical', 'a'), rule('a', 'warning'), rule('d', 'warning', 'e'), rule('e', 'warning', 'd'), rule('f', 'critical', 'missing')]);
    expect(alerts.map((a) => `${a.id}${a.causedBy ? `<${a.causedBy.id}` : ''}`)).toEqual(['f', 'a', 'b<a', 'c<a', 'd', 'e']);
    expect(alerts.find((a) => a.id === 'c')?.why).toBe('because of b');
    expect(alerts.find((a) => a.id === 'f')?.why).toBe('on its own');
    expect(causes(alerts).map((a) => a.id)).toEqual(['f', 'a', 'd', 'e']);
    // A warning whose symptoms are critical is a critical incident: the header counts it so.
    expect(alerts.find((a) => a.id === 'a')?.severity).toBe('critical');
    expect(alerts.find((a) => a.id === 'd')?.severity).toBe('warning');
  });

  it('offers a rule only the alerts of the causes it declares, and every declared cause is a rule', () => {
    const seen = new Map<string, string[]>();
    const rule = (id: string, causesOf?: string[]) =>
      firingRule(id, { severity: 'warning', subject: id, why: id }, causesOf, (a, others) => {
        seen.set(a.id, others.map((o) => o.id));
        return undefined;
      });
    evaluateOnce([rule('symptom', ['cause']), rule('cause'), rule('other')]);
    expect(Object.fromEntries(seen)).toEqual({ symptom: ['cause'], cause: [], other: [] });
    const ids = new Set(RULES.map((r) => r.id));
    for (const r of RULES) {
      for (const c of r.causes ?? []) expect(ids, `${r.id} names ${c}`).toContain(c);
      expect(r.explainedBy === undefined || (r.causes ?? []).length > 0, `${r.id} explains without causes`).toBe(true);
    }
  });

  it('raises a full accept queue with SYNs waiting for it at the first sample, before any rate, and a quiet full queue not at all', () => {
    const h = harness();
    const full = { local: '127.0.0.1:9700', acceptQueue: 2, backlog: 1 };
    h.sockets({ LISTEN: 1, 'SYN-SENT': 3 }, { unusual: { synSentByPeer: [{ endpoint: '127.0.0.1:9700', count: 3 }], closeWaitByLocal: [], listeners: [full] } });
    h.counters({ TcpExtListenOverflows: 0, TcpExtListenDrops: 0 });
    const first = h.tick();
    expect(first.map((a) => a.id)).toEqual(['accept-queue-overflow']);
    expect(first[0]?.summary).toBe('accept queue full, new connections dropped — 127.0.0.1:9700 has 2 waiting of a backlog of 1; 3 connections of this namespace wait for it in SYN-SENT');

    // At the edge but not past it (the kernel's test is "more than the backlog"), or full with nobody knocking: nothing.
    for (const listener of [{ ...full, acceptQueue: 1 }, full]) {
      const quiet = harness();
      quiet.sockets({ LISTEN: 1 }, { unusual: { synSentByPeer: listener === full ? [] : [{ endpoint: '127.0.0.1:9700', count: 3 }], closeWaitByLocal: [], listeners: [listener] } });
      quiet.counters({ TcpExtListenOverflows: 0, TcpExtListenDrops: 0 });
      expect(quiet.tick()).toEqual([]);
    }
    // Where the backlog is not known (/proc/net/tcp prints none), a listener is never called full.
    const proc = harness();
    proc.sockets({ LISTEN: 1, 'SYN-SENT': 3 }, { method: 'proc', unusual: { synSentByPeer: [{ endpoint: '127.0.0.1:9700', count: 3 }], closeWaitByLocal: [], listeners: [{ local: full.local, acceptQueue: 2 }] } });
    proc.counters({ TcpExtListenOverflows: 0, TcpExtListenDrops: 0 });
    expect(proc.tick()).toEqual([]);
  });

  it('puts SYN-SENT toward a local listener that overflows, and the retransmits it causes, under the overflow', () => {
    const h = harness();
    let alerts: Alert[] = [];
    for (let i = 0; i < 12; i++) {
      h.sockets(
        { LISTEN: 1, 'SYN-SENT': 30 },
        { unusual: { synSentByPeer: [{ endpoint: '127.0.0.1:9700', count: 30 }], closeWaitByLocal: [], listeners: [{ local: '127.0.0.1:9700', acceptQueue: 2, backlog: 1 }] } },
      );
      h.counters({ TcpExtListenOverflows: i * 20, TcpExtListenDrops: i * 20, TcpOutSegs: 1000 + i * 100, TcpRetransSegs: i * 30, TcpExtTCPSynRetrans: i * 10 });
      alerts = h.tick();
    }
    expect(alerts.map((a) => `${a.id}${a.causedBy ? `<${a.causedBy.id}` : ''}`)).toEqual([
      'accept-queue-overflow',
      'syn-sent-stuck<accept-queue-overflow',
      'tcp-retransmits<accept-queue-overflow',
    ]);
    const synSent = alerts.find((a) => a.id === 'syn-sent-stuck');
    expect(synSent?.why).toMatch(/127\.0\.0\.1:9700, a listener in this namespace/);
    expect(synSent?.why).not.toMatch(/a firewall dropping them/);
    // Its commands look at the listener, as the overflow's do, not at routes and firewalls.
    expect(synSent?.next).toEqual(alerts[0]?.next);
    expect(synSent?.summary).toMatch(/stuck in SYN-SENT for 11s\+/);
    expect(causes(alerts)).toHaveLength(1);
  });

  it('leaves SYN-SENT toward a remote peer on its own while a local listener overflows', () => {
    const h = harness();
    let alerts: Alert[] = [];
    for (let i = 0; i < 12; i++) {
      h.sockets(
        { LISTEN: 1, 'SYN-SENT': 30 },
        { unusual: { synSentByPeer: [{ endpoint: '10.9.9.9:443', count: 30 }], closeWaitByLocal: [], listeners: [{ local: '127.0.0.1:9700', acceptQueue: 2, backlog: 1 }] } },
      );
      h.counters({ TcpExtListenOverflows: i * 20 });
      alerts = h.tick();
    }
    expect(alerts.find((a) => a.id === 'syn-sent-stuck')?.causedBy).toBeUndefined();
    expect(causes(alerts)).toHaveLength(2);
  });

  it('leaves an idle host alone', () => {
    const h = harness();
    const seen: string[] = [];
    for (let i = 0; i < 120; i++) {
      h.sockets({ LISTEN: 2, ESTAB: 4 });
      h.counters({ TcpOutSegs: 1000 + i * 2, TcpRetransSegs: 0, UdpRcvbufErrors: 0 });
      seen.push(...h.tick().map((a) => a.id));
    }
    expect(seen).toEqual([]);
  });
});

describe('alert config', () => {
  it('overrides defaults and turns rules off', () => {
    const c = validateAlertConfig({ rules: { 'close-wait-climbing': { floor: 50 }, 'nic-errors': { enabled: false } } });
    expect(c['close-wait-climbing']?.params.floor).toBe(50);
    expect(c['close-wait-climbing']?.params.windowSec).toBe(60);
    expect(c['nic-errors']?.enabled).toBe(false);
  });

  it('names the key and the expected type of what is wrong', () => {
    const bad: [unknown, RegExp][] = [
      [[], /expected a JSON object/],
      [{ rule: {} }, /unknown key "rule" \(known: rules\)/],
      [{ rules: { 'close-wait': {} } }, /unknown rule "rules\.close-wait" \(known: close-wait-climbing/],
      [{ rules: { 'close-wait-climbing': { flor: 1 } } }, /unknown key "rules\.close-wait-climbing\.flor" \(known: enabled, floor/],
      [{ rules: { 'close-wait-climbing': { floor: 'ten' } } }, /"rules\.close-wait-climbing\.floor": expected an integer between 0 and 10000000 \(sockets\), got "ten"/],
      [{ rules: { 'close-wait-climbing': { floor: 2.5 } } }, /expected an integer/],
      [{ rules: { 'conntrack-table-full': { warnShare: 1.5 } } }, /"rules\.conntrack-table-full\.warnShare": expected a number between 0 and 1/],
      [{ rules: { 'nic-errors': { enabled: 'no' } } }, /expected true or false/],
      [{ rules: { 'tcp-retransmits': { warnPercent: 8 } } }, /warnPercent \(8\) is above critPercent \(5\)/],
      [{ rules: { 'nic-errors': { warnPerSec: 10, critPerSec: 1 } } }, /warnPerSec \(10\) is above critPerSec \(1\)/],
      [{ rules: { 'ephemeral-port-exhaustion': { clearShare: 0.6 } } }, /clearShare \(0\.6\) is above warnShare \(0\.5\)/],
    ];
    for (const [doc, message] of bad) expect(() => validateAlertConfig(doc), JSON.stringify(doc)).toThrow(message);
    expect(() => validateAlertConfig({ rules: 1 })).toThrow(ConfigError);
  });
});

describe('softnet rules', () => {
  const softnet = (h: ReturnType<typeof harness>, rows: { cpu: number; dropped: number; timeSqueeze: number }[]) => {
    const value = { cpus: rows.map((r) => ({ ...r, processed: 1000 })) };
    h.feed(SOFTNET, value, {}, Object.fromEntries(createSoftnetCollector().counters?.(value) ?? []));
  };

  it('softnet-drops names the CPU whose backlog overflows, and is silent while no packet is dropped', () => {
    const h = harness();
    let alerts: Alert[] = [];
    for (let i = 0; i < 10; i++) {
      softnet(h, [
        { cpu: 0, dropped: 5, timeSqueeze: 0 },
        { cpu: 3, dropped: 5, timeSqueeze: 0 },
      ]);
      alerts = h.tick();
    }
    expect(alerts.find((a) => a.id === 'softnet-drops')).toBeUndefined();
    for (let i = 1; i <= 10; i++) {
      softnet(h, [
        { cpu: 0, dropped: 5, timeSqueeze: 0 },
        { cpu: 3, dropped: 5 + i * 2, timeSqueeze: 0 },
      ]);
      alerts = h.tick();
    }
    const a = alerts.find((x) => x.id === 'softnet-drops');
    expect(a?.severity).toBe('warning');
    expect(a?.summary).toMatch(/dropped at the CPU backlog: CPU 3 \d/);
    expect(a?.summary).not.toMatch(/CPU 0/);
  });

  it('softnet-squeeze lets a few squeezes a second pass, and warns on many', () => {
    for (const [perSec, expected] of [
      [3, undefined],
      [50, 'warning'],
      [500, 'critical'],
    ] as const) {
      const h = harness();
      let alerts: Alert[] = [];
      // A minute of steady squeezing: the 1-minute mean is the rate itself.
      for (let i = 0; i <= 61; i++) {
        softnet(h, [{ cpu: 1, dropped: 0, timeSqueeze: i * perSec }]);
        alerts = h.tick();
      }
      expect(alerts.find((a) => a.id === 'softnet-squeeze')?.severity, `${perSec}/s`).toBe(expected);
    }
  });
});
