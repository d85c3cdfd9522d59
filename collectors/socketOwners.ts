import { type SocketEntry, parseSsSockets } from './parse/ssSockets.js';
import type { Parsed } from './sample.js';
import { type CountByEndpoint, endpointText, topEndpoints } from '../src/endpoint.js';
import type { TargetIO } from '../src/targetIO.js';
import { LARGE_DUMP_BYTES } from '../src/targetShell.js';
import { SS_STATE_FILTER, type TcpState } from '../src/tcpState.js';

/**
 * One kernel-filtered socket dump, cached and paced as one: the sockets of
 * a state, or the live sockets toward one destination. With `withOwners`,
 * ss walks every /proc/PID/fd to find owners (~1 s with 36,000 sockets):
 * only on demand, never every tick.
 */
export interface SocketQuery {
  key: string;
  /** ss's filter expression. */
  filter: string[];
  withOwners: boolean;
  /** The one state the filter selects: ss then prints no State column. */
  state?: TcpState;
}

/** TIME-WAIT sockets belong to the kernel: asking ss for their owners would only walk every /proc/PID/fd for nothing. */
export const hasOwners = (state: TcpState): boolean => state !== 'TIME-WAIT';

export const stateQuery = (state: TcpState): SocketQuery => ({ key: state, filter: ['state', SS_STATE_FILTER[state]], withOwners: hasOwners(state), state });

const bracketed = (address: string) => (address.includes(':') ? `[${address}]` : address);

/**
 * The live sockets from `localAddress` to `peer` (connecting, connected,
 * closing; all but TIME-WAIT, which has no owner): their owners are the
 * clients using up that destination's ports.
 */
export const clientsQuery = (d: { localAddress: string; peer: string }): SocketQuery => ({
  key: `clients ${d.localAddress}>${d.peer}`,
  filter: ['state', 'connected', 'exclude', 'time-wait', 'dst', d.peer, 'src', bracketed(d.localAddress)],
  withOwners: true,
});

async function querySockets(io: TargetIO, query: SocketQuery, timeoutMs: number): Promise<Parsed<SocketEntry[]>> {
  const r = await io.run(['ss', query.withOwners ? '-tanpo' : '-tano', ...query.filter], { timeoutMs, lane: 'bulk', maxBytes: LARGE_DUMP_BYTES });
  return parseSsSockets(r.stdout, query.state);
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

/** The sockets of one query as last run, with their owners unless it asked for none (TIME-WAIT). */
export interface StateSockets {
  key: string;
  atMs: number;
  sockets: SocketEntry[];
  withOwners: boolean;
  skippedLines: number;
}

/**
 * How soon a state's owners may be asked for again: never within `floorMs`
 * of the last answer, and `ss -p` (which reads every /proc/PID/fd of the
 * namespace, ~1 s with 36,000 sockets) takes at most `share` of a core.
 */
export interface OwnersPace {
  floorMs: number;
  share: number;
}

/** The alerts name owners at most every 10 s, and spend at most 1% of a core on it. */
export const ALERT_PACE: OwnersPace = { floorMs: 10_000, share: 0.01 };
/**
 * Until the clients of an exhausted destination are named: their live
 * sockets last a moment (TIME-WAIT has no owner), so look every second, up
 * to 5% of a core, for the few seconds it takes; then at the alerts' pace.
 */
export const NAMING_PACE: OwnersPace = { floorMs: 1_000, share: 0.05 };
/** With a drill-down open someone is reading: every 5 s, up to 5% of a core. */
export const DRILL_PACE: OwnersPace = { floorMs: 5_000, share: 0.05 };
/** However expensive, an answer is never older than this when asked for. */
const MAX_WAIT_MS = 120_000;

/**
 * The one place socket owners are asked for: the alerts (who holds the
 * CLOSE-WAIT sockets) and the drill-down share one cache per state and one
 * pacing rule (the query's own cost sets the wait), so an open drill-down
 * also keeps the alerts' owners fresh and neither doubles the other's cost.
 * Concurrent asks share the query in flight.
 */
export class OwnersService {
  private readonly latest = new Map<string, StateSockets>();
  /** What the last run of each query cost, in ms of wall time. */
  private readonly costMs = new Map<string, number>();
  private readonly running = new Map<string, Promise<StateSockets>>();

  constructor(private readonly io: TargetIO) {}

  /**
   * The sockets `query` selects: the last answer while it is younger than
   * the asker's pace allows, else a new dump. Throws when a dump fails (the
   * previous answer stays available).
   */
  async query(query: SocketQuery, pace: OwnersPace, timeoutMs: number): Promise<StateSockets> {
    const last = this.latest.get(query.key);
    if (last && Date.now() - last.atMs < this.waitMs(query, pace)) return last;
    let run = this.running.get(query.key);
    if (!run) {
      run = this.run(query, timeoutMs).finally(() => this.running.delete(query.key));
      this.running.set(query.key, run);
    }
    return run;
  }

  /** How long an asker at `pace` waits between runs of `query`, given what the last one cost. */
  waitMs(query: SocketQuery, pace: OwnersPace): number {
    return Math.min(MAX_WAIT_MS, Math.max(pace.floorMs, (this.costMs.get(query.key) ?? 0) / pace.share));
  }

  /** Drops what is kept about `query` (nobody asks any more). */
  forget(query: SocketQuery): void {
    this.latest.delete(query.key);
    this.costMs.delete(query.key);
  }

  private async run(query: SocketQuery, timeoutMs: number): Promise<StateSockets> {
    const atMs = Date.now();
    const started = performance.now();
    try {
      const parsed = await querySockets(this.io, query, timeoutMs);
      const answer: StateSockets = { key: query.key, atMs, sockets: parsed.value, withOwners: query.withOwners, skippedLines: parsed.skippedLines };
      this.latest.set(query.key, answer);
      return answer;
    } finally {
      this.costMs.set(query.key, performance.now() - started);
    }
  }
}
