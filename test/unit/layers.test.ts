import { describe, expect, it } from 'vitest';
import { ROUTES, type RoutesSample } from '../../collectors/routes.js';
import type { Alert } from '../../src/alerts/types.js';
import { LAYERS, buildLayers, layerOfRule } from '../../src/layers.js';
import { RULES } from '../../src/registry.js';
import { Store } from '../../src/store.js';

const alert = (id: string, severity: Alert['severity'], extra: Partial<Alert> = {}): Alert => ({ id, severity, subject: 's', summary: `${id} summary`, why: 'why', next: [`next for ${id}`], sinceMs: 0, ...extra });

function storeWithRoutes(): Store {
  const store = new Store();
  const routes: RoutesSample = {
    routes: [{ dev: 'eth0', destination: '0.0.0.0', prefixLength: 0, gateway: '192.0.2.1', metric: 0, reject: false }],
    defaultRoute: { dev: 'eth0', destination: '0.0.0.0', prefixLength: 0, gateway: '192.0.2.1', metric: 0, reject: false },
    routeCount: 1,
    gateway: { address: '192.0.2.1', dev: 'eth0', state: 'complete' },
    unresolved: [],
    neighbours: 1,
  };
  store.recordSample(ROUTES, { value: routes, skippedLines: 0, notes: [], atMs: 1000 }, {});
  store.commitTick(1000);
  return store;
}

describe('the triage checklist', () => {
  it('puts every rule on exactly one layer', () => {
    for (const rule of RULES) expect(layerOfRule(rule.id), rule.id).toBeDefined();
  });

  it('is calm bottom-up when nothing fires, and says L7 is not checked', () => {
    const layers = buildLayers(storeWithRoutes(), []);
    expect(layers.map((l) => [l.layer, l.status])).toEqual([
      ['link', 'ok'],
      ['route', 'ok'],
      ['transport', 'ok'],
      ['application', 'unchecked'],
    ]);
    expect(layers[1]?.finding).toMatch(/^default via 192\.0\.2\.1 dev eth0, gateway resolved/);
    expect(layers.some((l) => l.first)).toBe(false);
  });

  it('marks the lowest broken layer first, even when a higher layer is broken too', () => {
    const layers = buildLayers(storeWithRoutes(), [alert('close-wait-climbing', 'critical'), alert('gateway-unreachable', 'critical', { subject: '192.0.2.1' }), alert('nic-errors', 'warning')]);
    expect(layers.map((l) => l.status)).toEqual(['degraded', 'broken', 'broken', 'unchecked']);
    expect(layers.filter((l) => l.first).map((l) => l.layer)).toEqual(['route']);
    expect(layers[1]?.finding).toBe('gateway-unreachable: gateway-unreachable summary');
    expect(layers[1]?.next).toBe('next for gateway-unreachable');
    expect(layers[1]?.opens?.alert).toEqual({ id: 'gateway-unreachable', subject: '192.0.2.1' });
  });

  it('counts a symptom where its cause is: a SYN-SENT pile under a dead gateway does not break L4', () => {
    const layers = buildLayers(storeWithRoutes(), [alert('gateway-unreachable', 'critical'), alert('syn-sent-stuck', 'critical', { causedBy: { id: 'gateway-unreachable', subject: 's' } })]);
    expect(layers.find((l) => l.layer === 'transport')?.status).toBe('ok');
    expect(layers.find((l) => l.first)?.layer).toBe('route');
  });

  it('says a layer is unknown when its rules are blind', () => {
    const layers = buildLayers(storeWithRoutes(), [], [{ id: 'link-down' }]);
    expect(layers[0]?.status).toBe('unknown');
    expect(LAYERS).toHaveLength(4);
  });
});
