import { NICS } from '../collectors/nics.js';
import { PATHS } from '../collectors/paths.js';
import { DNS, type DnsSample } from '../collectors/dns.js';
import type { RouteLookup } from '../collectors/parse/ipJson.js';
import { ROUTES } from '../collectors/routes.js';
import { SOCKETS } from '../collectors/sockets.js';
import { type Alert, causes } from './alerts/types.js';
import type { PanelId } from './panelId.js';
import { safeText } from './sanitize.js';
import type { Store } from './store.js';

/** The triage flow, bottom-up: stop at the first layer that is broken. */
export const LAYERS = ['link', 'route', 'transport', 'application'] as const;
export type LayerId = (typeof LAYERS)[number];

export const LAYER_TITLES: Record<LayerId, string> = {
  link: 'L1/2 link and NIC',
  route: 'L3 route, neighbour, IP',
  transport: 'L4 sockets, queues, conntrack',
  application: 'L7 DNS and the application',
};

/** Which rules speak for which layer. */
const RULES_OF: Record<LayerId, readonly string[]> = {
  link: ['link-down', 'link-flapping', 'mtu-mismatch', 'nic-errors', 'softnet-drops', 'softnet-squeeze', 'qdisc-drops'],
  route: ['no-default-route', 'destination-unreachable', 'gateway-unreachable', 'neighbour-table-full', 'duplicate-address', 'pmtu-blackhole'],
  transport: [
    'close-wait-climbing',
    'ephemeral-port-exhaustion',
    'time-wait-overflow',
    'syn-sent-stuck',
    'accept-queue-overflow',
    'tcp-retransmits',
    'conntrack-table-full',
    'conntrack-drops',
    'udp-buffer-errors',
    'orphan-sockets',
    'socket-memory-pressure',
  ],
  application: ['dns-unreachable', 'dns-slow', 'dns-failing', 'dns-conntrack-race'],
};

/** One line of the checklist. */
export interface LayerCheck {
  layer: LayerId;
  title: string;
  /** `broken`: a critical alert of its own; `degraded`: a warning; `unknown`: its sources give no data; `unchecked`: nettriage does not look there. */
  status: 'ok' | 'broken' | 'degraded' | 'unknown' | 'unchecked';
  /** ✓ what was checked, or the worst finding. */
  finding: string;
  /** The next command, for a layer that is not ok. */
  next?: string;
  /** The lowest layer that is broken (or degraded, when none is broken): where to stop and look. */
  first?: true;
  /** What Enter opens: the panel that shows this layer, and the alert it is about. */
  opens?: { panel: PanelId; alert?: { id: string; subject: string } };
  /** What the layer's last look found, a line each (the routes the kernel picks for the destinations that matter). */
  details?: string[];
}

/** `10.94.0.2 via 10.93.0.2 dev cra src 10.93.0.1, PMTU 1280 cached (599 s)`, or the kernel's refusal. */
export function lookupText(l: RouteLookup): string {
  if (l.error !== undefined) return safeText(`${l.destination}: ${l.error}`);
  const via = l.gateway ? ` via ${l.gateway}` : '';
  const dev = l.dev ? ` dev ${l.dev}` : '';
  const type = l.type && l.type !== 'unicast' ? `${l.type} ` : '';
  const pmtu = l.pmtu !== undefined ? `, PMTU ${l.pmtu} cached${l.expiresSec !== undefined ? ` (${l.expiresSec} s)` : ''}` : '';
  return safeText(`${type}${l.destination}${via}${dev}${l.source ? ` src ${l.source}` : ''}${pmtu}`);
}

/**
 * What the route layer shows under its line: the route lookups of the last
 * look, refusals first, then the PMTU exceptions the lookups did not show.
 */
function routeDetails(store: Store): string[] | undefined {
  const paths = store.sample(PATHS)?.value;
  if (!paths) return undefined;
  const asked = new Set(paths.lookups.map((l) => l.destination));
  const lines = [
    ...[...paths.lookups].sort((a, b) => Number(b.error !== undefined) - Number(a.error !== undefined)).map((l) => `route get ${lookupText(l)}`),
    ...paths.pmtuExceptions.filter((e) => !asked.has(e.destination)).map((e) => `cached ${lookupText(e)}`),
  ];
  return lines.length > 0 ? lines : undefined;
}

/** The layer a rule speaks for; undefined for a rule no layer lists. */
export function layerOfRule(id: string): LayerId | undefined {
  return LAYERS.find((layer) => RULES_OF[layer].includes(id));
}

const worst = (alerts: Alert[]): Alert | undefined => alerts.find((a) => a.severity === 'critical') ?? alerts[0];

/** What was checked and found fine, per layer, from the samples. */
function calmText(store: Store, layer: LayerId): string {
  switch (layer) {
    case 'link': {
      const nics = store.sample(NICS)?.value.interfaces ?? [];
      const routed = new Set((store.sample(ROUTES)?.value.routes ?? []).map((r) => r.dev));
      const carrying = nics.filter((n) => routed.has(n.name));
      return `${nics.length} interface${nics.length === 1 ? '' : 's'}; ${carrying.length === 0 ? 'none carries a route' : `carrier on ${carrying.map((n) => safeText(n.name)).slice(0, 3).join(', ')}`}; no errors, no flaps`;
    }
    case 'route': {
      const routes = store.sample(ROUTES)?.value;
      if (!routes) return 'routes not read yet';
      const d = routes.defaultRoute;
      const gw = routes.gateway;
      const paths = store.sample(PATHS)?.value;
      // The exact NUD state when `ip neigh` has been asked; the file says only resolved or not.
      const nud = gw ? paths?.neighbours.find((n) => n.address === gw.address && (n.dev === undefined || n.dev === gw.dev))?.state : undefined;
      const gwText = gw ? `, gateway ${nud ?? (gw.state === 'complete' ? 'resolved' : gw.state === 'absent' ? 'not asked yet' : 'UNRESOLVED')}` : '';
      const states = paths?.neighbourStates ?? {};
      const neighbours = paths ? `${Object.values(states).reduce((a, b) => a + (b ?? 0), 0)} neighbours, ${(states.FAILED ?? 0) + (states.INCOMPLETE ?? 0)} FAILED or INCOMPLETE` : `${routes.unresolved.length} unresolved neighbour${routes.unresolved.length === 1 ? '' : 's'}`;
      return `${d ? `default ${d.gateway ? `via ${d.gateway}` : 'on-link'} dev ${safeText(d.dev)}` : 'no default route (none seen)'}${gwText}; ${neighbours}`;
    }
    case 'transport': {
      const s = store.sample(SOCKETS)?.value;
      if (!s) return 'sockets not read yet';
      const total = Object.values(s.states).reduce((a, b) => a + (b ?? 0), 0);
      return `${total} TCP socket${total === 1 ? '' : 's'}, no leak, no stuck SYN, no full queue, no retransmit storm`;
    }
    case 'application': {
      const dns = store.sample(DNS)?.value;
      if (!dns) return `DNS not read${store.status(DNS).problem ? `: ${store.status(DNS).problem?.message}` : ' yet'}`;
      return dnsText(dns);
    }
  }
}

/** `DNS 10.0.0.10 NOERROR 3 ms, 10.0.0.11 NOERROR 5 ms (/etc/resolv.conf); an external name costs 12 queries (10 NXDOMAIN): ndots:5, 5 search domains` */
function dnsText(dns: DnsSample): string {
  const servers = dns.servers.map((s) => {
    const last = s.probes.at(-1);
    return `${s.address} ${last === undefined ? 'not asked yet' : last.rcode !== undefined ? `${last.rcode} ${last.latencyMs ?? '?'} ms` : last.failure}`;
  });
  const cost = `an external name costs ${dns.cost.queries} quer${dns.cost.queries === 1 ? 'y' : 'ies'}${dns.cost.nxdomain > 0 ? ` (${dns.cost.nxdomain} NXDOMAIN): ndots:${dns.conf.ndots}, ${dns.conf.search.length} search domain${dns.conf.search.length === 1 ? '' : 's'}` : ''}`;
  const nameservers = servers.length === 0 ? 'no nameserver' : servers.join(', ');
  return safeText(`DNS ${nameservers} (${dns.path}); ${cost}${dns.probeProblem ? `; not asked: ${dns.probeProblem}` : ''}`);
}

/** Whether the DNS line has anything judged: a probe answered or failed. */
const dnsProbed = (store: Store): boolean => (store.sample(DNS)?.value.servers ?? []).some((s) => s.probes.length > 0);

const LAYER_PANEL: Record<LayerId, PanelId | undefined> = { link: 'nics', route: 'nics', transport: 'sockets', application: undefined };

/**
 * The lesson's table, live: one line per layer, bottom-up, each ✓ or its
 * worst finding and the next command; the lowest layer that is broken is
 * marked first. A symptom riding under a cause of a lower layer counts
 * there, not where its rule sits.
 */
export function buildLayers(store: Store, alerts: Alert[], blind: { id: string }[] = []): LayerCheck[] {
  const standing = causes(alerts);
  const checks: LayerCheck[] = LAYERS.map((layer) => {
    const own = standing.filter((a) => RULES_OF[layer].includes(a.id));
    const top = worst(own);
    const panel = LAYER_PANEL[layer];
    if (layer === 'application' && !top && !dnsProbed(store)) return { layer, title: LAYER_TITLES[layer], status: 'unchecked', finding: calmText(store, layer) };
    if (top) {
      const more = own.length > 1 ? ` (+${own.length - 1} more)` : '';
      const link = top.link?.panel ?? panel;
      return {
        layer,
        title: LAYER_TITLES[layer],
        status: top.severity === 'critical' ? 'broken' : 'degraded',
        finding: `${top.id}: ${top.summary}${more}`,
        ...(top.next[0] ? { next: top.next[0] } : {}),
        ...(link ? { opens: { panel: link, alert: { id: top.id, subject: top.subject } } } : {}),
      };
    }
    const unknown = blind.find((b) => RULES_OF[layer].includes(b.id));
    if (unknown) return { layer, title: LAYER_TITLES[layer], status: 'unknown', finding: `${unknown.id} cannot judge: its source gives no data`, ...(panel ? { opens: { panel } } : {}) };
    return { layer, title: LAYER_TITLES[layer], status: 'ok', finding: calmText(store, layer), ...(panel ? { opens: { panel } } : {}) };
  });
  const first = checks.find((c) => c.status === 'broken') ?? checks.find((c) => c.status === 'degraded');
  if (first) first.first = true;
  const route = checks.find((c) => c.layer === 'route');
  const details = routeDetails(store);
  if (route && details) route.details = details;
  return checks;
}
