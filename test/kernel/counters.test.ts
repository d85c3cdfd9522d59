import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConntrackCollector } from '../../collectors/conntrack.js';
import { createEthtoolCollector, ETHTOOL } from '../../collectors/ethtool.js';
import { createCountersCollector, COUNTERS } from '../../collectors/counters.js';
import { createNicsCollector, NICS } from '../../collectors/nics.js';
import type { Collector } from '../../collectors/types.js';
import { buildConntrackPanel } from '../../src/panels/conntrack.js';
import { buildCountersPanel } from '../../src/panels/counters.js';
import { buildNicsPanel } from '../../src/panels/nics.js';
import { buildRecord } from '../../src/record.js';
import { Scheduler } from '../../src/scheduler.js';
import { Store } from '../../src/store.js';
import { defaultRoots } from '../../src/target.js';
import { createTargetIO } from '../../src/targetIO.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';

const available = await canCreateNetns();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function watch(ns: TestNetns, collectors: Collector<unknown>[]) {
  const store = new Store();
  const target = { kind: 'netns' as const, name: ns.name };
  const scheduler = new Scheduler(collectors, createTargetIO(target, defaultRoots), store, { intervalMs: 1000, timeoutMs: 5000 });
  return { store, scheduler, target };
}

describe.runIf(available)('kernel counters, conntrack and NICs between two namespaces joined by a veth', () => {
  let a: TestNetns;
  let b: TestNetns;
  let link: Awaited<ReturnType<TestNetns['linkTo']>>;

  beforeAll(async () => {
    a = await TestNetns.create('cnt-a');
    b = await TestNetns.create('cnt-b');
    link = await a.linkTo(b, 77);
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
  });

  it('traffic from a to b moves the TCP, IP and NIC counters on both sides', async () => {
    const sideA = watch(a, [createCountersCollector(), createNicsCollector()] as Collector<unknown>[]);
    const sideB = watch(b, [createCountersCollector()] as Collector<unknown>[]);
    await sideA.scheduler.runTick();
    await sideB.scheduler.runTick();
    const before = (s: Store, name: string) => s.counters(COUNTERS).get(name)?.value ?? -1n;
    const outSegs0 = before(sideA.store, 'TcpOutSegs');
    const opens0 = before(sideA.store, 'TcpActiveOpens');
    const passive0 = before(sideB.store, 'TcpPassiveOpens');
    const inOctets0 = before(sideB.store, 'IpExtInOctets');
    const txBytes0 = sideA.store.counters(NICS).get(`${link.a}/tx_bytes`)?.value ?? -1n;

    await b.incident('sink', { host: link.addrB, port: 9300 });
    await a.incident('send', { to: link.addrB, port: 9300, bytesPerSec: 2_000_000, maxMs: 3000 });
    await sleep(2000);
    await sideA.scheduler.runTick();
    await sideB.scheduler.runTick();

    const after = (s: Store, name: string) => s.counters(COUNTERS).get(name)?.value ?? -1n;
    expect(after(sideA.store, 'TcpActiveOpens') - opens0).toBe(1n);
    expect(after(sideB.store, 'TcpPassiveOpens') - passive0).toBe(1n);
    expect(after(sideA.store, 'TcpOutSegs') - outSegs0).toBeGreaterThan(50n);
    expect(after(sideB.store, 'IpExtInOctets') - inOctets0).toBeGreaterThan(1_000_000n);
    const txBytes = sideA.store.counters(NICS).get(`${link.a}/tx_bytes`)?.value ?? -1n;
    expect(txBytes - txBytes0).toBeGreaterThan(1_000_000n);
    expect(sideA.store.counters(COUNTERS).get('TcpOutSegs')?.perSec).toBeGreaterThan(10);
  });

  it('counts conntrack entries in a namespace with a conntrack rule exactly as conntrack -C does, from a file read', async () => {
    await b.exec(['iptables', '-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'NEW,ESTABLISHED', '-j', 'ACCEPT']);
    await b.incident('serve', { host: link.addrB, port: 9301 });
    await a.incident('hold', { to: link.addrB, port: 9301, established: 25 });
    const side = watch(b, [createConntrackCollector()] as Collector<unknown>[]);
    await side.scheduler.runTick();
    const expected = Number((await b.exec(['conntrack', '-C'])).stdout.trim());
    const model = buildConntrackPanel(side.store);
    expect(expected).toBeGreaterThanOrEqual(25);
    expect(model.count).toBe(expected);
    // The count is the entries column of /proc/net/stat/nf_conntrack: no conntrack process.
    expect(model.source).toBe('procfs');
    expect(model.max).toBeGreaterThan(0);
    const file = Number((await b.exec(['cat', '/proc/sys/net/netfilter/nf_conntrack_count'])).stdout.trim());
    expect(file).toBe(expected);
    expect(model.stats.map((s) => s.name)).toContain('insert_failed');
  });

  it('lists the veth in the NIC panel with its statistics and driver counters', async () => {
    const { store, scheduler, target } = watch(a, [
      createNicsCollector(),
      createEthtoolCollector(() => [link.a]),
    ] as Collector<unknown>[]);
    await scheduler.runTick();
    await b.incident('serve', { host: link.addrB, port: 9303 });
    await a.incident('hold', { to: link.addrB, port: 9303, established: 3 });
    await scheduler.runTick();
    const model = buildNicsPanel(store);
    const veth = model.rows.find((r) => r.name === link.a);
    expect(veth).toMatchObject({ operstate: 'UP', kind: 'veth', physical: false, driver: 'veth' });
    expect(veth?.rxPps).toBeDefined();
    const record = buildRecord(store, target, 1000);
    const nics = record.nics as Record<string, { stats: Record<string, { value: number }>; driver?: { stats: Record<string, unknown> } }>;
    expect(nics[link.a]?.stats.tx_packets?.value).toBeGreaterThan(0);
    expect(Object.keys(nics[link.a]?.driver?.stats ?? {})).toContain('rx_queue_*_drops');
  });

  it('notes an interface whose driver has no statistics (ethtool -S lo exits 94) and reads the others', async () => {
    const { store, scheduler } = watch(a, [createEthtoolCollector(() => ['lo', link.a])] as Collector<unknown>[]);
    await scheduler.runTick();
    const sample = store.sample(ETHTOOL)?.value;
    expect(sample?.interfaces.get('lo')?.problem).toMatch(/no stats available|not supported/i);
    expect(sample?.interfaces.get(link.a)?.counters.has('rx_queue_*_drops')).toBe(true);
    expect(store.status(ETHTOOL).problem).toBeUndefined();
  });

  it('makes packet loss on the veth visible as a retransmit rate', async () => {
    // netem where the kernel has it; otherwise the same loss from a random-drop rule.
    const netem = await execa('ip', ['netns', 'exec', a.name, 'tc', 'qdisc', 'add', 'dev', link.a, 'root', 'netem', 'loss', '20%'], { reject: false });
    if (netem.exitCode !== 0) {
      await b.exec(['iptables', '-I', 'INPUT', '-i', link.b, '-p', 'tcp', '--dport', '9302', '-m', 'statistic', '--mode', 'random', '--probability', '0.2', '-j', 'DROP']);
    }
    const { store, scheduler } = watch(a, [createCountersCollector()] as Collector<unknown>[]);
    await b.incident('sink', { host: link.addrB, port: 9302 });
    await scheduler.runTick();
    await a.incident('send', { to: link.addrB, port: 9302, bytesPerSec: 500_000, maxMs: 8000 });
    for (let i = 0; i < 5; i++) {
      await sleep(1000);
      await scheduler.runTick();
    }
    const model = buildCountersPanel(store, 'curated');
    const retrans = model.rows.find((r) => r.name === 'TcpRetransSegs');
    expect(retrans?.moved).toBe(true);
    expect(retrans?.perSecMinute).toBeGreaterThan(0);
    expect(model.retransPercent).toBeGreaterThan(1);
    expect(retrans?.concern).not.toBe('none');
  });
});
