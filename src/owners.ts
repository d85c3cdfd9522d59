import { type SocketEntry, parseSsSockets } from '../collectors/parse/ssSockets.js';
import type { Parsed } from '../collectors/types.js';
import { type CountByEndpoint, endpointText, topEndpoints } from './endpoint.js';
import type { TargetIO } from './targetIO.js';
import { LARGE_DUMP_BYTES } from './targetShell.js';
import { SS_STATE_FILTER, type TcpState } from './tcpState.js';

/**
 * Sockets in one state, from a kernel-filtered dump. With `withOwners`, ss
 * walks every /proc/PID/fd to find owners (~1 s with 36,000 sockets): only on
 * demand, only for the state asked about, never every tick.
 */
async function querySockets(io: TargetIO, state: TcpState, withOwners: boolean, timeoutMs: number): Promise<Parsed<SocketEntry[]>> {
  const r = await io.run(['ss', withOwners ? '-tanpo' : '-tano', 'state', SS_STATE_FILTER[state]], { timeoutMs, lane: 'bulk', maxBytes: LARGE_DUMP_BYTES });
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

/** TIME-WAIT sockets belong to the kernel: asking ss for their owners would only walk every /proc/PID/fd for nothing. */
export const hasOwners = (state: TcpState): boolean => state !== 'TIME-WAIT';

/** The sockets of one state as last queried, with their owners unless the state has none (TIME-WAIT). */
export interface StateSockets {
  state: TcpState;
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
  private readonly latest = new Map<TcpState, StateSockets>();
  /** What the last query of each state cost, in ms of wall time. */
  private readonly costMs = new Map<TcpState, number>();
  private readonly running = new Map<TcpState, Promise<StateSockets>>();

  constructor(private readonly io: TargetIO) {}

  /**
   * The sockets of `state`: the last answer while it is younger than the
   * asker's pace allows, else a new query. Throws when a query fails (the
   * previous answer stays available).
   */
  async query(state: TcpState, pace: OwnersPace, timeoutMs: number): Promise<StateSockets> {
    const last = this.latest.get(state);
    if (last && Date.now() - last.atMs < this.waitMs(state, pace)) return last;
    let run = this.running.get(state);
    if (!run) {
      run = this.run(state, timeoutMs).finally(() => this.running.delete(state));
      this.running.set(state, run);
    }
    return run;
  }

  /** How long an asker at `pace` waits between queries of `state`, given what the last one cost. */
  waitMs(state: TcpState, pace: OwnersPace): number {
    return Math.min(MAX_WAIT_MS, Math.max(pace.floorMs, (this.costMs.get(state) ?? 0) / pace.share));
  }

  /** Drops what is kept about `state` (nobody asks any more). */
  forget(state: TcpState): void {
    this.latest.delete(state);
    this.costMs.delete(state);
  }

  private async run(state: TcpState, timeoutMs: number): Promise<StateSockets> {
    const atMs = Date.now();
    const started = performance.now();
    const withOwners = hasOwners(state);
    try {
      const parsed = await querySockets(this.io, state, withOwners, timeoutMs);
      const answer: StateSockets = { state, atMs, sockets: parsed.value, withOwners, skippedLines: parsed.skippedLines };
      this.latest.set(state, answer);
      return answer;
    } finally {
      this.costMs.set(state, performance.now() - started);
    }
  }
}
