import { type SocketEntry, parseSsSockets } from '../collectors/parse/ssSockets.js';
import type { Parsed } from '../collectors/types.js';
import { CostCadence } from './costCadence.js';
import { type CountByEndpoint, endpointText, topEndpoints } from './endpoint.js';
import type { TargetIO } from './targetIO.js';
import { SS_STATE_FILTER, type TcpState } from './tcpState.js';

/**
 * Sockets in one state, from a kernel-filtered dump. With `withOwners`, ss
 * walks every /proc/PID/fd to find owners (~1 s with 36,000 sockets): only on
 * demand, only for the state asked about, never every tick.
 */
async function querySockets(io: TargetIO, state: TcpState, withOwners: boolean, timeoutMs: number): Promise<Parsed<SocketEntry[]>> {
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
 * `ss -p` reads every /proc/PID/fd of the namespace (~1 s with 36,000
 * sockets): its pace follows its cost, at most 2% of a core per state,
 * between 5 s and 2 min, whoever asks.
 */
export const OWNERS_CADENCE = { minMs: 5_000, maxMs: 120_000, share: 0.02 };

/**
 * The one place socket owners are asked for: the alerts (who holds the
 * CLOSE-WAIT sockets) and the drill-down share one cache and one cadence
 * per state, so an open drill-down also keeps the alerts' owners fresh and
 * neither doubles the other's cost. Concurrent asks share the query in flight.
 */
export class OwnersService {
  private readonly latest = new Map<TcpState, StateSockets>();
  private readonly cadences = new Map<TcpState, CostCadence>();
  private readonly running = new Map<TcpState, Promise<StateSockets>>();

  constructor(
    private readonly io: TargetIO,
    private readonly pace: { minMs: number; maxMs: number; share: number } = OWNERS_CADENCE,
  ) {}

  /**
   * The sockets of `state`, queried again if the last answer is older than
   * both `floorMs` and what the cadence allows; otherwise the last answer.
   * Throws when a query fails (the previous answer stays available).
   */
  async query(state: TcpState, floorMs: number, timeoutMs: number): Promise<StateSockets> {
    const last = this.latest.get(state);
    const cadence = this.cadenceOf(state);
    const nowMs = Date.now();
    if (last && !(nowMs - last.atMs >= floorMs && cadence.due(nowMs))) return last;
    let run = this.running.get(state);
    if (!run) {
      run = this.run(state, cadence, timeoutMs).finally(() => this.running.delete(state));
      this.running.set(state, run);
    }
    return run;
  }

  /** The last answer for `state`, however old. */
  last(state: TcpState): StateSockets | undefined {
    return this.latest.get(state);
  }

  /** How long the cadence now waits between queries of `state`. */
  waitMs(state: TcpState): number {
    return Math.max(this.pace.minMs, this.cadences.get(state)?.currentWaitMs ?? 0);
  }

  /** Drops what is kept about `state` (nobody asks any more). */
  forget(state: TcpState): void {
    this.latest.delete(state);
    this.cadences.delete(state);
  }

  private cadenceOf(state: TcpState): CostCadence {
    let cadence = this.cadences.get(state);
    if (!cadence) {
      cadence = new CostCadence(this.pace);
      this.cadences.set(state, cadence);
    }
    return cadence;
  }

  private async run(state: TcpState, cadence: CostCadence, timeoutMs: number): Promise<StateSockets> {
    const atMs = Date.now();
    const started = performance.now();
    const withOwners = hasOwners(state);
    try {
      const parsed = await querySockets(this.io, state, withOwners, timeoutMs);
      const answer: StateSockets = { state, atMs, sockets: parsed.value, withOwners, skippedLines: parsed.skippedLines };
      this.latest.set(state, answer);
      return answer;
    } finally {
      cadence.ran(atMs, performance.now() - started);
    }
  }
}
