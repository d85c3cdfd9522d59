import { isIP } from 'node:net';
import { CollectorProblem } from '../src/problems.js';
import {
  type InterfaceAddresses,
  type Neighbour,
  type NudState,
  type RouteLookup,
  parseIpAddrJson,
  parseIpNeighJson,
  parseIpRouteCacheJson,
  parseIpRouteGetJson,
  splitIpBatch,
  unresolvedNud,
} from './parse/ipJson.js';
import { type Collector, sampleKey } from './types.js';

/** What the kernel says about the paths that matter now: route lookups, neighbours, addresses. */
export interface PathsSample {
  /** The route the kernel picks for each destination that matters now, or its refusal. */
  lookups: RouteLookup[];
  /** Neighbour entries (both families, NOARP left out) by NUD state. */
  neighbourStates: Partial<Record<NudState, number>>;
  /** The neighbours asked for (the gateways) and those FAILED or INCOMPLETE, at most PATHS_KEPT. */
  neighbours: Neighbour[];
  addresses: InterfaceAddresses[];
  /** Route exceptions with a path MTU (learned from ICMP "fragmentation needed" / "packet too big"), at most PATHS_KEPT. */
  pmtuExceptions: RouteLookup[];
  /** When `ip` answered; between looks the sample stays. */
  atMs: number;
}

export const PATHS = sampleKey<PathsSample>('paths');
export const PATHS_KEPT = 200;
/** Route lookups per look: each is one line of the same `ip` run. */
export const LOOKUPS_MAX = 8;

/** What decides the next look. */
export interface PathsWanted {
  /** Addresses whose route matters now (SYN-SENT piles, alert subjects, the busiest peers). */
  destinations: string[];
  /** Neighbour addresses to keep whatever their state (the default gateways). */
  gateways: string[];
  /** Something below TCP looks wrong: look every URGENT_MS rather than every CALM_MS. */
  urgent: boolean;
  /** Why the kernel cannot be asked here (a fixture tree). */
  off?: string;
}

const CALM_MS = 30_000;
const URGENT_MS = 5_000;

/**
 * Route lookups, neighbour states, interface addresses and PMTU exceptions of the watched
 * namespace, from one `ip -j -force -batch -` (one process, however many
 * destinations): every 30 s while below TCP looks calm, every 5 s when it
 * does not or when the set of destinations changes, in the tick's own shell
 * (a few ms: a bulk shell of its own would live forever at this pace). The
 * per-tick files (/proc/net/route, arp, if_inet6) say whether something is
 * wrong; this says exactly what: the NUD state, the route `ip route get`
 * picks with its cached PMTU exception, the kernel's refusal.
 */
export function createPathsCollector(wanted: () => PathsWanted): Collector<PathsSample> {
  let last: PathsSample | undefined;
  let lastAskedMs = Number.NEGATIVE_INFINITY;
  let lastDestinations = '';
  return {
    key: PATHS,
    everyTicks: 1,
    async sample(ctx) {
      const nowMs = Date.now();
      const want = wanted();
      if (want.off) throw new CollectorProblem('inactive', want.off);
      const destinations = [...new Set(want.destinations.filter((d) => isIP(d) !== 0))].slice(0, LOOKUPS_MAX);
      const changed = destinations.join(' ') !== lastDestinations;
      if (last && nowMs - lastAskedMs < (want.urgent || changed ? URGENT_MS : CALM_MS)) return { value: last, skippedLines: 0, notes: [], atMs: last.atMs };
      lastAskedMs = nowMs;
      lastDestinations = destinations.join(' ');
      const commands = ['neigh show', 'addr show', 'route show table all cache', ...destinations.map((d) => `route get ${d}`)];
      // `ip -force` goes on past a failed line and exits 1: a lookup refused is an answer here.
      const r = await ctx.io.run(['ip', '-j', '-force', '-batch', '-'], { timeoutMs: ctx.timeoutMs, okExitCodes: [1], input: commands });
      const [neighAnswer, addrAnswer, cacheAnswer, ...routeAnswers] = splitIpBatch(commands.length, r.stdout, r.stderr);
      const neigh = parseIpNeighJson(neighAnswer && 'output' in neighAnswer ? neighAnswer.output : '');
      const addr = parseIpAddrJson(addrAnswer && 'output' in addrAnswer ? addrAnswer.output : '');
      const cache = parseIpRouteCacheJson(cacheAnswer && 'output' in cacheAnswer ? cacheAnswer.output : '');
      const pmtuExceptions = cache.value.filter((r) => r.pmtu !== undefined).slice(0, PATHS_KEPT);
      const lookups: RouteLookup[] = [];
      let skippedLines = neigh.skippedLines + addr.skippedLines + cache.skippedLines;
      routeAnswers.forEach((answer, i) => {
        const destination = destinations[i] as string;
        if ('error' in answer) return lookups.push({ destination, error: answer.error });
        const lookup = parseIpRouteGetJson(answer.output);
        // Named by what was asked: the answer's own `dst` is text from a tool.
        if (lookup) lookups.push({ ...lookup, destination });
        else skippedLines++;
      });
      const neighbourStates: Partial<Record<NudState, number>> = {};
      const gateways = new Set(want.gateways);
      const kept: Neighbour[] = [];
      for (const n of neigh.value) {
        if (n.state === 'NOARP') continue;
        neighbourStates[n.state] = (neighbourStates[n.state] ?? 0) + 1;
        if ((gateways.has(n.address) || unresolvedNud(n.state)) && kept.length < PATHS_KEPT) kept.push(n);
      }
      last = { lookups, neighbourStates, neighbours: kept, addresses: addr.value, pmtuExceptions, atMs: nowMs };
      return { value: last, skippedLines, notes: [...neigh.notes, ...addr.notes, ...cache.notes], atMs: nowMs };
    },
  };
}

/** The last lookup of a destination, if it was asked. */
export function lookupOf(paths: PathsSample | undefined, destination: string): RouteLookup | undefined {
  return paths?.lookups.find((l) => l.destination === destination);
}
