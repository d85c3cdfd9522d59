import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAlertConfig } from '../../src/alerts/config.js';
import type { SampleRecord } from '../../src/record.js';
import { alertName } from '../../src/prometheus/rules.js';
import { Replayer } from '../../src/recording/replayer.js';
import { RULES } from '../../src/registry.js';
import { TCP_STATES } from '../../src/tcpState.js';
import { kernelTestsRequired } from '../helpers/netns.js';
import { BIN } from '../helpers/tmux.js';

const promtool = (await execa('promtool', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
const T0 = Date.parse('2026-11-27T10:00:00Z');
const SECONDS = 90;

/** One case: a series of CLOSE-WAIT counts or conntrack entries, a value a second. */
interface Case {
  name: string;
  closeWait?: (t: number) => number;
  conntrack?: (t: number) => number;
  /** Local ports in use toward one destination, of 1,000 usable. */
  ports?: (t: number) => number;
  /** The last answer of the one nameserver: its rcode and time, probed every 10 s. */
  dns?: (t: number) => { rcode: string; latencyMs: number };
}

const USABLE_PORTS = 1000;

function record(c: Case, t: number): SampleRecord {
  const states = Object.fromEntries(TCP_STATES.map((s) => [s, 0]));
  states['CLOSE-WAIT'] = c.closeWait?.(t) ?? 0;
  const held = [10, 30, 60, 120, 300, 600].map((seconds) => ({ seconds, count: 0 }));
  return {
    v: 1,
    time: new Date(T0 + t * 1000).toISOString(),
    target: 'host',
    intervalMs: 1000,
    tcp: { states, udp: 0, orphans: 0, method: 'ss', dumpedSockets: 0, limits: {}, unusual: { synSentByPeer: [], closeWaitByLocal: [], listeners: [] }, closeWaitHeld: held, ageMs: 0, ...(c.ports ? { portRange: { low: 32768, high: 33767, reserved: 0, usable: USABLE_PORTS } } : {}) },
    ...(c.dns ? { dns: dnsRecord(c.dns, t) } : {}),
    ...(c.ports ? { destinations: { top: [{ localAddress: '10.0.0.1', peer: '10.0.0.2:80', count: c.ports(t), byState: { 'TIME-WAIT': c.ports(t) } }], scanned: c.ports(t), ageMs: 0 } } : {}),
    counters: { error: 'not in this case' },
    conntrack: c.conntrack ? { count: c.conntrack(t), max: 1000, fill: c.conntrack(t) / 1000, source: 'procfs', stats: {}, ageMs: 0 } : { error: 'not in this case' },
    nics: { error: 'not in this case' },
    socketMemory: { error: 'not in this case' },
    alerts: [],
    unknown: [],
    sources: {},
  } as unknown as SampleRecord;
}

/** The DNS section of a record: one nameserver probed every 10 s, its last probes kept. */
function dnsRecord(answer: (t: number) => { rcode: string; latencyMs: number }, t: number) {
  const probes = [];
  for (let at = t - (t % 10); at >= 0 && probes.length < 5; at -= 10) probes.unshift({ ...answer(at), atMs: T0 + at * 1000 });
  return {
    path: '/etc/resolv.conf',
    conf: { nameservers: ['10.0.0.53'], search: [], ndots: 1, timeoutSec: 5, attempts: 2, options: [] },
    cost: { name: 'api.example.com', queries: 2, nxdomain: 0 },
    servers: [{ address: '10.0.0.53', probes }],
    probing: true,
    ageMs: 0,
  };
}

/** What nettriage's own rules say after SECONDS samples of the case. */
function builtIn(c: Case): Map<string, string> {
  const replayer = new Replayer('host', defaultAlertConfig());
  let alerts = replayer.step(record(c, 0)).alerts;
  for (let t = 1; t <= SECONDS; t++) alerts = replayer.step(record(c, t)).alerts;
  return new Map(alerts.map((a) => [a.id, a.severity]));
}

const series = (f: (t: number) => number) => Array.from({ length: SECONDS + 1 }, (_, t) => f(t)).join(' ');

describe.runIf(promtool || kernelTestsRequired)('nettriage rules: a Prometheus rules file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nt-rules-'));
  // The rules file every case is tested against, written once: each test stands alone (-t runs one).
  beforeAll(async () => {
    writeFileSync(join(dir, 'rules.yml'), (await execa('node', [BIN, 'rules'])).stdout);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check rules, with the thresholds of --config', async () => {
    const check = await execa('promtool', ['check', 'rules', join(dir, 'rules.yml')], { reject: false });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: 47 rules found/);
    const config = join(dir, 'strict.json');
    writeFileSync(config, JSON.stringify({ rules: { 'conntrack-table-full': { warnShare: 0.5, critShare: 0.7, clearShare: 0.4 }, 'nic-errors': { enabled: false } } }));
    const strict = (await execa('node', [BIN, 'rules', '--config', config])).stdout;
    expect(strict).toContain('nettriage_conntrack_entries / nettriage_conntrack_entries_limit) >= 0.5 < 0.7');
    expect(strict).toContain('# nic-errors: disabled in the configuration');
    expect(strict).not.toContain('NettriageNicErrors');
  });

  it('fires the CLOSE-WAIT, port exhaustion, conntrack and DNS alerts as the built-in rules do, on the same series', async () => {
    const cases: Case[] = [
      { name: 'leak of 120 a minute', closeWait: (t) => 10 + 2 * t },
      { name: 'leak of 12 a minute', closeWait: (t) => 10 + Math.floor(t / 5) },
      { name: 'a few, flat', closeWait: () => 5 },
      { name: 'table 92% full', conntrack: () => 920 },
      { name: 'table 97% full', conntrack: () => 970 },
      { name: 'table half full', conntrack: () => 500 },
      { name: 'ports 60% in use, flat', ports: () => 600 },
      { name: 'ports 90% in use, flat', ports: () => 900 },
      { name: 'ports 20% in use, flat', ports: () => 200 },
      { name: 'ports 42% in use, 120 more a minute: full within 5 minutes', ports: (t) => 420 + 2 * t },
      { name: 'a nameserver answering SERVFAIL', dns: () => ({ rcode: 'SERVFAIL', latencyMs: 3 }) },
      { name: 'a nameserver answering fast', dns: () => ({ rcode: 'NOERROR', latencyMs: 3 }) },
    ];
    const labels = 'instance="h", job="nettriage"';
    const tests = cases.map((c) => {
      const expected = builtIn(c);
      const id = c.closeWait ? 'close-wait-climbing' : c.ports ? 'ephemeral-port-exhaustion' : c.dns ? 'dns-failing' : 'conntrack-table-full';
      const alertname = alertName(id);
      const severity = expected.get(id);
      const input = c.closeWait
        ? [{ series: `nettriage_tcp_sockets{state="CLOSE-WAIT", ${labels}}`, values: series(c.closeWait) }]
        : c.dns
          ? [{ series: `nettriage_dns_rcode{nameserver="10.0.0.53", rcode="${c.dns(SECONDS).rcode}", ${labels}}`, values: series(() => 1) }]
          : c.ports
          ? [
              { series: `nettriage_destination_ephemeral_ports{local="10.0.0.1", peer="10.0.0.2:80", ${labels}}`, values: series(c.ports) },
              { series: `nettriage_ephemeral_ports_usable{${labels}}`, values: series(() => USABLE_PORTS) },
            ]
          : [
              { series: `nettriage_conntrack_entries{${labels}}`, values: series(c.conntrack!) },
              { series: `nettriage_conntrack_entries_limit{${labels}}`, values: series(() => 1000) },
            ];
      const expLabels = { severity, nettriage_rule: id, instance: 'h', job: 'nettriage', ...(c.closeWait ? { state: 'CLOSE-WAIT' } : {}), ...(c.ports ? { local: '10.0.0.1', peer: '10.0.0.2:80' } : {}), ...(c.dns ? { nameserver: '10.0.0.53', rcode: 'SERVFAIL' } : {}) };
      const expAnnotations = { summary: `${id} (${severity}) on h`, description: RULES.find((r) => r.id === id)?.fires };
      return {
        name: c.name,
        severity,
        yaml: {
          interval: '1s',
          input_series: input,
          alert_rule_test: [{ eval_time: `${SECONDS}s`, alertname, exp_alerts: severity ? [{ exp_labels: expLabels, exp_annotations: expAnnotations }] : [] }],
        },
      };
    });
    // The cases mean something only if the built-in rules say different things about them.
    expect(tests.map((t) => t.severity)).toEqual(['critical', 'warning', undefined, 'warning', 'critical', undefined, 'warning', 'critical', undefined, 'critical', 'critical', undefined]);
    const file = join(dir, 'test.yml');
    writeFileSync(file, JSON.stringify({ rule_files: ['rules.yml'], evaluation_interval: '1s', tests: tests.map((t) => t.yaml) }, null, 1));
    const run = await execa('promtool', ['test', 'rules', file], { reject: false });
    expect(run.stdout + run.stderr).toMatch(/SUCCESS/);
    expect(run.exitCode).toBe(0);
  }, 30_000);

  it('fires the rules below TCP on the series --metrics serves: a default route gone (not one that moved), a flapping carrier, a gateway that does not answer, a veth MTU mismatch, a PMTU black hole', async () => {
    const labels = 'instance="h", job="nettriage"';
    const rule = (id: string, severity: string, extra: Record<string, string> = {}) => ({
      exp_labels: { severity, nettriage_rule: id, instance: 'h', job: 'nettriage', ...extra },
      exp_annotations: { summary: `${id} (${severity}) on h`, description: RULES.find((r) => r.id === id)?.fires },
    });
    const tests = [
      {
        interval: '1s',
        input_series: [
          // A series the exposition stops serving is marked stale by Prometheus at its next scrape.
          { series: `nettriage_default_route{interface="eth0", gateway="192.0.2.1", ${labels}}`, values: '1x30 stale' },
          { series: `nettriage_default_route{interface="", gateway="", ${labels}}`, values: '_x30 0x30' },
        ],
        alert_rule_test: [
          { eval_time: '20s', alertname: 'NettriageNoDefaultRoute', exp_alerts: [] },
          { eval_time: '50s', alertname: 'NettriageNoDefaultRoute', exp_alerts: [rule('no-default-route', 'critical')] },
        ],
      },
      {
        interval: '1s',
        input_series: [
          { series: `nettriage_default_route{interface="eth0", gateway="192.0.2.1", ${labels}}`, values: '1x30 stale' },
          { series: `nettriage_default_route{interface="eth0", gateway="192.0.2.9", ${labels}}`, values: '_x30 1x30' },
        ],
        alert_rule_test: [{ eval_time: '50s', alertname: 'NettriageNoDefaultRoute', exp_alerts: [] }],
      },
      {
        interval: '1s',
        // Six carrier changes in the last minute: above 2, not above 8.
        input_series: [{ series: `nettriage_nic_stat_total{interface="eth0", stat="carrier_changes", ${labels}}`, values: '4x60 4+1x6 10x20' }],
        alert_rule_test: [
          { eval_time: '30s', alertname: 'NettriageLinkFlapping', exp_alerts: [] },
          { eval_time: '80s', alertname: 'NettriageLinkFlapping', exp_alerts: [rule('link-flapping', 'warning', { interface: 'eth0', stat: 'carrier_changes' })] },
        ],
      },
      {
        interval: '1s',
        input_series: [{ series: `nettriage_default_gateway_resolved{gateway="192.0.2.1", ${labels}}`, values: '1x20 0x20' }],
        alert_rule_test: [
          { eval_time: '15s', alertname: 'NettriageGatewayUnreachable', exp_alerts: [] },
          { eval_time: '35s', alertname: 'NettriageGatewayUnreachable', exp_alerts: [rule('gateway-unreachable', 'critical', { gateway: '192.0.2.1' })] },
        ],
      },
      {
        interval: '1s',
        // A veth end of MTU 1400 whose peer has 1500; it starts dropping after a minute.
        input_series: [
          { series: `nettriage_nic_mtu{interface="vm1", ${labels}}`, values: '1400x120' },
          { series: `nettriage_nic_mtu{interface="vm2", ${labels}}`, values: '1500x120' },
          { series: `nettriage_nic_peer_mtu{interface="vm1", peer="vm2", ${labels}}`, values: '1500x120' },
          { series: `nettriage_nic_peer_mtu{interface="vm2", peer="vm1", ${labels}}`, values: '1400x120' },
          { series: `nettriage_nic_stat_total{interface="vm1", stat="rx_dropped", ${labels}}`, values: '0x60 0+1x60' },
        ],
        alert_rule_test: [
          { eval_time: '30s', alertname: 'NettriageMtuMismatch', exp_alerts: [rule('mtu-mismatch', 'warning', { interface: 'vm1', peer: 'vm2' })] },
          { eval_time: '100s', alertname: 'NettriageMtuMismatch', exp_alerts: [rule('mtu-mismatch', 'critical', { interface: 'vm1', peer: 'vm2' })] },
        ],
      },
      {
        interval: '1s',
        input_series: [{ series: `nettriage_tcp_full_size_stall_backoff{peer="10.81.0.1", ${labels}}`, values: '1x10 2x10 3x10' }],
        alert_rule_test: [
          { eval_time: '5s', alertname: 'NettriagePmtuBlackhole', exp_alerts: [] },
          { eval_time: '15s', alertname: 'NettriagePmtuBlackhole', exp_alerts: [rule('pmtu-blackhole', 'warning', { peer: '10.81.0.1' })] },
          { eval_time: '25s', alertname: 'NettriagePmtuBlackhole', exp_alerts: [rule('pmtu-blackhole', 'critical', { peer: '10.81.0.1' })] },
        ],
      },
    ];
    const file = join(dir, 'below-tcp.yml');
    writeFileSync(file, JSON.stringify({ rule_files: ['rules.yml'], evaluation_interval: '1s', tests }, null, 1));
    const run = await execa('promtool', ['test', 'rules', file], { reject: false });
    expect(run.stdout + run.stderr).toMatch(/SUCCESS/);
    expect(run.exitCode).toBe(0);
  }, 30_000);
  it('fires the DNS rules on the series --metrics serves: a nameserver silent, slow, failing', async () => {
    const labels = 'instance="h", job="nettriage"';
    const rule = (id: string, severity: string, extra: Record<string, string> = {}) => ({
      exp_labels: { severity, nettriage_rule: id, instance: 'h', job: 'nettriage', ...extra },
      exp_annotations: { summary: `${id} (${severity}) on h`, description: RULES.find((r) => r.id === id)?.fires },
    });
    const tests = [
      {
        interval: '10s',
        input_series: [{ series: `nettriage_dns_probe_failures{nameserver="10.96.0.10", ${labels}}`, values: '0 1 2 2' }],
        alert_rule_test: [
          { eval_time: '10s', alertname: 'NettriageDnsUnreachable', exp_alerts: [] },
          { eval_time: '20s', alertname: 'NettriageDnsUnreachable', exp_alerts: [rule('dns-unreachable', 'warning', { nameserver: '10.96.0.10' })] },
        ],
      },
      {
        interval: '10s',
        input_series: [{ series: `nettriage_dns_answer_seconds{nameserver="10.96.0.10", ${labels}}`, values: '0.003 0.7 1.6' }],
        alert_rule_test: [
          { eval_time: '0s', alertname: 'NettriageDnsSlow', exp_alerts: [] },
          { eval_time: '10s', alertname: 'NettriageDnsSlow', exp_alerts: [rule('dns-slow', 'warning', { nameserver: '10.96.0.10' })] },
          { eval_time: '20s', alertname: 'NettriageDnsSlow', exp_alerts: [rule('dns-slow', 'critical', { nameserver: '10.96.0.10' })] },
        ],
      },
      {
        interval: '10s',
        input_series: [
          { series: `nettriage_dns_rcode{nameserver="10.96.0.10", rcode="NOERROR", ${labels}}`, values: '1 stale' },
          { series: `nettriage_dns_rcode{nameserver="10.96.0.10", rcode="SERVFAIL", ${labels}}`, values: '_ 1' },
        ],
        alert_rule_test: [
          { eval_time: '0s', alertname: 'NettriageDnsFailing', exp_alerts: [] },
          { eval_time: '10s', alertname: 'NettriageDnsFailing', exp_alerts: [rule('dns-failing', 'critical', { nameserver: '10.96.0.10', rcode: 'SERVFAIL' })] },
        ],
      },
    ];
    const file = join(dir, 'dns.yml');
    writeFileSync(file, JSON.stringify({ rule_files: ['rules.yml'], evaluation_interval: '10s', tests }, null, 1));
    const run = await execa('promtool', ['test', 'rules', file], { reject: false });
    expect(run.stdout + run.stderr).toMatch(/SUCCESS/);
    expect(run.exitCode).toBe(0);
  }, 30_000);
});
