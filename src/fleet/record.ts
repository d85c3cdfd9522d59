import { SOCKETS } from '../../collectors/sockets.js';
import { CONNTRACK } from '../../collectors/conntrack.js';
import { COUNTERS } from '../../collectors/counters.js';
import type { TcpStateCounts } from '../tcpState.js';
import { CURATED_COUNTERS } from '../panels/counters.js';
import { type AlertRecord, type CounterRecord, alertRecord, counterRecord } from '../record.js';
import { targetLabel } from '../target.js';
import type { FleetState, NamespaceWatch } from './fleet.js';

/** One namespace in `--json --all-netns`'s `namespaces` array. */
export interface NamespaceRecord {
  inode: number;
  names: string[];
  host: boolean;
  /** The namespace nettriage's dashboard, record and unlabelled series are about. */
  watched: boolean;
  /** How nettriage reaches it: `netns:NAME`, `pid:PID` or `host`. */
  target: string;
  /**
   * Its processes (nettriage's own not counted), the one read through, and
   * the reader nettriage keeps in it when nothing else runs there.
   */
  pids: { count: number; representative: number | null; reader: number | null };
  /** Names from the runtime's state files on the host, null where they give none. */
  container: { runtime: string; id: string | null; name: string | null } | null;
  pod: { uid: string | null; name: string | null; namespace: string | null } | null;
  tcp: { states: TcpStateCounts; udp: number; closeWaitHeld: { seconds: number; count: number }[] } | { error: string };
  /** The curated counters of the dashboard's counter panel: `{value, rate}`. */
  counters: Record<string, CounterRecord>;
  /** Its conntrack entries (its own count) against the host-wide nf_conntrack_max, and the events that lose connections. */
  conntrack: { count: number; max: number; fill: number; stats: Record<string, CounterRecord> } | { error: string };
  alerts: AlertRecord[];
}

export function namespaceRecord(w: NamespaceWatch, watchedInode?: number): NamespaceRecord {
  const sockets = w.store.sample(SOCKETS)?.value;
  const counters = w.store.counters(COUNTERS);
  const c = w.ns.container;
  return {
    inode: w.ns.inode,
    names: w.ns.names,
    host: w.ns.host,
    watched: w.ns.inode === watchedInode,
    target: targetLabel(w.target),
    pids: { count: w.ns.processes, representative: w.ns.representative ?? null, reader: w.reader ?? null },
    container: c && c.runtime !== 'kubepods' ? { runtime: c.runtime, id: c.id ?? null, name: c.name ?? null } : null,
    pod: c?.podUid || c?.podName ? { uid: c.podUid ?? null, name: c.podName ?? null, namespace: c.podNamespace ?? null } : null,
    tcp: sockets ? { states: sockets.states, udp: sockets.udp, closeWaitHeld: sockets.closeWaitHeld } : { error: w.unread ?? 'no sample yet' },
    counters: Object.fromEntries(CURATED_COUNTERS.filter((k) => counters.has(k.name)).map((k) => [k.name, counterRecord(counters.get(k.name))])),
    conntrack: conntrackRecord(w),
    alerts: w.alerts.map(alertRecord),
  };
}

function conntrackRecord(w: NamespaceWatch): NamespaceRecord['conntrack'] {
  const c = w.unread === undefined ? w.store.sample(CONNTRACK)?.value : undefined;
  if (!c) return { error: w.unread ?? w.store.status(CONNTRACK).problem?.message ?? 'no sample yet' };
  const events = w.store.counters(CONNTRACK);
  return { count: c.count, max: c.max, fill: c.fill, stats: Object.fromEntries([...events].map(([name, state]) => [name, counterRecord(state)])) };
}

/** What `--all-netns` adds to a record: every namespace, worst first, and those that just went. */
export interface GoneRecord {
  inode: number;
  names: string[];
  since: string;
  /** The alerts that were up when it went: closed as "namespace gone", not cleared. */
  alertsClosed: { id: string; severity: string; subject: string; closed: 'namespace gone' }[];
}

export function fleetRecord(state: FleetState, watchedInode?: number): { namespaces: NamespaceRecord[]; namespacesGone: GoneRecord[] } {
  return {
    namespaces: state.namespaces.map((w) => namespaceRecord(w, watchedInode)),
    namespacesGone: state.gone.map((g) => ({
      inode: g.ns.inode,
      names: g.ns.names,
      since: new Date(g.atMs).toISOString(),
      alertsClosed: g.alerts.map((a) => ({ id: a.id, severity: a.severity, subject: a.subject, closed: 'namespace gone' as const })),
    })),
  };
}
