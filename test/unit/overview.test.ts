import { describe, expect, it } from 'vitest';
import { COUNTERS } from '../../collectors/counters.js';
import type { NetNamespace } from '../../collectors/parse/namespaces.js';
import type { Alert } from '../../src/alerts/types.js';
import type { FleetState, NamespaceWatch } from '../../src/fleet/fleet.js';
import { alertsClosedElsewhere, namespaceLabel, overviewRows, watchedNamespace } from '../../src/fleet/overview.js';
import { alertLines, buildAlertPanel } from '../../src/panels/alerts.js';
import { Store } from '../../src/store.js';

const pod: NetNamespace = { inode: 4026532999, names: [], processes: 3, representative: 700, host: false, container: { runtime: 'kubepods', podUid: '1a2b3c4d-0000-1111-2222-333344445555', id: 'abc123def456' } };
const named: NetNamespace = { inode: 4026532100, names: ['blue'], processes: 1, representative: 800, host: false };
const host: NetNamespace = { inode: 4026531840, names: [], processes: 90, representative: 1, host: true };

function watch(ns: NetNamespace, target: NamespaceWatch['target'], store = new Store()): NamespaceWatch {
  return { ns, target, store, alerts: [] };
}

const alert = (id: string): Alert =>
  ({ id, severity: 'critical', subject: 'node (pid 9)', summary: 's', why: 'w', next: [], sinceMs: 0 }) as unknown as Alert;

describe('the namespaces overview', () => {
  it("sums retransmits, overflows and resets per second tick by tick into the row's sparkline", () => {
    const store = new Store();
    let retrans = 0n;
    let rsts = 0n;
    for (let t = 0; t < 6; t++) {
      // Retransmits from the start at 4/s; resets start moving at the fourth tick, 10/s.
      if (t > 0) retrans += 4n;
      if (t > 3) rsts += 10n;
      store.recordCounters(COUNTERS, t * 1000, new Map([['TcpRetransSegs', retrans], ['TcpExtListenOverflows', 0n], ['TcpOutRsts', rsts]]));
      store.commitTick(t * 1000);
    }
    const [row] = overviewRows({ namespaces: [watch(pod, { kind: 'pid', pid: 700 }, store)], gone: [] });
    expect(row?.trouble.slice(-5)).toEqual([4, 4, 4, 14, 14]);
    expect(row?.retransPerSec).toBe(4);
    expect(row?.resetsPerSec).toBe(10);
  });

  it('names the watched namespace in the header: container or pod, other names, inode', () => {
    const state: FleetState = { namespaces: [watch(host, { kind: 'host' }), watch(pod, { kind: 'pid', pid: 700 }), watch(named, { kind: 'netns', name: 'blue' })], gone: [] };
    expect(watchedNamespace(state, { kind: 'pid', pid: 700 })).toBe('pod 1a2b3c4d/abc123def456 net:[4026532999]');
    expect(watchedNamespace(state, { kind: 'host' })).toBe('net:[4026531840]');
    // The name the target says is not said again.
    expect(watchedNamespace(state, { kind: 'netns', name: 'blue' })).toBe('net:[4026532100]');
    expect(watchedNamespace(state, { kind: 'pid', pid: 12345 })).toBeUndefined();
    // Names from the runtime's files, where they were found.
    const namedPod: NetNamespace = { ...pod, container: { ...pod.container!, podName: 'web-0', podNamespace: 'shop' } };
    expect(watchedNamespace({ namespaces: [watch(namedPod, { kind: 'pid', pid: 700 })], gone: [] }, { kind: 'pid', pid: 700 })).toBe('pod shop/web-0 net:[4026532999]');
    const docker: NetNamespace = { ...named, names: [], container: { runtime: 'docker', id: 'abc123def456', name: 'web\u001b[2J' } };
    expect(namespaceLabel(docker)).toBe('docker web\\x1b[2J (abc123def456)');
    expect(watchedNamespace(undefined, { kind: 'host' })).toBeUndefined();
  });

  it('closes the alerts of a namespace that went as "namespace gone", on the dashboard too', () => {
    const state: FleetState = { namespaces: [], gone: [{ ns: pod, atMs: 10_000, alerts: [alert('close-wait-climbing')] }] };
    const closed = alertsClosedElsewhere(state);
    expect(closed).toEqual([{ id: 'close-wait-climbing', severity: 'critical', subject: 'pod 1a2b3c4d/abc123def456: node (pid 9)', why: 'namespace gone', atMs: 10_000 }]);
    const panel = buildAlertPanel({ alerts: [], disabled: [], watching: 8, blind: [], closed }, 22_000);
    const lines = alertLines(panel, undefined).map((l) => l.text);
    expect(lines).toEqual(['✕ closed   close-wait-climbing  pod 1a2b3c4d/abc123def456: node (pid 9)  · namespace gone 12s ago']);
    // Closed alerts are not up: the header's badges do not count them.
    expect(panel.critical).toBe(0);
  });
});
