import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { ConntrackPanel } from '../../components/ConntrackPanel.js';
import { CountersPanel } from '../../components/CountersPanel.js';
import { NicsPanel } from '../../components/NicsPanel.js';
import { SocketsPanel } from '../../components/SocketsPanel.js';
import { socketSeries, SOCKETS } from '../../collectors/sockets.js';
import { buildSocketsPanel } from '../../src/panels/sockets.js';
import { socketStateSample } from '../helpers/samples.js';
import { type ConntrackSample, CONNTRACK } from '../../collectors/conntrack.js';
import { type EthtoolSample, ETHTOOL } from '../../collectors/ethtool.js';
import { type NicState, type NicsSample, NICS } from '../../collectors/nics.js';
import { renderApp } from '../helpers/app.js';
import { buildConntrackPanel } from '../../src/panels/conntrack.js';
import { buildCountersPanel } from '../../src/panels/counters.js';
import { buildNicsPanel } from '../../src/panels/nics.js';
import { CollectorProblem, missingToolProblem } from '../../src/problems.js';
import type { SampleKey } from '../../collectors/types.js';
import { Store } from '../../src/store.js';
import { press } from '../helpers/ink.js';
import { COUNTERS } from '../../collectors/counters.js';

const tick = () => new Promise((r) => setTimeout(r, 25));
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function feed<T>(store: Store, name: SampleKey<T>, value: T, atMs: number, counters?: Record<string, bigint>) {
  store.recordSample(name, { value, atMs, skippedLines: 0, notes: [] }, {});
  if (counters) store.recordCounters(name, atMs, new Map(Object.entries(counters)));
}

/** Ten seconds of a host whose accept queue overflows and that retransmits 10% of what it sends. */
function overflowingHost(): Store {
  const store = new Store();
  const t0 = Date.now() - 10_000;
  for (let i = 0; i <= 10; i++) {
    feed(store, COUNTERS, { total: 0, values: new Map() }, t0 + i * 1000, {
      TcpRetransSegs: BigInt(1000 + i * 10),
      TcpOutSegs: BigInt(50_000 + i * 100),
      TcpExtListenOverflows: BigInt(7 + i * 3),
      TcpExtListenDrops: BigInt(7 + i * 3),
      UdpRcvbufErrors: 4n,
      TcpExtTCPHPHits: BigInt(i * 999),
    });
    store.commitTick(t0 + i * 1000);
  }
  return store;
}

describe('counter panel', () => {
  it('shows the curated counters with rates, the retransmit ratio, and flags what moved', async () => {
    const model = buildCountersPanel(overflowingHost(), 'curated');
    const app = render(<CountersPanel model={model} width={70} height={16} focused selected={1} />);
    cleanup = app.unmount;
    await tick();
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('retransmits 9.09% of data segments sent (1 min, SYNs apart)');
    expect(frame).toMatch(/accept q overflows\s+37\s+3\.0\s+3\.0/);
    expect(frame).toMatch(/UDP rcvbuf errors\s+4\s+0\s+0/);
    expect(frame).toContain('5 of 6 counters moved in the last minute');
    expect(model.rows.find((r) => r.name === 'TcpExtListenOverflows')?.concern).toBe('bad');
    expect(model.rows.find((r) => r.name === 'UdpRcvbufErrors')?.concern).toBe('none');
  });

  it('lists every counter that moved in the all-counters mode, busiest first', async () => {
    const model = buildCountersPanel(overflowingHost(), 'moved');
    expect(model.rows.map((r) => r.name)).toEqual(['TcpExtTCPHPHits', 'TcpOutSegs', 'TcpRetransSegs', 'TcpExtListenDrops', 'TcpExtListenOverflows']);
    const app = render(<CountersPanel model={model} width={80} height={12} focused={false} selected={0} />);
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()).toContain('all that moved');
    expect(app.lastFrame()).toContain('TcpExtTCPHPHits');
  });

  it('says what is wrong when the counters cannot be read', async () => {
    const store = new Store();
    store.recordProblem(COUNTERS, new CollectorProblem('absent', '/proc/net/snmp does not exist'), Date.now());
    store.commitTick(Date.now());
    const app = render(<CountersPanel model={buildCountersPanel(store, 'curated')} width={80} height={10} focused={false} selected={0} />);
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()).toContain('/proc/net/snmp does not exist; no data yet');
  });
});

describe('conntrack panel', () => {
  const sample = (count: number, stats: Record<string, bigint>): ConntrackSample => ({
    count,
    max: 1000,
    fill: count / 1000,
    source: 'conntrack',
    stats: new Map(Object.entries(stats)),
  });

  it('shows the table filling up and drops as they happen', async () => {
    const store = new Store();
    const t0 = Date.now() - 3000;
    for (let i = 0; i <= 3; i++) {
      const s = sample(900 + i * 20, { insert_failed: BigInt(i * 5), drop: BigInt(i * 5), early_drop: 0n, invalid: 1n });
      feed(store, CONNTRACK, s, t0 + i * 1000, Object.fromEntries(s.stats));
      store.commitTick(t0 + i * 1000);
    }
    const model = buildConntrackPanel(store);
    expect(model.fillConcern).toBe('bad');
    expect(model.stats.find((s) => s.name === 'insert_failed')?.concern).toBe('bad');
    const app = render(<ConntrackPanel model={model} width={80} height={10} focused={false} selected={0} />);
    cleanup = app.unmount;
    await tick();
    const frame = app.lastFrame() ?? '';
    expect(frame).toContain('960 / 1,000 entries');
    expect(frame).toContain('96.0%');
    expect(frame).toMatch(/insert_failed\s+15\s+5\.0/);
    expect(frame).toContain('via conntrack -C/-S');
  });

  it('says connection tracking is not loaded instead of showing 0%', async () => {
    const store = new Store();
    store.recordProblem(
      CONNTRACK,
      new CollectorProblem('absent', 'connection tracking is not active here (nf_conntrack not loaded)', 'nothing to exhaust'),
      Date.now(),
    );
    store.commitTick(Date.now());
    const app = render(<ConntrackPanel model={buildConntrackPanel(store)} width={80} height={6} focused={false} selected={0} />);
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()).toContain('not active here');
    expect(app.lastFrame()).not.toContain('%');
  });
});

describe('NIC panel', () => {
  const nic = (name: string, stats: Record<string, bigint>, extra: Partial<NicState> = {}): NicState => ({
    name,
    operstate: 'UP',
    carrier: true,
    physical: false,
    stats: new Map(Object.entries(stats)),
    ...extra,
  });

  function host(dropsNow: bigint, extraVeths = 0, duplex?: 'full' | 'half') {
    const store = new Store();
    const t0 = Date.now() - 2000;
    for (let i = 0; i <= 2; i++) {
      const interfaces = [
        nic('eth0', { rx_packets: BigInt(1000 * i), tx_packets: BigInt(500 * i), rx_dropped: i === 2 ? dropsNow : 0n, rx_errors: 0n }, { physical: true, speedMbps: 25000, mtu: 9001, ...(duplex ? { duplex } : {}) }),
        nic('lo', { rx_packets: 5n, tx_packets: 5n, rx_dropped: 0n }),
        nic('evil\x1b[2J', { rx_packets: 1n, tx_packets: 1n, rx_dropped: 3n }, { kind: 'veth' }),
        ...Array.from({ length: extraVeths }, (_, k) => nic(`veth${k}`, { rx_packets: 1n, rx_dropped: 0n }, { kind: 'veth' })),
      ];
      const value: NicsSample = { interfaces, source: 'ip' };
      const counters: Record<string, bigint> = {};
      for (const n of interfaces) for (const [k, v] of n.stats) counters[`${n.name}/${k}`] = v;
      feed(store, NICS, value, t0 + i * 1000, counters);
      const ethtool: EthtoolSample = {
        interfaces: new Map([['eth0', { info: { driver: 'ena' }, counters: new Map([['bw_in_allowance_exceeded', { total: BigInt(i * 40), queues: 0 }]]) }]]),
      };
      feed(store, ETHTOOL, ethtool, t0 + i * 1000, { 'eth0/bw_in_allowance_exceeded': BigInt(i * 40) });
      store.commitTick(t0 + i * 1000);
    }
    return store;
  }

  it('puts the interface with moving drops first, with kernel and driver counters, and escapes hostile names', async () => {
    const model = buildNicsPanel(host(12n, 20));
    expect(model.rows[0]?.name).toBe('eth0');
    expect(model.rows[0]?.concern).toBe('bad');
    expect(model.hiddenQuiet).toBe(20 + 1 - 8);
    const app = render(<NicsPanel model={model} width={100} height={16} focused={false} selected={0} />);
    cleanup = app.unmount;
    await tick();
    const frame = app.lastFrame() ?? '';
    expect(frame).toMatch(/eth0\s+UP\s+rx 1,000\/s tx 500\/s pkts\s+device ena 25G mtu 9001/);
    expect(frame).toContain('rx_dropped: 12  12/s');
    expect(frame).toContain('ethtool bw_in_allowance_exceeded: 80  40/s');
    expect(frame).toContain('evil\\x1b[2J');
    expect(frame).not.toContain('\x1b[2J');
    expect(frame).toContain('more virtual interfaces with nothing to report');
  });

  it('says HALF-DUPLEX for a device that negotiated it, and nothing for full duplex', async () => {
    for (const [duplex, expected] of [['half', /device ena 25G HALF-DUPLEX mtu 9001/], ['full', /device ena 25G mtu 9001/]] as const) {
      const app = render(<NicsPanel model={buildNicsPanel(host(0n, 0, duplex))} width={100} height={16} focused={false} selected={0} />);
      await tick();
      expect(app.lastFrame() ?? '').toMatch(expected);
      app.unmount();
    }
  });

  it('says which package to install when ethtool is missing, and still shows kernel statistics', async () => {
    const store = host(0n);
    store.recordProblem(ETHTOOL, missingToolProblem('ethtool'), Date.now());
    store.commitTick(Date.now());
    const app = render(<NicsPanel model={buildNicsPanel(store)} width={100} height={12} focused={false} selected={0} />);
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()).toContain('ethtool not found — install the ethtool package');
    expect(app.lastFrame()).toContain('eth0');
  });

  it('says "no data yet", not an age, when the only earlier ethtool sample held nothing', async () => {
    const store = host(0n);
    const t0 = Date.now() - 6000;
    store.recordSample(ETHTOOL, { value: { interfaces: new Map() }, atMs: t0, skippedLines: 0, notes: [] }, {});
    store.recordProblem(ETHTOOL, missingToolProblem('ethtool'), Date.now());
    store.commitTick(Date.now());
    const app = render(<NicsPanel model={buildNicsPanel(store)} width={140} height={12} focused={false} selected={0} />);
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()).toContain('install the ethtool package; no data yet');
    expect(app.lastFrame()).not.toContain('showing data from');
  });
});

describe('panel navigation', () => {
  it('Tab moves the keyboard to the next panel, z zooms it, Esc leaves zoom, a switches to every moved counter', async () => {
    const store = overflowingHost();
    const interval = { intervalMs: 1000, setIntervalMs() {} };
    const app = renderApp({ store, interval, target: { kind: 'host' }, host: { host: 'h', kernel: 'k' }, onQuit: () => {} }, { columns: 100, rows: 45 });
    cleanup = app.unmount;
    await tick();
    expect(app.lastFrame()).toContain('TCP sockets');
    expect(app.lastFrame()).toContain('Kernel counters');
    expect(app.lastFrame()).toContain('conntrack');
    expect(app.lastFrame()).toContain('NICs');
    await press(app, '\t');
    await press(app, 'z');
    expect(app.lastFrame()).toContain('Kernel counters');
    expect(app.lastFrame()).not.toContain('TCP sockets');
    await press(app, '\u001B');
    expect(app.lastFrame()).toContain('TCP sockets');
    await press(app, 'a');
    expect(app.lastFrame()).toContain('Kernel counters · all that moved');
    expect(app.lastFrame()).toContain('TcpExtTCPHPHits');
  });
});

describe('a panel shorter than its content', () => {
  it('keeps its bottom border: the socket panel leaves out quiet rows, names them, and never draws over it', () => {
    const store = new Store();
    const s = { value: socketStateSample({ ESTAB: 5, LISTEN: 2 }), atMs: Date.now(), skippedLines: 0, notes: [] };
    store.recordSample(SOCKETS, s, socketSeries(s.value));
    store.commitTick(Date.now());
    const { histories: _h, ...model } = buildSocketsPanel(store);
    const app = render(<SocketsPanel model={model} width={80} height={10} focused={false} selected={0} />);
    cleanup = app.unmount;
    const lines = (app.lastFrame() ?? '').split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[9]).toMatch(/^╰─+╯$/);
    // Six of eleven rows fit beside the header and the marker: those with sockets stay.
    expect(lines.slice(2, 8).map((l) => l.slice(4, 14).trim())).toEqual(['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'LISTEN']);
    expect(lines[8]).toMatch(/\+ 5 not shown: TIME-WAIT, CLOSE, CLOSE-WAIT, LAST-ACK, CLOSING · z zoom/);
  });

  it('keeps the rows an alert is about and the selected one when rows must go', () => {
    const store = new Store();
    const s = { value: socketStateSample({ ESTAB: 5 }), atMs: Date.now(), skippedLines: 0, notes: [] };
    store.recordSample(SOCKETS, s, socketSeries(s.value));
    store.commitTick(Date.now());
    const alert = { id: 'x', subject: 's', severity: 'critical' as const, summary: '', why: '', next: [], sinceMs: 0, link: { panel: 'sockets' as const, state: 'TIME-WAIT' as const } };
    const { histories: _h, ...model } = buildSocketsPanel(store, Date.now(), {}, [alert]);
    const app = render(<SocketsPanel model={model} width={80} height={7} focused={true} selected={9} />);
    cleanup = app.unmount;
    const frame = app.lastFrame() ?? '';
    expect(frame).toMatch(/TIME-WAIT\s+0/);
    expect(frame).toMatch(/› LISTEN/);
    expect(frame).toMatch(/ESTAB\s+5/);
    expect(frame).toMatch(/\+ 8 not shown: SYN-SENT/);
  });
});
