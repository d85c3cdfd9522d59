import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { CONNTRACK } from '../../collectors/conntrack.js';
import { COUNTERS } from '../../collectors/counters.js';
import { DESTINATIONS } from '../../collectors/destinations.js';
import { NICS } from '../../collectors/nics.js';
import { SOCKET_MEMORY } from '../../collectors/socketMemory.js';
import { SOFTNET, createSoftnetCollector } from '../../collectors/softnet.js';
import { QDISCS } from '../../collectors/qdiscs.js';
import { ROUTES } from '../../collectors/routes.js';
import { STALLS } from '../../collectors/stalls.js';
import { DNS } from '../../collectors/dns.js';
import { lookupCost, parseResolvConf } from '../../collectors/parse/resolvConf.js';
import { SOCKETS, socketSeries } from '../../collectors/sockets.js';
import type { SampleKey } from '../../collectors/types.js';
import { AlertsPanel } from '../../components/AlertsPanel.js';
import { defaultAlertConfig } from '../../src/alerts/config.js';
import { AlertEngine } from '../../src/alerts/engine.js';
import { buildAlertPanel } from '../../src/panels/alerts.js';
import { CollectorProblem, missingToolProblem } from '../../src/problems.js';
import { buildRecord } from '../../src/record.js';
import { RULES } from '../../src/registry.js';
import { Store } from '../../src/store.js';
import { socketStateSample } from '../helpers/samples.js';

/** A healthy, quiet host: every source the rules judge has data, and nothing is wrong. */
function healthy(store: Store, atMs: number, except?: SampleKey<unknown>) {
  const feed = <T,>(key: SampleKey<T>, value: T, series: Record<string, number> = {}) => {
    if (key.name !== except?.name) store.recordSample(key, { value, atMs, skippedLines: 0, notes: [] }, series);
  };
  const sockets = socketStateSample({ ESTAB: 3, LISTEN: 2 }, { portRange: { low: 40000, high: 40999, reserved: 0, usable: 1000 }, limits: { maxOrphans: 1000 } });
  feed(SOCKETS, sockets, socketSeries(sockets));
  feed(COUNTERS, { total: 2, values: new Map([['TcpOutSegs', BigInt(atMs)], ['TcpRetransSegs', 0n]]) });
  if (except?.name !== COUNTERS.name) store.recordCounters(COUNTERS, atMs, new Map([['TcpOutSegs', BigInt(atMs)], ['TcpRetransSegs', 0n]]));
  feed(CONNTRACK, { count: 10, max: 1000, fill: 0.01, source: 'procfs', stats: new Map() });
  feed(NICS, { interfaces: [], source: 'ip' });
  feed(DESTINATIONS, { top: [], scanned: 0 });
  feed(SOCKET_MEMORY, { tcp: { pages: 10, low: 1000, pressure: 2000, max: 3000 } });
  const softnet = { cpus: [{ cpu: 0, processed: 100, dropped: 0, timeSqueeze: 0 }] };
  feed(SOFTNET, softnet);
  feed(QDISCS, { qdiscs: [] });
  feed(ROUTES, { routes: [], routeCount: 0, unresolved: [], neighbours: 0 });
  feed(STALLS, { stalled: [], scanned: 0, atMs });
  const conf = parseResolvConf('nameserver 10.0.0.10\n').value;
  feed(DNS, { path: '/etc/resolv.conf', conf, cost: lookupCost(conf, 'api.example.com'), servers: [{ address: '10.0.0.10', probes: [{ rcode: 'NOERROR', latencyMs: 2, atMs }] }], probing: true });
  if (except?.name !== SOFTNET.name) store.recordCounters(SOFTNET, atMs, createSoftnetCollector().counters?.(softnet) ?? new Map());
}

const sources = [...new Map(RULES.flatMap((r) => r.needs).map((k) => [k.name, k])).values()];

describe('no false calm', () => {
  it('judges every source some rule needs', () => {
    expect(sources.map((s) => s.name).sort()).toEqual(['conntrack', 'counters', 'destinations', 'dns', 'nics', 'qdiscs', 'routes', 'socketMemory', 'sockets', 'softnet', 'stalls']);
  });

  it('with every source healthy, says all is quiet with every rule watching', () => {
    const store = new Store();
    const engine = new AlertEngine(defaultAlertConfig(), { kind: 'host' }, RULES);
    healthy(store, 1_000_000);
    store.commitTick(1_000_000);
    const state = engine.evaluate(store, 1_000_000);
    expect(state.blind).toEqual([]);
    expect(state.watching).toBe(RULES.length);
    expect(buildAlertPanel(state).quiet.text).toMatch(/^✓ no alerts/);
  });

  for (const blinded of sources) {
    for (const how of ['fails', 'never answered'] as const) {
      it(`blinds the rules that need ${blinded.name} when it ${how}, on screen and in the record`, async () => {
        const store = new Store();
        const engine = new AlertEngine(defaultAlertConfig(), { kind: 'host' }, RULES);
        const atMs = 1_000_000;
        if (how === 'fails') {
          healthy(store, atMs);
          store.commitTick(atMs);
          healthy(store, atMs + 1000, blinded);
          store.recordProblem(blinded, missingToolProblem('ss'), atMs + 1000);
        } else {
          healthy(store, atMs + 1000, blinded);
        }
        store.commitTick(atMs + 1000);
        const state = engine.evaluate(store, atMs + 1000);
        const needing = RULES.filter((r) => r.needs.some((k) => k.name === blinded.name)).map((r) => r.id);
        expect(state.blind.map((b) => b.id).sort()).toEqual([...needing].sort());
        expect(state.watching).toBe(RULES.length - needing.length);

        const model = buildAlertPanel(state, atMs + 1000);
        const app = render(<AlertsPanel model={model} width={160} height={12} focused={false} selected={0} />);
        const frame = app.lastFrame() ?? '';
        app.unmount();
        expect(frame).not.toContain('✓ no alerts');
        expect(frame).toContain(`blind: ${blinded.name}`);
        expect(frame).toMatch(/rules? blind/);

        const record = buildRecord(store, { kind: 'host' }, 1000, state, atMs + 1000);
        expect(record.unknown.map((u) => u.id).sort()).toEqual([...needing].sort());
        expect(record.unknown[0]?.sources[0]?.source).toBe(blinded.name);
      });
    }
  }

  it('keeps an alert up while its rule is blind, instead of clearing it', () => {
    const store = new Store();
    const engine = new AlertEngine(defaultAlertConfig(), { kind: 'host' }, RULES);
    const full = (atMs: number) => {
      healthy(store, atMs, CONNTRACK);
      store.recordSample(CONNTRACK, { value: { count: 990, max: 1000, fill: 0.99, source: 'procfs', stats: new Map() }, atMs, skippedLines: 0, notes: [] }, {});
      store.commitTick(atMs);
    };
    full(1_000_000);
    expect(engine.evaluate(store, 1_000_000).alerts.map((a) => a.id)).toContain('conntrack-table-full');
    healthy(store, 1_001_000, CONNTRACK);
    store.recordProblem(CONNTRACK, new CollectorProblem('timeout', 'no answer within 2.0 s'), 1_001_000);
    store.commitTick(1_001_000);
    const blind = engine.evaluate(store, 1_001_000);
    expect(blind.alerts.map((a) => a.id)).toContain('conntrack-table-full');
    expect(blind.blind.map((b) => b.id)).toContain('conntrack-table-full');
  });

  it('does not call a host without connection tracking blind: nothing to watch is something seen', () => {
    const store = new Store();
    const engine = new AlertEngine(defaultAlertConfig(), { kind: 'host' }, RULES);
    healthy(store, 1_000_000, CONNTRACK);
    store.recordProblem(CONNTRACK, new CollectorProblem('inactive', 'connection tracking is not active here (nf_conntrack not loaded)'), 1_000_000);
    store.commitTick(1_000_000);
    expect(engine.evaluate(store, 1_000_000).blind).toEqual([]);
  });
});
