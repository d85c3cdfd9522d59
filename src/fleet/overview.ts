import { COUNTERS } from '../../collectors/counters.js';
import { SOCKETS } from '../../collectors/sockets.js';
import type { Alert, ClosedAlert, Severity } from '../alerts/types.js';
import { safeText } from '../sanitize.js';
import { type Target, targetLabel } from '../target.js';
import type { NetNamespace } from '../../collectors/parse/namespaces.js';
import { rateSeriesKey } from '../store.js';
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
  /** Retransmits + listen overflows + resets per second, a value per fleet tick, oldest first. */
  trouble: number[];
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

/** `pod default/web-7d9f`, `pod 1a2b3c4d/abc123`, `docker web (abc123)` or `docker abc123`: what its processes' cgroup and the runtime's files tell. */
function containerLabel(ns: NetNamespace): string | undefined {
  const c = ns.container;
  if (c?.podName) return `pod ${c.podNamespace ? `${c.podNamespace}/` : ''}${c.podName}`;
  if (c?.podUid) return `pod ${c.podUid.slice(0, 8)}${c.id ? `/${c.id}` : ''}`;
  if (c?.name) return `${c.runtime} ${c.name}${c.id ? ` (${c.id})` : ''}`;
  return c ? `${c.runtime}${c.id ? ` ${c.id}` : ''}` : undefined;
}

/** How a namespace is called on screen: what a person would search for. */
export function namespaceLabel(ns: NetNamespace): string {
  const parts: string[] = [];
  if (ns.host) parts.push('(host)');
  if (ns.names.length > 0) parts.push(ns.names.join(', '));
  const container = containerLabel(ns);
  if (container) parts.push(container);
  if (parts.length === 0 || (parts.length === 1 && ns.host)) parts.push(`net:[${ns.inode}]`);
  return safeText(parts.join(' '));
}

/** The rates the overview's sparkline adds up: what says a namespace's TCP is in trouble. */
const TROUBLE_COUNTERS = ['TcpRetransSegs', 'TcpExtListenOverflows', 'TcpOutRsts'];
export const TROUBLE_TICKS = 60;

function troubleHistory(w: NamespaceWatch, ticks: number): number[] {
  const histories = TROUBLE_COUNTERS.map((name) => w.store.history(rateSeriesKey(COUNTERS, name), ticks));
  const length = Math.max(0, ...histories.map((h) => h.length));
  return Array.from({ length }, (_, i) => {
    // Aligned on the newest tick; a rate series starts when its counter first moves (zeros before).
    const values = histories.map((h) => h[h.length - length + i]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0);
  });
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
        label: namespaceLabel(w.ns),
        trouble: troubleHistory(w, TROUBLE_TICKS),
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
      .map((a) => ({ ...a, subject: `${namespaceLabel(w.ns)}: ${a.subject}`, ...(onScreen ? {} : { link: { panel: 'sockets' as const, namespace: w.target } }) }));
  });
}

/** Alerts of namespaces that went, closed as "namespace gone": said on the dashboard for a minute. */
export function alertsClosedElsewhere(state: FleetState | undefined): ClosedAlert[] {
  return (state?.gone ?? []).flatMap((g) =>
    g.alerts.map((a) => ({ id: a.id, severity: a.severity, subject: `${namespaceLabel(g.ns)}: ${a.subject}`, why: 'namespace gone', atMs: g.atMs })),
  );
}

/**
 * The watched namespace as the header names it: its container or pod, its
 * other names, and its inode (what `ip netns identify` and
 * /proc/PID/ns/net agree on). Undefined until the fleet has read it.
 */
export function watchedNamespace(state: FleetState | undefined, watching: Target): string | undefined {
  const here = targetLabel(watching);
  const w = state?.namespaces.find((n) => targetLabel(n.target) === here);
  if (!w) return undefined;
  // The name the target already says is not said twice.
  const names = w.ns.names.filter((n) => watching.kind !== 'netns' || n !== watching.name);
  const container = containerLabel(w.ns);
  return safeText([...(names.length > 0 ? [names.join(', ')] : []), ...(container ? [container] : []), `net:[${w.ns.inode}]`].join(' '));
}
