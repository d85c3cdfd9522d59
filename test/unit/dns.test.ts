import { describe, expect, it } from 'vitest';
import { parseDig } from '../../collectors/parse/dig.js';
import { lookupCost, parseResolvConf } from '../../collectors/parse/resolvConf.js';
import { parseProcNetUdpPeers } from '../../collectors/parse/procNetTcp.js';
import { readCaptured } from '../helpers/realWorld.js';
import { CONNTRACK, type ConntrackSample } from '../../collectors/conntrack.js';
import { DNS, createDnsCollector } from '../../collectors/dns.js';
import { missingToolProblem } from '../../src/problems.js';
import type { TargetIO } from '../../src/targetIO.js';
import { buildLayers } from '../../src/layers.js';
import { defaultAlertConfig } from '../../src/alerts/config.js';
import { AlertEngine } from '../../src/alerts/engine.js';
import { RULES } from '../../src/registry.js';
import { Store } from '../../src/store.js';

describe('DNS as a namespace sees it', () => {
  it('reads a Kubernetes pod’s resolv.conf and says what an external name costs: 12 queries, 10 NXDOMAIN', () => {
    const { value, skippedLines, notes } = parseResolvConf(
      [
        '# written by the kubelet',
        'search shop.svc.cluster.local svc.cluster.local cluster.local eu-west-1.compute.internal corp.example',
        'nameserver 10.96.0.10',
        'options ndots:5 timeout:2 attempts:3 single-request-reopen',
        '',
      ].join('\n'),
    );
    expect(skippedLines).toBe(0);
    expect(notes).toEqual([]);
    expect(value).toEqual({ nameservers: ['10.96.0.10'], search: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'eu-west-1.compute.internal', 'corp.example'], ndots: 5, timeoutSec: 2, attempts: 3, options: ['ndots:5', 'timeout:2', 'attempts:3', 'single-request-reopen'] });
    expect(lookupCost(value, 'api.example.com')).toEqual({ name: 'api.example.com', queries: 12, nxdomain: 10 });
    // Enough dots, or a trailing one: asked as written first.
    expect(lookupCost(value, 'a.b.c.d.example.com')).toEqual({ name: 'a.b.c.d.example.com', queries: 2, nxdomain: 0 });
    expect(lookupCost(value, 'api.example.com.')).toEqual({ name: 'api.example.com.', queries: 2, nxdomain: 0 });
  });

  it('reads a host’s: the defaults, the last search line winning, a zoned IPv6 nameserver, and what it cannot use', () => {
    const { value, skippedLines, notes } = parseResolvConf(
      'domain old.example\nsearch lan\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\nnameserver not-an-address\nnameserver 10.0.0.1\nnameserver 10.0.0.2\n; comment\nbogus line\noptions ndots:99 edns0 trust-ad\n',
    );
    expect(value.nameservers).toEqual(['127.0.0.53', 'fe80::1%eth0', '10.0.0.1', '10.0.0.2']);
    expect(value.search).toEqual(['lan']);
    expect(value.ndots).toBe(15);
    expect(value.timeoutSec).toBe(5);
    expect(value.attempts).toBe(2);
    expect(skippedLines).toBe(2);
    expect(notes).toEqual(['4 nameservers: glibc uses the first 3']);
    expect(lookupCost(parseResolvConf('').value, 'example.com')).toEqual({ name: 'example.com', queries: 2, nxdomain: 0 });
  });

  it('reads dig’s answers from a nameserver that answers, slowly, with SERVFAIL or REFUSED, not at all, or is not there', () => {
    const dig = (name: string) => parseDig(readCaptured(`dig-${name}-bind9.18.txt`));
    expect(dig('ok')).toEqual({ rcode: 'NOERROR', latencyMs: 4 });
    expect(dig('slow')).toEqual({ rcode: 'NOERROR', latencyMs: 703 });
    expect(dig('servfail')).toEqual({ rcode: 'SERVFAIL', latencyMs: 0 });
    expect(dig('refused')).toEqual({ rcode: 'REFUSED', latencyMs: 3 });
    expect(dig('drop')).toEqual({ failure: 'timed out' });
    expect(dig('closed')).toEqual({ failure: 'connection refused' });
    // dig 9.16 and older say it on one line.
    expect(parseDig(';; connection timed out; no servers could be reached\n')).toEqual({ failure: 'timed out' });
    expect(parseDig('')).toEqual({ failure: 'no answer' });
  });

  it('finds the UDP sockets that talk to port 53', () => {
    const udp = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  123: 0100007F:A1B2 0A00600A:0035 01 00000000:00000000 00:00000000 00000000     0        0 1 2 ffff 0',
      '  124: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 ffff 0',
    ].join('\n');
    expect(parseProcNetUdpPeers(udp)).toEqual([53]);
  });
});

describe('the DNS conntrack race', () => {
  it('names the race while insert_failed climbs and sockets talk to port 53, and conntrack-drops rides under it', () => {
    const store = new Store();
    const engine = new AlertEngine(defaultAlertConfig(), { kind: 'host' }, RULES);
    const conf = parseResolvConf('nameserver 10.96.0.10\noptions ndots:5\n').value;
    let state = engine.evaluate(store, 0);
    for (let i = 0; i <= 70; i++) {
      const t = 1_000_000 + i * 1000;
      const at = { atMs: t, skippedLines: 0, notes: [] };
      store.recordSample(CONNTRACK, { ...at, value: { count: 10, max: 1000, fill: 0.01, source: 'procfs', stats: new Map() } as ConntrackSample }, {});
      store.recordCounters(CONNTRACK, t, new Map([['insert_failed', BigInt(i * 2)], ['drop', 0n], ['early_drop', 0n]]));
      store.recordSample(DNS, { ...at, value: { path: '/etc/resolv.conf', conf, cost: lookupCost(conf, 'api.example.com'), servers: [], probing: false, udp53Sockets: i > 60 ? 4 : 0 } }, {});
      store.commitTick(t);
      state = engine.evaluate(store, t);
    }
    const race = state.alerts.find((a) => a.id === 'dns-conntrack-race');
    expect(race?.summary).toBe('conntrack insert_failed at 2.0/s while 4 UDP sockets talk to port 53: lookups that lose the race wait 5 s');
    expect(race?.why).toMatch(/single-request-reopen/);
    expect(state.alerts.find((a) => a.id === 'conntrack-drops')?.causedBy).toEqual({ id: 'dns-conntrack-race', subject: 'udp/53' });
  });
});

describe('the DNS collector without dig', () => {
  it('shows the configuration, says dig is missing and which package has it, and judges no nameserver unreachable', async () => {
    const io = {
      resolvConf: async () => ({ path: '/etc/netns/x/resolv.conf', text: 'nameserver 10.96.0.10\n' }),
      run: async () => {
        throw missingToolProblem('dig');
      },
      readProcNetFiles: async () => new Map(),
    } as unknown as TargetIO;
    const collector = createDnsCollector({ probes: () => true, raceSuspect: () => false, off: () => undefined });
    const { value } = await collector.sample({ io, timeoutMs: 1000, tick: 0 });
    expect(value.probeProblem).toBe('dig not found: install the bind9-dnsutils (RHEL: bind-utils) package');
    expect(value.servers).toEqual([{ address: '10.96.0.10', probes: [] }]);
    const store = new Store();
    store.recordSample(DNS, { value, atMs: Date.now(), skippedLines: 0, notes: [] }, {});
    store.commitTick(Date.now());
    const state = new AlertEngine(defaultAlertConfig(), { kind: 'host' }, RULES).evaluate(store, Date.now());
    expect(state.alerts.filter((a) => a.id.startsWith('dns-'))).toEqual([]);
    expect(buildLayers(store, []).find((l) => l.layer === 'application')?.finding).toBe(
      'DNS 10.96.0.10 not asked yet (/etc/netns/x/resolv.conf); an external name costs 2 queries; not asked: dig not found: install the bind9-dnsutils (RHEL: bind-utils) package',
    );
  });
});
