import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/metrics/exposition.js';
import type { SampleRecord } from '../../src/record.js';

const counter = (value: number) => ({ value: String(value), rate: null });
const nicStats = (errors: number) => ({ rx_bytes: counter(1000), rx_packets: counter(10), rx_dropped: counter(errors), tx_errors: counter(0), carrier_changes: counter(2) });

/** A record of a node: a physical NIC, a pod's veth that never counted trouble, one that dropped 3 packets. */
const record = {
  v: 1,
  time: '2026-12-07T00:00:00Z',
  target: 'host',
  intervalMs: 1000,
  counters: { TcpRetransSegs: counter(5), TcpOutSegs: counter(100), TcpExtTCPHPHits: counter(7), IpForwDatagrams: counter(9) },
  nics: {
    eth0: { state: 'UP', physical: true, stats: nicStats(0) },
    vethquiet: { state: 'UP', physical: false, kind: 'veth', stats: nicStats(0) },
    vethdrops: { state: 'UP', physical: false, kind: 'veth', stats: nicStats(3) },
  },
  qdiscs: {
    qdiscs: [
      { dev: 'eth0', kind: 'fq_codel', handle: '0:', parent: 'root', drops: 1, overlimits: 0, requeues: 0, packets: 50 },
      { dev: 'vethquiet', kind: 'noqueue', handle: '0:', parent: 'root', drops: 0, overlimits: 0, requeues: 0, packets: 0 },
    ],
    ageMs: 0,
  },
  alerts: [],
  sources: {},
} as unknown as SampleRecord;

const seriesOf = async (allCounters: boolean) =>
  (await createRegistry({ record: () => record }, { allCounters }).scrape())
    .split('\n')
    .filter((l) => l.startsWith('nettriage_'))
    .map((l) => l.slice(0, l.lastIndexOf(' ')));

describe('the metrics a fleet pays for', () => {
  it('serves the counters the rules read, the trouble statistics of interfaces that have trouble or matter, and no noqueue', async () => {
    const series = await seriesOf(false);
    expect(series.filter((s) => s.startsWith('nettriage_netstat_total'))).toEqual(['nettriage_netstat_total{name="TcpRetransSegs"}', 'nettriage_netstat_total{name="TcpOutSegs"}']);
    const nic = series.filter((s) => s.startsWith('nettriage_nic_stat_total'));
    expect(nic).toEqual([
      'nettriage_nic_stat_total{interface="eth0",stat="rx_dropped"}',
      'nettriage_nic_stat_total{interface="eth0",stat="tx_errors"}',
      'nettriage_nic_stat_total{interface="eth0",stat="carrier_changes"}',
      'nettriage_nic_stat_total{interface="vethdrops",stat="rx_dropped"}',
      'nettriage_nic_stat_total{interface="vethdrops",stat="tx_errors"}',
      'nettriage_nic_stat_total{interface="vethdrops",stat="carrier_changes"}',
    ]);
    expect(series.filter((s) => s.startsWith('nettriage_qdisc_total')).every((s) => s.includes('interface="eth0"'))).toBe(true);
  });

  it('serves every one with --metrics-all-counters', async () => {
    const series = await seriesOf(true);
    expect(series.filter((s) => s.startsWith('nettriage_netstat_total'))).toHaveLength(4);
    expect(series.filter((s) => s.startsWith('nettriage_nic_stat_total'))).toHaveLength(15);
  });
});
