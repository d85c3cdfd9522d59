import { COUNTERS } from '../../collectors/counters.js';
import { SOCKETS } from '../../collectors/sockets.js';
import type { Alert, Severity } from '../alerts/types.js';
import { safeText } from '../sanitize.js';
import { type Target, targetLabel } from '../target.js';
import type { FleetState, NamespaceWatch } from './fleet.js';

/** One row of the namespaces overview. */
export interface OverviewRow {
  key: string;
  /** `ip netns` name, else container or pod, else the inode; `(host)` marks the host's. Escaped. */
  label: string;
  inode: number;
  processes: number;
  estab?: number;
  closeWait?: number;
  timeWait?: number;
  synSent?: number;
  /** Per second, at the last tick. */
  retransPerSec?: number;
  overflowsPerSec?: number;
  resetsPerSec?: number;
  alerts: number;
  worst?: Severity;
  /** The first alert's id and subject, or why there are no numbers. */
  remark: string;
  /** What the dashboard watches when Enter switches to it; none for a name nothing runs in and no name reaches. */
  target?: Target;
}

/** How a namespace is called on screen: what a person would search for. */
export function namespaceLabel(w: NamespaceWatch): string {
  const { ns } = w;
  const parts: string[] = [];
  if (ns.host) parts.push('(host)');
  if (ns.names.length > 0) parts.push(ns.names.join(', '));
  const c = ns.container;
  if (c?.podUid) parts.push(`pod ${c.podUid.slice(0, 8)}${c.id ? `/${c.id}` : ''}`);
  else if (c) parts.push(`${c.runtime}${c.id ? ` ${c.id}` : ''}`);
  if (parts.length === 0 || (parts.length === 1 && ns.host)) parts.push(`net:[${ns.inode}]`);
  return safeText(parts.join(' '));
}

const perSec = (w: NamespaceWatch, name: string) => w.store.counters(COUNTERS).get(name)?.perSec;

/** The overview's rows, worst first (as the fleet orders them), those matching `filter` (any part of the label). */
export function overviewRows(state: FleetState | undefined, filter = ''): OverviewRow[] {
  const needle = filter.toLowerCase();
  return (state?.namespaces ?? [])
    .map((w): OverviewRow => {
      // Unread (too many sockets to list, or its process just went): unknown, not zero.
      const states = w.unread === undefined ? w.store.sample(SOCKETS)?.value.states : undefined;
      const critical = w.alerts.some((a) => a.severity === 'critical');
      const first = w.alerts[0];
      const row: OverviewRow = {
        key: String(w.ns.inode),
        label: namespaceLabel(w),
        inode: w.ns.inode,
        processes: w.ns.processes,
        alerts: w.alerts.length,
        remark: first ? `${first.id} ${safeText(first.subject)}` : (w.unread ?? ''),
      };
      if (w.alerts.length > 0) row.worst = critical ? 'critical' : 'warning';
      if (w.target.kind !== 'pid' || w.target.pid > 0) row.target = w.target;
      if (states) {
        row.estab = states.ESTAB;
        row.closeWait = states['CLOSE-WAIT'];
        row.timeWait = states['TIME-WAIT'];
        row.synSent = states['SYN-SENT'];
      }
      const retrans = perSec(w, 'TcpRetransSegs');
      const overflows = perSec(w, 'TcpExtListenOverflows');
      const resets = perSec(w, 'TcpOutRsts');
      if (retrans !== undefined) row.retransPerSec = retrans;
      if (overflows !== undefined) row.overflowsPerSec = overflows;
      if (resets !== undefined) row.resetsPerSec = resets;
      return row;
    })
    .filter((r) => needle === '' || r.label.toLowerCase().includes(needle) || String(r.inode).includes(needle));
}

/**
 * The alerts of every namespace but the one on screen, named after their
 * namespace: a leak in pod 47 shows on the host's dashboard, and Enter on it
 * switches there. Of the one on screen, those its own rules do not (yet)
 * say: just after a switch the dashboard's rules are warming up, and the
 * alert that led there must not turn into "no alerts".
 */
export function alertsElsewhere(state: FleetState | undefined, watching: Target, own: Alert[] = []): Alert[] {
  const here = targetLabel(watching);
  const ownIds = new Set(own.map((a) => a.id));
  return (state?.namespaces ?? []).flatMap((w) => {
    const onScreen = targetLabel(w.target) === here;
    return w.alerts
      .filter((a) => !onScreen || !ownIds.has(a.id))
      .map((a) => ({ ...a, subject: `${namespaceLabel(w)}: ${a.subject}`, ...(onScreen ? {} : { link: { panel: 'sockets' as const, namespace: w.target } }) }));
  });
}
