import { CostCadence } from '../src/costCadence.js';
import { asProblem } from '../src/problems.js';
import type { TargetIO } from '../src/targetIO.js';
import { type CountByEndpoint, endpointText, topEndpoints } from '../src/endpoint.js';
import { type SocketEntry, parseSsSockets } from './parse/ssSockets.js';
import { SS_STATE_FILTER, type TcpState } from '../src/tcpState.js';
import { type Collector, type Parsed, sampleKey } from './types.js';

/**
 * Sockets in one state, from a kernel-filtered dump. With `withOwners`, ss
 * walks every /proc/PID/fd to find owners (~1 s with 36,000 sockets): only on
 * demand, only for the state asked about, never every tick.
 */
export async function querySockets(io: TargetIO, state: TcpState, withOwners: boolean, timeoutMs: number): Promise<Parsed<SocketEntry[]>> {
  const r = await io.run(['ss', withOwners ? '-tanpo' : '-tano', 'state', SS_STATE_FILTER[state]], { timeoutMs, lane: 'bulk' });
  return parseSsSockets(r.stdout, state);
}

export interface ProcessSockets {
  pid: number;
  /** As ss printed it (the process's comm): untrusted text. */
  name: string;
  /** Sockets of this process in the state. */
  count: number;
  peers: CountByEndpoint[];
  locals: CountByEndpoint[];
}

export interface OwnersOfState {
  owners: ProcessSockets[];
  /** Sockets ss showed no process for: the kernel's own (TIME-WAIT), or other users' when not root. */
  unowned: number;
  total: number;
}

function bump(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}


/**
 * Top remote peers by address: a server's clients come from ever-changing
 * ports, so `10.0.0.9:*`; a client's sockets to one service keep its port,
 * so `10.0.0.9:5432`.
 */
function peersOf(byAddress: Map<string, number>, byAddressPort: Map<string, number>): CountByEndpoint[] {
  return topEndpoints(byAddress, 5).map(({ endpoint: address, count }) => {
    const ports = [...byAddressPort.keys()].filter((k) => k.startsWith(`${address} `));
    const port = ports.length === 1 ? (ports[0]?.split(' ')[1] ?? '*') : '*';
    return { endpoint: endpointText({ address, port }), count };
  });
}

/** Sockets per owning process, most sockets first; a socket shared after fork() counts for each owner. */
export function groupByOwner(sockets: SocketEntry[]): OwnersOfState {
  const byPid = new Map<number, { name: string; count: number; peers: Map<string, number>; peerPorts: Map<string, number>; locals: Map<string, number> }>();
  let unowned = 0;
  for (const s of sockets) {
    if (s.owners.length === 0) unowned++;
    const seen = new Set<number>();
    for (const o of s.owners) {
      if (seen.has(o.pid)) continue;
      seen.add(o.pid);
      let entry = byPid.get(o.pid);
      if (!entry) {
        entry = { name: o.name, count: 0, peers: new Map(), peerPorts: new Map(), locals: new Map() };
        byPid.set(o.pid, entry);
      }
      entry.count++;
      bump(entry.peers, s.peer.address);
      bump(entry.peerPorts, `${s.peer.address} ${s.peer.port}`);
      bump(entry.locals, endpointText(s.local));
    }
  }
  const owners = [...byPid]
    .map(([pid, e]) => ({ pid, name: e.name, count: e.count, peers: peersOf(e.peers, e.peerPorts), locals: topEndpoints(e.locals, 5) }))
    .sort((a, b) => b.count - a.count || a.pid - b.pid);
  return { owners, unowned, total: sockets.length };
}

export interface OwnersSample {
  byState: Partial<Record<TcpState, OwnersOfState & { atMs: number }>>;
}

export const OWNERS = sampleKey<OwnersSample>('owners');

/** `ss -p` reads every /proc/PID/fd of the namespace: its pace follows its cost, at most 1% of a core. */
const OWNERS_CADENCE = { minMs: 10_000, maxMs: 120_000, share: 0.01 };

/**
 * Owners of the states the alerts ask about (CLOSE-WAIT while it climbs,
 * LISTEN while accept queues overflow): each at most every 10 s, and less
 * often when the query is expensive (a second of `ss -p` on a busy host
 * waits 100 s before the next).
 */
export function createOwnersCollector(wanted: () => TcpState[]): Collector<OwnersSample> {
  const byState: OwnersSample['byState'] = {};
  const cadences = new Map<TcpState, CostCadence>();
  return {
    key: OWNERS,
    everyTicks: 1,
    async sample(ctx) {
      const atMs = Date.now();
      const notes: string[] = [];
      let skippedLines = 0;
      const want = new Set(wanted());
      for (const state of Object.keys(byState) as TcpState[]) {
        if (want.has(state)) continue;
        delete byState[state];
        cadences.delete(state);
      }
      for (const state of want) {
        let cadence = cadences.get(state);
        if (!cadence) {
          cadence = new CostCadence(OWNERS_CADENCE);
          cadences.set(state, cadence);
        }
        if (!cadence.due(atMs)) continue;
        const started = performance.now();
        try {
          const parsed = await querySockets(ctx.io, state, true, ctx.timeoutMs);
          skippedLines += parsed.skippedLines;
          byState[state] = { ...groupByOwner(parsed.value), atMs };
        } catch (error) {
          notes.push(`owners of ${state}: ${asProblem(error).message}`);
        }
        cadence.ran(atMs, performance.now() - started);
      }
      return { value: { byState: { ...byState } }, skippedLines, notes, atMs };
    },
  };
}
