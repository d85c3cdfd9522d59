import { type Address6, type Neighbour4, type NeighbourTableStat, type Route4, defaultRoute, parseIfInet6, parseNeighbourStat, parseProcNetArp, parseProcNetRoute } from './parse/routes.js';
import { type Collector, sampleKey } from './types.js';

/** A neighbour table against the size at which the kernel stops adding entries. */
export interface NeighbourTable extends NeighbourTableStat {
  /** net.ipv{4,6}.neigh.default.gc_thresh3: above it new entries fail ("neighbour table overflow"). */
  gcThresh3?: number;
}

export interface RoutesSample {
  /** The default route the kernel uses (IPv4 main table); undefined when there is none. */
  defaultRoute?: Route4;
  /** Routes of the main table (the record keeps the default, the rejects and the count). */
  routes: Route4[];
  routeCount: number;
  /** The last default route seen in this run, and when: what a vanished one was. */
  lastDefault?: { route: Route4; atMs: number };
  /** The default route's gateway as the neighbour table knows it: absent (never asked), complete, or not (INCOMPLETE/FAILED). */
  gateway?: { address: string; dev: string; state: 'complete' | 'incomplete' | 'absent' };
  /** IPv4 neighbours of the namespace that are INCOMPLETE or FAILED, up to ROUTES_KEPT. */
  unresolved: Neighbour4[];
  neighbours: number;
  /** IPv6 addresses whose duplicate address detection failed (unusable), up to ROUTES_KEPT. */
  duplicates?: Address6[];
  /** The host's neighbour tables (shared by every namespace). */
  table4?: NeighbourTable;
  table6?: NeighbourTable;
}

export const ROUTES = sampleKey<RoutesSample>('routes');
export const ROUTES_KEPT = 200;

export const routeSeriesKey = {
  hasDefault: 'routes/default',
  /** 1 while the default gateway's neighbour entry is INCOMPLETE or FAILED. */
  gatewayUnresolved: 'routes/gateway-unresolved',
  unresolved: 'routes/unresolved',
  table4Entries: 'routes/neigh4-entries',
} as const;

export const routeCounterKey = { table4Fulls: 'neigh4/table_fulls', table6Fulls: 'neigh6/table_fulls' } as const;

/** The host's neighbour-table sizes are read again this often (they change only by sysctl). */
const THRESH_EVERY_MS = 30_000;

/**
 * Routes and neighbours of the watched namespace, every tick, from files
 * only: /proc/net/route (IPv4 main table), /proc/net/arp, the IPv6
 * addresses' flags (/proc/net/if_inet6: a duplicate address), and the host's
 * neighbour table statistics (/proc/net/stat/{arp,ndisc}_cache: the table
 * is shared by every namespace, and so is its gc_thresh3).
 */
export function createRoutesCollector(): Collector<RoutesSample> {
  let thresholds: { atMs: number; v4?: number; v6?: number } | undefined;
  let lastDefault: { route: Route4; atMs: number } | undefined;
  let lastGateway: RoutesSample['gateway'];
  return {
    key: ROUTES,
    everyTicks: 1,
    series(v) {
      return {
        [routeSeriesKey.hasDefault]: v.defaultRoute ? 1 : 0,
        [routeSeriesKey.gatewayUnresolved]: v.gateway?.state === 'incomplete' ? 1 : 0,
        [routeSeriesKey.unresolved]: v.unresolved.length,
        ...(v.table4 ? { [routeSeriesKey.table4Entries]: v.table4.entries } : {}),
      };
    },
    counters(v) {
      const out = new Map<string, bigint>();
      if (v.table4) out.set(routeCounterKey.table4Fulls, v.table4.tableFulls);
      if (v.table6) out.set(routeCounterKey.table6Fulls, v.table6.tableFulls);
      return out;
    },
    async sample(ctx) {
      const atMs = Date.now();
      const files = await ctx.io.readProcNetFiles(['route', 'arp', 'if_inet6'], ['route'], ctx.timeoutMs);
      const addresses6 = parseIfInet6(files.get('if_inet6') ?? '');
      const duplicates = addresses6.value.filter((a) => a.dadFailed).slice(0, ROUTES_KEPT);
      const routes = parseProcNetRoute(files.get('route') ?? '');
      const arp = parseProcNetArp(files.get('arp') ?? '');
      const stats = ctx.io.readKernelFiles(['net/stat/arp_cache', 'net/stat/ndisc_cache']);
      if (!thresholds || atMs - thresholds.atMs >= THRESH_EVERY_MS) {
        const sys = ctx.io.readKernelFiles(['sys/net/ipv4/neigh/default/gc_thresh3', 'sys/net/ipv6/neigh/default/gc_thresh3']);
        const int = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined);
        thresholds = { atMs, ...optional('v4', int(sys.get('sys/net/ipv4/neigh/default/gc_thresh3'))), ...optional('v6', int(sys.get('sys/net/ipv6/neigh/default/gc_thresh3'))) };
      }
      const table = (text: string | undefined, gcThresh3: number | undefined): NeighbourTable | undefined => {
        const stat = text === undefined ? undefined : parseNeighbourStat(text);
        return stat ? { ...stat, ...optional('gcThresh3', gcThresh3) } : undefined;
      };
      const route = defaultRoute(routes.value);
      const value: RoutesSample = {
        routes: routes.value,
        routeCount: routes.value.length,
        unresolved: arp.value.filter((n) => !n.complete).slice(0, ROUTES_KEPT),
        neighbours: arp.value.length,
        ...(duplicates.length > 0 ? { duplicates } : {}),
      };
      if (route) lastDefault = { route, atMs };
      if (lastDefault) value.lastDefault = lastDefault;
      if (route) {
        value.defaultRoute = route;
        if (route.gateway !== undefined) {
          const entry = arp.value.find((n) => n.address === route.gateway && n.dev === route.dev);
          const before = lastGateway?.address === route.gateway && lastGateway.dev === route.dev ? lastGateway.state : undefined;
          // A FAILED entry is garbage-collected, and the next connect() makes a new INCOMPLETE one: gone after
          // unresolved is still unresolved, until the gateway answers (else its alert would blink out between).
          const state = entry === undefined ? (before === 'incomplete' ? 'incomplete' : 'absent') : entry.complete ? 'complete' : 'incomplete';
          value.gateway = { address: route.gateway, dev: route.dev, state };
        }
      }
      const t4 = table(stats.get('net/stat/arp_cache'), thresholds.v4);
      const t6 = table(stats.get('net/stat/ndisc_cache'), thresholds.v6);
      lastGateway = value.gateway;
      if (t4) value.table4 = t4;
      if (t6) value.table6 = t6;
      return { value, skippedLines: routes.skippedLines + arp.skippedLines + addresses6.skippedLines, notes: [], atMs };
    },
  };
}

function optional<K extends string, V>(key: K, v: V | undefined): { [k in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [k in K]?: V };
}
