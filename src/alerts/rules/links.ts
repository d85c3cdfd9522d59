import { NICS, type NicState } from '../../../collectors/nics.js';
import { ROUTES, type RoutesSample, routeCounterKey, routeSeriesKey } from '../../../collectors/routes.js';
import { type Route4, routeFor } from '../../../collectors/parse/routes.js';
import { COUNTERS } from '../../../collectors/counters.js';
import { PATHS, type PathsSample } from '../../../collectors/paths.js';
import { unresolvedNud } from '../../../collectors/parse/ipJson.js';
import { formatAge, formatCount, formatRate } from '../../format.js';
import { safeText } from '../../sanitize.js';
import { rateSeriesKey, type Store } from '../../store.js';
import { hysteresis, thresholds } from '../hysteresis.js';
import { type Alert, type Explanation, type Finding, defineRule } from '../types.js';
import { seriesWindow } from './helpers.js';
import { whyOf } from '../runbooks.js';

/** How much a counter rose over the last `windowMs`, from its per-second rate series. */
export function increaseOver(store: Store, owner: Parameters<typeof rateSeriesKey>[0], name: string, windowMs: number): number {
  const points = seriesWindow(store, rateSeriesKey(owner, name), windowMs, true);
  let sum = 0;
  for (let i = 1; i < points.length; i++) {
    const { t, v } = points[i] as { t: number; v: number };
    if (Number.isFinite(v)) sum += (v * (t - (points[i - 1] as { t: number }).t)) / 1000;
  }
  return Math.round(sum);
}

const routesOf = (store: Store): RoutesSample | undefined => store.sample(ROUTES)?.value;

/** What `ip` said at its last look, while it is recent enough to trust (it looks every 5–30 s). */
const PATHS_FRESH_MS = 60_000;
const pathsOf = (store: Store, nowMs: number): PathsSample | undefined => {
  const sample = store.sample(PATHS);
  return sample && nowMs - sample.atMs <= PATHS_FRESH_MS ? sample.value : undefined;
};

/** What the kernel's refusal of a route lookup means, by the errno `ip route get` prints. */
const REFUSALS: Record<string, string> = {
  'Network is unreachable': 'no route covers it (no default route to fall back on)',
  'No route to host': 'an unreachable route covers it',
  'Invalid argument': 'a blackhole route covers it',
  'Permission denied': 'a prohibit route covers it',
};

/** The routes of the main table that send traffic out of `nic`. */
const routesVia = (routes: RoutesSample | undefined, nic: string): Route4[] => (routes?.routes ?? []).filter((r) => r.dev === nic && !r.reject);

const flapsKey = (nic: string) => `${nic}/carrier_changes`;

export const linkFlapping = defineRule({
  id: 'link-flapping',
  needs: [NICS],
  fires: 'an interface’s carrier changes more than twice in 2 minutes (every change counted by the kernel, none missed between samples)',
  warmupMs: 0,
  params: {
    warnChanges: { kind: 'integer', default: 2, min: 0, max: 1_000_000, unit: 'carrier changes', help: 'warning above this many changes in the window' },
    critChanges: { kind: 'integer', default: 8, min: 0, max: 1_000_000, unit: 'carrier changes', help: 'critical above this many changes in the window' },
    windowSec: { kind: 'integer', default: 120, min: 10, max: 3600, unit: 's', help: 'the window the changes are counted over' },
  },
  evaluate(ctx) {
    const nics = ctx.store.sample(NICS)?.value.interfaces ?? [];
    const findings: Finding[] = [];
    const windowMs = ctx.params.windowSec * 1000;
    const states = ctx.store.counters(NICS);
    for (const nic of nics) {
      // Most interfaces never flap: their rate history (a node has hundreds of veths) is not walked every tick.
      const movedMs = states.get(flapsKey(nic.name))?.lastMovedMs;
      if (movedMs === undefined || ctx.nowMs - movedMs > windowMs) continue;
      const changes = increaseOver(ctx.store, NICS, flapsKey(nic.name), windowMs);
      // Thresholds are "more than": a value equal to the parameter is still calm.
      const severity = hysteresis(changes, ctx.previous(nic.name), thresholds(ctx.params.warnChanges + 1, ctx.params.critChanges + 1));
      if (!severity) continue;
      const name = safeText(nic.name);
      findings.push({
        subject: nic.name,
        severity,
        summary: `${name}: carrier changed ${changes} times in ${formatAge(ctx.params.windowSec * 1000)}, now ${nic.carrier === false ? 'down' : 'up'}${routesVia(routesOf(ctx.store), nic.name).length > 0 ? ' (it carries routes)' : ''}`,
        why: whyOf('link-flapping'),
        next: [ctx.inTarget(`ip -s -s link show ${nic.name}`), `ethtool ${nic.name}`, ctx.inTarget('ip monitor link'), `dmesg -T | grep -i '${nic.name}'`],
        link: { panel: 'nics', nic: nic.name },
      });
    }
    return findings;
  },
});

export const mtuMismatch = defineRule({
  id: 'mtu-mismatch',
  needs: [NICS],
  fires: 'the two ends of a veth in the namespace have different MTUs (critical while the pair drops packets)',
  warmupMs: 0,
  params: {},
  evaluate(ctx) {
    const nics = ctx.store.sample(NICS)?.value.interfaces ?? [];
    const byName = new Map(nics.map((n) => [n.name, n]));
    const findings: Finding[] = [];
    for (const nic of nics) {
      const peer = nic.kind === 'veth' && nic.peer !== undefined ? byName.get(nic.peer) : undefined;
      // One alert per pair, on the end with the smaller MTU (where the larger frames are refused).
      if (!peer || nic.mtu === undefined || peer.mtu === undefined || nic.mtu >= peer.mtu) continue;
      const dropping = ['rx_dropped', 'tx_dropped'].some((stat) => [nic.name, peer.name].some((n) => (ctx.store.counterMinuteRate(NICS, `${n}/${stat}`) ?? 0) > 0));
      const [small, large] = [safeText(nic.name), safeText(peer.name)];
      findings.push({
        subject: nic.name,
        severity: dropping ? 'critical' : 'warning',
        summary: `${small} has MTU ${nic.mtu}, its peer ${large} ${peer.mtu}: frames over ${nic.mtu} bytes from ${large} are dropped${dropping ? ' — dropping now' : ''}`,
        why: whyOf('mtu-mismatch'),
        next: [ctx.inTarget(`ip -d link show ${nic.name}`), ctx.inTarget(`ip -d link show ${peer.name}`), ctx.inTarget(`ip link set ${nic.name} mtu ${peer.mtu}`)],
        link: { panel: 'nics', nic: nic.name },
      });
    }
    return findings;
  },
});

export const destinationUnreachable = defineRule({
  id: 'destination-unreachable',
  needs: [ROUTES, COUNTERS],
  fires: 'packets leave with no route (IpOutNoRoutes rising), or `ip route get` is refused for a destination sockets are trying (an unreachable, blackhole or prohibit route, or none): connect() to it fails at once',
  warmupMs: 0,
  params: {
    noRoutePerSec: { kind: 'number', default: 0.01, min: 0, max: 1e9, unit: '/s (1-min avg)', help: 'warning at this rate of packets with no route' },
  },
  evaluate(ctx) {
    const routes = routesOf(ctx.store);
    const findings: Finding[] = [];
    const noRoute = (ctx.store.counterMinuteRate(COUNTERS, 'IpOutNoRoutes') ?? 0) + (ctx.store.counterMinuteRate(COUNTERS, 'Ip6OutNoRoutes') ?? 0);
    if (noRoute >= ctx.params.noRoutePerSec) {
      findings.push({
        subject: 'no route',
        severity: routes?.defaultRoute ? 'warning' : 'critical',
        summary: `${formatRate(noRoute)} packets/s leave with no route (IpOutNoRoutes)${routes?.defaultRoute ? '' : ': there is no default route'}; connect() to those destinations fails with ENETUNREACH`,
        why: 'The kernel found no route for these packets: a destination outside every network of the main table, with no default route to fall back on, or a policy rule that sends it to an empty table. Nothing waits: the sender gets ENETUNREACH at once, which applications often log as a generic connection error.',
        next: [ctx.inTarget('ip route show table all'), ctx.inTarget('ip rule'), ctx.inTarget('nstat -az IpOutNoRoutes Ip6OutNoRoutes')],
      });
    }
    // The destinations that matter now whose route lookup the kernel refuses: named, with how.
    for (const lookup of pathsOf(ctx.store, ctx.nowMs)?.lookups ?? []) {
      if (lookup.error === undefined) continue;
      const how = REFUSALS[lookup.error] ?? 'the kernel refuses to route it';
      findings.push({
        subject: lookup.destination,
        severity: 'critical',
        summary: `no route to ${lookup.destination}: ${how} — \`ip route get\` says "${safeText(lookup.error)}"; connect() to it fails at once`,
        why: 'Sockets are trying this destination (SYN-SENT, an alert names it, or it is among the busiest peers) and the kernel will not route it: an unreachable, blackhole or prohibit route (often left by a VPN client, a CNI plugin or a failover script), or no route at all once the default route went. Nothing leaves this host toward it.',
        next: [ctx.inTarget(`ip route get ${lookup.destination}`), ctx.inTarget('ip route show table all'), ctx.inTarget('ip rule')],
      });
    }
    return findings;
  },
  // Packets without a route once the default route went: that is the cause.
  causes: ['no-default-route'],
  explainedBy(alert, others, store) {
    // A destination refused as "Network is unreachable" has no route because the default route went.
    const unrouted = alert.subject === 'no route' || store.sample(PATHS)?.value.lookups.some((l) => l.destination === alert.subject && l.error === 'Network is unreachable');
    const gone = unrouted ? others.find((a) => a.id === noDefaultRoute.id) : undefined;
    return gone ? { cause: gone, why: 'These packets had a route until the default route went: the missing default route is the cause.', next: gone.next } : undefined;
  },
});

export const duplicateAddress = defineRule({
  id: 'duplicate-address',
  needs: [ROUTES],
  fires: 'an IPv6 address of the namespace failed duplicate address detection (dadfailed): another host on the link holds it',
  warmupMs: 0,
  params: {},
  evaluate(ctx) {
    return (routesOf(ctx.store)?.duplicates ?? []).map((a) => ({
      subject: a.address,
      severity: 'critical' as const,
      summary: `${a.address}/${a.prefixLength} on ${safeText(a.dev)} failed duplicate address detection: another host on the link answers for it, and the kernel will not use it`,
      why: whyOf('duplicate-address'),
      next: [ctx.inTarget(`ip -6 addr show dev ${a.dev}`), ctx.inTarget(`ip -6 neigh show ${a.address}`), ctx.inTarget(`ndisc6 ${a.address} ${a.dev}`)],
      link: { panel: 'nics' as const, nic: a.dev },
    }));
  },
});

/** Lost its carrier while watched: the kernel counted a change since nettriage started. */
function lostCarrierWhileWatched(store: Store, nic: NicState): boolean {
  return nic.carrier === false && store.counters(NICS).get(flapsKey(nic.name))?.lastMovedMs !== undefined;
}

export const linkDown = defineRule({
  id: 'link-down',
  needs: [NICS, ROUTES],
  fires: 'an interface that carries the default route has no carrier, or one that carries routes lost it while watched',
  warmupMs: 0,
  params: {},
  evaluate(ctx) {
    const nics = ctx.store.sample(NICS)?.value.interfaces ?? [];
    const routes = routesOf(ctx.store);
    const findings: Finding[] = [];
    for (const nic of nics) {
      const carriesDefault = routes?.defaultRoute?.dev === nic.name;
      const via = routesVia(routes, nic.name);
      if (nic.carrier !== false || !(carriesDefault || (via.length > 0 && lostCarrierWhileWatched(ctx.store, nic)))) continue;
      const name = safeText(nic.name);
      const what = carriesDefault ? 'the default route' : `${via.length} route${via.length === 1 ? '' : 's'} (${via.slice(0, 2).map((r) => `${r.destination}/${r.prefixLength}`).join(', ')})`;
      findings.push({
        subject: nic.name,
        severity: 'critical',
        summary: `${name} has no carrier (${nic.operstate}) and carries ${what}: nothing sent that way leaves`,
        why: whyOf('link-down'),
        next: [ctx.inTarget(`ip -d link show ${nic.name}`), `ethtool ${nic.name}`, ctx.inTarget('ip route'), ctx.inTarget('ip monitor link')],
        link: { panel: 'nics', nic: nic.name },
      });
    }
    return findings;
  },
});

export const noDefaultRoute = defineRule({
  id: 'no-default-route',
  needs: [ROUTES],
  fires: 'the namespace’s default route is gone (it had one while watched)',
  warmupMs: 0,
  params: {},
  evaluate(ctx) {
    const routes = routesOf(ctx.store);
    if (!routes || routes.defaultRoute || !routes.lastDefault) return [];
    const was = routes.lastDefault.route;
    const via = was.gateway ? `via ${was.gateway} dev ${safeText(was.dev)}` : `dev ${safeText(was.dev)}`;
    return [
      {
        subject: 'default',
        severity: 'critical',
        summary: `no default route: it was ${via} ${formatAge(ctx.nowMs - routes.lastDefault.atMs)} ago; only ${formatCount(routes.routeCount)} more specific route${routes.routeCount === 1 ? '' : 's'} left`,
        why: whyOf('no-default-route'),
        next: [ctx.inTarget('ip route show table all | grep -E "^default|unreachable|blackhole|prohibit"'), ctx.inTarget('ip rule'), 'journalctl -u systemd-networkd -u NetworkManager -u dhclient --since -10min'],
      },
    ];
  },
});

export const gatewayUnreachable = defineRule({
  id: 'gateway-unreachable',
  needs: [ROUTES],
  fires: 'the default gateway does not answer ARP (its neighbour entry INCOMPLETE or FAILED for 3 samples)',
  warmupMs: 0,
  params: {
    samples: { kind: 'integer', default: 3, min: 1, max: 60, unit: 'samples', help: 'unresolved this many samples in a row (ARP asks 3 times, a second apart, before FAILED)' },
  },
  evaluate(ctx) {
    const routes = routesOf(ctx.store);
    const gw = routes?.gateway;
    if (!gw || gw.state !== 'incomplete') return [];
    const recent = ctx.store.history(routeSeriesKey.gatewayUnresolved, ctx.params.samples);
    if (recent.length < ctx.params.samples || !recent.every((v) => v === 1)) return [];
    const entry = pathsOf(ctx.store, ctx.nowMs)?.neighbours.find((n) => n.address === gw.address && (n.dev === undefined || n.dev === gw.dev));
    const state = entry && unresolvedNud(entry.state) ? entry.state : 'INCOMPLETE or FAILED';
    return [
      {
        subject: gw.address,
        severity: 'critical',
        summary: `the default gateway ${gw.address} on ${safeText(gw.dev)} does not answer ARP: its neighbour entry is ${state}`,
        why: whyOf('gateway-unreachable'),
        next: [ctx.inTarget(`ip neigh show ${gw.address}`), ctx.inTarget(`arping -c 3 -I ${gw.dev} ${gw.address}`), ctx.inTarget(`ping -c 3 ${gw.address}`), ctx.inTarget(`ip -s link show ${gw.dev}`)],
        link: { panel: 'nics', nic: gw.dev },
      },
    ];
  },
});

export const neighbourTableFull = defineRule({
  id: 'neighbour-table-full',
  needs: [ROUTES],
  fires: 'the host’s neighbour table (ARP or NDP) nears gc_thresh3, or overflows',
  warmupMs: 0,
  params: {
    warnShare: { kind: 'number', default: 0.8, min: 0, max: 1, unit: 'of gc_thresh3', help: 'warning at this share of gc_thresh3' },
    critShare: { kind: 'number', default: 0.95, min: 0, max: 1, unit: 'of gc_thresh3', help: 'critical at this share of gc_thresh3' },
  },
  evaluate(ctx) {
    const routes = routesOf(ctx.store);
    const findings: Finding[] = [];
    for (const [family, table, fulls] of [
      ['ipv4', routes?.table4, routeCounterKey.table4Fulls],
      ['ipv6', routes?.table6, routeCounterKey.table6Fulls],
    ] as const) {
      if (!table?.gcThresh3) continue;
      const share = table.entries / table.gcThresh3;
      const overflowing = (ctx.store.counterMinuteRate(ROUTES, fulls) ?? 0) > 0;
      const severity = overflowing ? 'critical' : hysteresis(share, ctx.previous(family), thresholds(ctx.params.warnShare, ctx.params.critShare));
      if (!severity) continue;
      const sysctl = `net.${family}.neigh.default.gc_thresh3`;
      findings.push({
        subject: family,
        severity,
        summary: `${family === 'ipv4' ? 'ARP' : 'NDP'} table: ${formatCount(table.entries)} of ${formatCount(table.gcThresh3)} entries (${sysctl})${overflowing ? ' — full now: the kernel logs "neighbour table overflow" and drops packets to new neighbours' : ''}`,
        why: whyOf('neighbour-table-full'),
        next: [`sysctl net.${family}.neigh.default.gc_thresh1 net.${family}.neigh.default.gc_thresh2 ${sysctl}`, `ip -s ${family === 'ipv4' ? '-4' : '-6'} neigh show | wc -l`, 'dmesg -T | grep -i "neighbour table overflow"'],
      });
    }
    return findings;
  },
});

/**
 * The alert below TCP that explains connections to `address` going nowhere:
 * no route to it since the default route went, a default gateway that does
 * not answer ARP when the default route is what reaches it, or the link its
 * route leaves by down.
 */
export function pathCauseFor(address: string, others: Alert[], store: Store): Explanation | undefined {
  const refused = others.find((a) => a.id === destinationUnreachable.id && a.subject === address);
  if (refused) return { cause: refused, why: `The kernel will not route ${address}: these SYNs never leave this host. The route is the cause, not the peer.`, next: refused.next };
  const routes = routesOf(store);
  if (!routes) return undefined;
  const route = routeFor(routes.routes, address);
  const viaDefault = route === undefined || route.prefixLength === 0;
  const noRoute = others.find((a) => a.id === noDefaultRoute.id);
  if (noRoute && route === undefined) {
    return { cause: noRoute, why: `No route leads to ${address} since the default route went: the kernel has nowhere to send these SYNs. The route is the cause, not the peer.`, next: noRoute.next };
  }
  const gateway = others.find((a) => a.id === gatewayUnreachable.id);
  if (gateway && viaDefault && route?.gateway === gateway.subject) {
    return { cause: gateway, why: `${address} is reached through the default gateway ${gateway.subject}, which does not answer ARP: these SYNs never leave this host. The gateway is the cause, not the peer.`, next: gateway.next };
  }
  const down = route ? others.find((a) => a.id === linkDown.id && a.subject === route.dev) : undefined;
  if (down && route) {
    return { cause: down, why: `${address} is routed out of ${safeText(route.dev)}, which has no carrier: the SYNs go nowhere. The link is the cause, not the peer.`, next: down.next };
  }
  return undefined;
}
