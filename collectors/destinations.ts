import { CostCadence } from '../src/costCadence.js';
import { endpointText, parseEndpoint } from '../src/endpoint.js';
import { type TcpState, isTcpState } from '../src/tcpState.js';
import type { PortRange } from './parse/portRange.js';
import { type SocketEntry } from './parse/ssSockets.js';
import { LARGE_DUMP_BYTES } from '../src/targetShell.js';
import { type Collector, type Parsed, type Sampled, sampleKey } from './types.js';

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

/**
 * The same groups as `groupByDestination(parseSsSockets(text).value, range)`,
 * straight from `ss -tan` lines without building a socket object per line:
 * with 28,000 client sockets in the dump this is the difference between
 * tens and hundreds of milliseconds. Addresses repeat (a few destinations,
 * one or two local addresses), so each distinct text is normalised once.
 */
export function groupDestinationLines(text: string, range?: PortRange): Parsed<{ top: Destination[]; scanned: number }> {
  const groups = new Map<string, Destination>();
  const peers = new Map<string, string | null>();
  const locals = new Map<string, string | null>();
  let scanned = 0;
  let skipped = 0;
  const fields: string[] = [];
  // Line by line and field by field with indexes: no array of 28,000 lines, no array per line.
  for (let pos = 0; pos < text.length; ) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const lineStart = pos;
    pos = eol + 1;
    fields.length = 0;
    for (let i = lineStart; i < eol && fields.length < 6; ) {
      while (i < eol && isBlank(text.charCodeAt(i))) i++;
      const start = i;
      while (i < eol && !isBlank(text.charCodeAt(i))) i++;
      if (i > start) fields.push(text.slice(start, i));
    }
    if (fields.length < 5 || fields[0] === 'State' || fields[0] === 'Netid' || text.charCodeAt(lineStart) === 9) continue;
    // `ss -tan` starts with the state; with other sockets asked for too, a Netid column comes first.
    const at = isTcpState(fields[0] ?? '') || fields.length < 6 ? 0 : 1;
    const state = fields[at] ?? '';
    const localToken = fields[at + 3] ?? '';
    const peerToken = fields[at + 4] ?? '';
    const colon = localToken.lastIndexOf(':');
    const port = Number(localToken.slice(colon + 1)); // NaN for a service name (ss without -n)
    const localText = localToken.slice(0, colon);
    let localAddress = locals.get(localText);
    if (localAddress === undefined) {
      const address = parseEndpoint(`${localText}:0`)?.address;
      localAddress = address === undefined ? null : copyOf(address);
      locals.set(copyOf(localText), localAddress);
    }
    let peer = peers.get(peerToken);
    if (peer === undefined) {
      const e = parseEndpoint(peerToken);
      peer = e ? copyOf(endpointText(e)) : null;
      peers.set(copyOf(peerToken), peer);
    }
    if (!isTcpState(state) || localAddress === null || peer === null || colon < 0) {
      skipped++;
      continue;
    }
    scanned++;
    if (state === 'LISTEN' || (range && !(port >= range.low && port <= range.high))) continue;
    const key = `${localAddress}>${peer}`;
    let g = groups.get(key);
    if (!g) {
      g = { localAddress, peer, count: 0, byState: {} };
      groups.set(key, g);
    }
    g.count++;
    g.byState[state] = (g.byState[state] ?? 0) + 1;
  }
  const top = [...groups.values()].sort((a, b) => b.count - a.count || destinationKey(a).localeCompare(destinationKey(b)));
  return { value: { top, scanned }, skippedLines: skipped, notes: [] };
}

const isBlank = (c: number) => c === 32 || c === 9 || c === 13;

/**
 * A string of its own: a slice of the dump kept in a result (or a cache key)
 * would keep the whole 2.5 MB dump alive until the next one.
 */
const copyOf = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

export interface DestinationsSample {
  /** The busiest destinations (top 10). */
  top: Destination[];
  /** Sockets read for this sample. */
  scanned: number;
}

export const DESTINATIONS = sampleKey<DestinationsSample>('destinations');

/** What decides whether the dump is worth its cost now. */
export interface DestinationsContext {
  range?: PortRange;
  /** Sockets in the namespace that are not listeners: no destination can hold more. */
  clientSockets: number;
  /** Below this share of the usable ports for the busiest possible destination, nothing is asked. */
  watchShare: number;
  /** The share at which the alert warns. */
  warnShare: number;
  /** A port-exhaustion alert is active: follow it closely. */
  alerting: boolean;
}

/**
 * The dump takes at most this share of a core: its pace follows its own
 * cost (with 28,000 client sockets one dump costs ~100 ms: every 10 s).
 */
const DUMP_CPU_SHARE = 0.01;
const DUMP_MIN_MS = 5_000;
const DUMP_MAX_MS = 60_000;

/**
 * Per-destination socket counts for the port-exhaustion alert. This needs a
 * dump of every client socket, so it runs only while the namespace holds
 * enough sockets for one destination to come near the limit; the kernel
 * filters the dump down to sockets whose local port is in the ephemeral
 * range (a server's accepted sockets keep its listening port and cannot
 * exhaust anything). Its pace follows its cost (at most 1% of a core,
 * between 5 s and 60 s), and it comes back within 5 s while an alert is
 * active, when the busiest destination was near the warning share, or when
 * the namespace gained more client sockets than that destination had room
 * left below it. Between dumps the last answer stands, with its age.
 */
export function createDestinationsCollector(context: () => DestinationsContext): Collector<DestinationsSample> {
  const cadence = new CostCadence({ minMs: DUMP_MIN_MS, maxMs: DUMP_MAX_MS, share: DUMP_CPU_SHARE });
  let last: { sample: Sampled<DestinationsSample>; clientSockets: number } | undefined;
  return {
    key: DESTINATIONS,
    everyTicks: 1,
    series(v) {
      return Object.fromEntries(v.top.map((d) => [destinationSeriesKey(d), d.count]));
    },
    async sample(ctx) {
      const atMs = Date.now();
      const c = context();
      const usable = c.range?.usable ?? 0;
      if (!c.range || usable <= 0 || c.clientSockets < c.watchShare * usable) {
        last = undefined;
        return { value: { top: [], scanned: 0 }, skippedLines: 0, notes: [], atMs };
      }
      const busiest = last?.sample.value.top[0]?.count ?? 0;
      const room = c.warnShare * usable - busiest;
      const soon = c.alerting || busiest >= c.watchShare * usable || (last !== undefined && c.clientSockets - last.clientSockets >= room);
      if (last && !cadence.due(atMs, soon)) return last.sample;
      const started = performance.now();
      const filter = `( sport >= :${c.range.low} and sport <= :${c.range.high} )`;
      const r = await ctx.io.run(['ss', '-tanH', 'exclude', 'listening', filter], { timeoutMs: ctx.timeoutMs, lane: 'bulk', maxBytes: LARGE_DUMP_BYTES });
      const grouped = groupDestinationLines(r.stdout, c.range);
      cadence.ran(atMs, performance.now() - started);
      const sample: Sampled<DestinationsSample> = {
        value: { top: grouped.value.top.slice(0, 10), scanned: grouped.value.scanned },
        skippedLines: grouped.skippedLines,
        notes: [],
        atMs,
      };
      last = { sample, clientSockets: c.clientSockets };
      return sample;
    },
  };
}

/** Store series of a destination's socket count. */
export const destinationSeriesKey = (d: Pick<Destination, 'localAddress' | 'peer'>): string => `dest:${destinationKey(d)}`;
