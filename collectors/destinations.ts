import { asProblem } from '../src/problems.js';
import type { PortRange } from './portRange.js';
import { endpointText } from './socketSummary.js';
import { type SocketEntry, parseSsSockets } from './ssSockets.js';
import type { TcpState } from './tcpState.js';
import type { Collector } from './types.js';

/**
 * A client's connections to one destination: they share (local IP, remote IP,
 * remote port), so they compete for the same ephemeral ports.
 */
export interface Destination {
  localAddress: string;
  /** `addr:port` */
  peer: string;
  count: number;
  byState: Partial<Record<TcpState, number>>;
}

export const destinationKey = (d: Pick<Destination, 'localAddress' | 'peer'>): string => `${d.localAddress}>${d.peer}`;

/**
 * Groups sockets by (local IP, remote IP, remote port). Only sockets whose
 * local port lies in the ephemeral range count: a server's accepted sockets
 * use its listening port and cannot exhaust anything.
 */
export function groupByDestination(sockets: SocketEntry[], range?: PortRange): Destination[] {
  const groups = new Map<string, Destination>();
  for (const s of sockets) {
    if (!s.state || s.state === 'LISTEN') continue;
    const port = Number(s.local.port);
    if (range && !(port >= range.low && port <= range.high)) continue;
    const d = { localAddress: s.local.address, peer: endpointText(s.peer) };
    const key = destinationKey(d);
    let g = groups.get(key);
    if (!g) {
      g = { ...d, count: 0, byState: {} };
      groups.set(key, g);
    }
    g.count++;
    g.byState[s.state] = (g.byState[s.state] ?? 0) + 1;
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || destinationKey(a).localeCompare(destinationKey(b)));
}

export interface DestinationsSample {
  /** The busiest destinations (top 10). */
  top: Destination[];
  /** Sockets read for this sample. */
  scanned: number;
}

export const DESTINATIONS_EVERY_TICKS = 5;

/**
 * Per-destination socket counts for the port-exhaustion alert. This needs a
 * dump of every non-listening socket, so it runs only while `shouldRun`
 * (there are enough sockets in the namespace for one destination to come
 * near the limit), and then every 5 ticks.
 */
export function createDestinationsCollector(shouldRun: () => { run: boolean; range?: PortRange }): Collector<DestinationsSample> {
  return {
    name: 'destinations',
    everyTicks: DESTINATIONS_EVERY_TICKS,
    series(v) {
      return Object.fromEntries(v.top.map((d) => [`dest:${destinationKey(d)}`, d.count]));
    },
    async sample(ctx) {
      const atMs = Date.now();
      const gate = shouldRun();
      if (!gate.run) return { value: { top: [], scanned: 0 }, skippedLines: 0, notes: [], atMs };
      try {
        const r = await ctx.io.run(['ss', '-tan', 'exclude', 'listening'], { timeoutMs: ctx.timeoutMs, lane: 'bulk' });
        const parsed = parseSsSockets(r.stdout);
        return {
          value: { top: groupByDestination(parsed.value, gate.range).slice(0, 10), scanned: parsed.value.length },
          skippedLines: parsed.skippedLines,
          notes: [],
          atMs,
        };
      } catch (error) {
        throw asProblem(error);
      }
    },
  };
}
