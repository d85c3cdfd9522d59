import { CONNECTS } from '../collectors/connects.js';
import { COUNTERS } from '../collectors/counters.js';
import { DESTINATIONS, type DestinationsContext } from '../collectors/destinations.js';
import { OWNERS, type OwnersWanted } from '../collectors/owners.js';
import { SOCKETS } from '../collectors/sockets.js';
import type { CollectorContext } from './collectorContext.js';
import { NICS } from '../collectors/nics.js';
import type { PathsWanted } from '../collectors/paths.js';
import type { DnsWanted } from '../collectors/dns.js';
import { CONNTRACK } from '../collectors/conntrack.js';
import { ROUTES } from '../collectors/routes.js';
import { STALLS } from '../collectors/stalls.js';
import { parseEndpoint } from './endpoint.js';
import { layerOfRule } from './layers.js';
import { closeWaitClimbing, destinationSubject, ephemeralPortExhaustion, synSentStuck } from './alerts/rules/sockets.js';
import { paramsOf } from './alerts/types.js';
import { movedRecently } from './panels/common.js';
import type { TcpState } from './tcpState.js';

/**
 * What makes the expensive queries worth running, from what the store and
 * the alert rules already know. Collectors take these as functions, so they
 * stay free of the rules that judge their output.
 */

/**
 * The owners the alerts name: of CLOSE-WAIT once it is above the leak
 * rule's floor, of LISTEN while accept queues overflow, and — where
 * connect() cannot be traced — of the live sockets toward each destination
 * the port-exhaustion rule alerts on and of a SYN-SENT pile.
 */
export function ownersWanted(ctx: CollectorContext): OwnersWanted {
  const sockets = ctx.store.sample(SOCKETS)?.value;
  const states: TcpState[] = [];
  if (sockets && sockets.states['CLOSE-WAIT'] >= paramsOf(ctx.config, closeWaitClimbing).floor) states.push('CLOSE-WAIT');
  const overflow = ctx.store.counters(COUNTERS).get('TcpExtListenOverflows');
  const recent = movedRecently(overflow, Date.now()) && overflow?.perSec !== undefined;
  if (recent || (sockets?.unusual.listeners.some((l) => l.backlog !== undefined && l.acceptQueue >= l.backlog) ?? false)) states.push('LISTEN');
  // The connect() tracer names the clients; where it cannot (no root, no tracefs), ss -p tries to catch
  // their live sockets: those of the destinations running out of ports, and those of a SYN-SENT pile.
  const untraced = ctx.store.status(CONNECTS).problem !== undefined;
  if (untraced && ctx.alerts().alerts.some((a) => a.id === synSentStuck.id)) states.push('SYN-SENT');
  const exhausted = new Set(untraced ? ctx.alerts().alerts.filter((a) => a.id === ephemeralPortExhaustion.id).map((a) => a.subject) : []);
  const top = exhausted.size > 0 ? (ctx.store.sample(DESTINATIONS)?.value.top ?? []) : [];
  return { states, destinations: top.filter((d) => exhausted.has(destinationSubject(d))) };
}

/** The physical interfaces, and those named with --ethtool that exist: whose driver counters ethtool -S reads. */
export function ethtoolTargets(ctx: CollectorContext): string[] {
  const nics = ctx.store.sample(NICS)?.value.interfaces ?? [];
  const known = new Set(nics.map((n) => n.name));
  const physical = nics.filter((n) => n.physical).map((n) => n.name);
  return [...new Set([...physical, ...ctx.ethtoolInterfaces.filter((n) => known.has(n))])];
}

/** How many destinations the connect() tracer follows at once. */
const CONNECTS_TRACED = 8;

/**
 * The destinations whose connecting processes are traced: those a
 * port-exhaustion alert names (TIME-WAIT has no owner, and a client's live
 * sockets last a millisecond), those SYN-SENT piles up toward, and those an
 * open drill-down lists. None while no such alert or drill-down is up: then
 * no tracing runs.
 */
export function connectsWanted(ctx: CollectorContext): string[] {
  const peers = new Set<string>();
  for (const a of ctx.alerts().alerts) {
    const peer = a.id === ephemeralPortExhaustion.id ? a.link?.destination?.split('>')[1] : a.id === synSentStuck.id ? a.subject : undefined;
    if (peer) peers.add(peer);
  }
  for (const peer of ctx.drilledPeers()) peers.add(peer);
  return [...peers].slice(0, CONNECTS_TRACED);
}

/** How many of a leaking state's top holders have their fds and RSS followed. */
const VITALS_OF_TOP = 3;

/**
 * The processes whose fds and memory the CLOSE-WAIT alert forecasts: the
 * top holders of CLOSE-WAIT, once the owners are known (the owners gate
 * asks for them only above the leak rule's floor).
 */
export function vitalsWanted(ctx: CollectorContext): number[] {
  return (ctx.store.sample(OWNERS)?.value.byState['CLOSE-WAIT']?.owners ?? []).slice(0, VITALS_OF_TOP).map((o) => o.pid);
}

/** The socket counts and the port-exhaustion rule's shares, from the store and the alert config. */
export function destinationsContext(ctx: CollectorContext): DestinationsContext {
  const sockets = ctx.store.sample(SOCKETS)?.value;
  const clientSockets = sockets ? Object.entries(sockets.states).reduce((n, [state, count]) => (state === 'LISTEN' ? n : n + count), 0) : 0;
  const { warnShare, clearShare } = paramsOf(ctx.config, ephemeralPortExhaustion);
  return {
    ...(sockets?.portRange ? { range: sockets.portRange } : {}),
    clientSockets,
    watchShare: Math.min(warnShare, clearShare),
    warnShare,
    alerting: ctx.alerts().alerts.some((a) => a.id === ephemeralPortExhaustion.id),
  };
}

/**
 * Whether connections that back off are worth looking for: the namespace
 * retransmitted data (not only SYNs) in the last minute.
 */
export function stallsWanted(ctx: CollectorContext): boolean {
  const rate = (name: string) => ctx.store.counterMinuteRate(COUNTERS, name) ?? 0;
  return rate('TcpRetransSegs') - rate('TcpExtTCPSynRetrans') > 0;
}

/** How many of each kind of destination a route lookup follows. */
const LOOKUPS_EACH = 3;

/**
 * The destinations whose route the kernel is asked for: those SYN-SENT
 * piles up toward, the subjects of the alerts that name a peer, the peers
 * of connections backing off, and the busiest peers; the default gateways,
 * whose neighbour state is kept. Urgent while anything below TCP is wrong.
 */
export function pathsWanted(ctx: CollectorContext): PathsWanted {
  const address = (endpoint: string | undefined) => (endpoint === undefined ? undefined : (parseEndpoint(endpoint)?.address ?? endpoint));
  const alerts = ctx.alerts().alerts;
  const named = alerts.map((a) => (a.id === ephemeralPortExhaustion.id ? address(a.link?.destination?.split('>')[1]) : a.id === synSentStuck.id ? address(a.subject) : a.id === 'pmtu-blackhole' || a.id === 'destination-unreachable' ? a.subject : undefined));
  const synSent = (ctx.store.sample(SOCKETS)?.value.unusual.synSentByPeer ?? []).map((p) => address(p.endpoint));
  const stalled = (ctx.store.sample(STALLS)?.value.stalled ?? []).map((s) => s.peerAddress);
  const busiest = (ctx.store.sample(DESTINATIONS)?.value.top ?? []).map((d) => address(d.peer));
  const destinations = [...named, ...synSent.slice(0, LOOKUPS_EACH), ...stalled.slice(0, LOOKUPS_EACH), ...busiest.slice(0, LOOKUPS_EACH)].filter((d): d is string => d !== undefined);
  const routes = ctx.store.sample(ROUTES)?.value;
  const gateways = [routes?.defaultRoute?.gateway, routes?.lastDefault?.route.gateway].filter((g): g is string => g !== undefined);
  const below = alerts.some((a) => {
    const layer = layerOfRule(a.id);
    return layer === 'link' || layer === 'route';
  });
  return {
    destinations,
    gateways,
    urgent: below || routes?.gateway?.state === 'incomplete' || synSent.length > 0,
    ...(ctx.fixtureTree ? { off: 'not with --proc-root: routes and neighbours are asked of the live kernel, not of a tree' } : {}),
  };
}

/** DNS probes only while someone watches the DNS line; the sockets to port 53 only while conntrack insert_failed climbs. */
export function dnsWanted(ctx: CollectorContext): DnsWanted {
  return {
    probes: () => ctx.dnsWatched(),
    raceSuspect: () => (ctx.store.counterMinuteRate(CONNTRACK, 'insert_failed') ?? 0) > 0,
    off: () => (ctx.fixtureTree ? 'not with --proc-root: DNS is asked of the live namespace, not of a tree' : undefined),
  };
}
