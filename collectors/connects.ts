import { CollectorProblem } from '../src/problems.js';
import type { TargetIO } from '../src/targetIO.js';
import { parseEndpoint } from '../src/endpoint.js';
import { CONNECT_SAMPLING, ConnectTracer, type ConnectWindow } from './connectTracer.js';
import { parseNetNsLink } from './parse/namespaces.js';
import { type Collector, sampleKey } from './types.js';

/** A process seen calling connect() toward a destination during a sample. */
export interface Connecter {
  pid: number;
  /** /proc/PID/comm: untrusted text. */
  name: string;
  /** connect()s seen in the window. */
  connects: number;
  perSec: number;
}

/** Who connected to one destination in the last sample that saw any, and what was left out. */
export interface PeerConnects {
  atMs: number;
  windowMs: number;
  /** Of the watched namespace, most connects first. */
  processes: Connecter[];
  /** connect()s from processes of other namespaces (the tracepoint is host-wide): left out. */
  elsewhere: number;
  /** connect()s from tasks that exited before they could be placed in a namespace: left out. */
  exited: number;
  /** The read hit its cap or the ring overwrote events: counts are a floor. */
  truncated: boolean;
}

export interface ConnectsSample {
  /** The destinations (`addr:port`) being traced now. */
  watching: string[];
  sampling: { windowMs: number; everyMs: number };
  /** Per destination, the last sample that saw connect()s toward it. */
  byPeer: Record<string, PeerConnects>;
}

export const CONNECTS = sampleKey<ConnectsSample>('connects');

const SAMPLING = { windowMs: CONNECT_SAMPLING.windowMs, everyMs: CONNECT_SAMPLING.everyMs };

/** What to trace: the destinations alerts name now, or why tracing is off (a fixture tree). */
export interface ConnectsWish {
  peers(): string[];
  off(): string | undefined;
}

/**
 * One tracer for the process (the tracepoint is host-wide, and a dashboard
 * that switches namespaces keeps its answer); opened while someone asks,
 * removed as soon as nobody does, and by its own 'exit' handler on any way out.
 */
let shared: Promise<ConnectTracer | { why: string }> | undefined;

/** Turns the tracepoint off and removes the instance; the next wish opens a new one. */
export async function closeConnectTracer(): Promise<void> {
  const opened = shared;
  shared = undefined;
  const t = await opened;
  if (t instanceof ConnectTracer) t.close();
}

const tasksPlaced = async (io: Pick<TargetIO, 'readProc' | 'readProcLink'>, tids: number[], namespace: number | undefined) => {
  const out = new Map<number, { pid: number; name: string; here: boolean } | undefined>();
  await Promise.all(
    tids.map(async (tid) => {
      try {
        const status = await io.readProc(`${tid}/status`);
        const pid = Number(/^Tgid:\s+(\d+)/m.exec(status)?.[1] ?? tid);
        const [link, comm] = await Promise.all([io.readProcLink(`${pid}/ns/net`), io.readProc(`${pid}/comm`)]);
        out.set(tid, { pid, name: comm.replace(/\n$/, ''), here: parseNetNsLink(link) === namespace });
      } catch {
        out.set(tid, undefined);
      }
    }),
  );
  return out;
};

/** One window's connect()s toward `peer`, by process of the watched namespace. */
function connectsTo(peer: string, window: ConnectWindow, placed: Map<number, { pid: number; name: string; here: boolean } | undefined>): PeerConnects {
  const byPid = new Map<number, Connecter>();
  let elsewhere = 0;
  let exited = 0;
  for (const e of window.events) {
    if (e.peer !== peer) continue;
    const p = placed.get(e.tid);
    if (!p) exited++;
    else if (!p.here) elsewhere++;
    else {
      const c = byPid.get(p.pid) ?? { pid: p.pid, name: p.name, connects: 0, perSec: 0 };
      c.connects++;
      c.perSec = c.connects / (window.windowMs / 1000);
      byPid.set(p.pid, c);
    }
  }
  const processes = [...byPid.values()].sort((a, b) => b.connects - a.connects || a.pid - b.pid);
  return { atMs: window.atMs, windowMs: window.windowMs, processes, elsewhere, exited, truncated: window.truncated };
}

/**
 * Who connects to the destinations the alerts name (a port-exhausting
 * client, a SYN-SENT pile): the connect()s the tracepoint saw in its last
 * sample, kept to the processes of the watched namespace. Nothing runs —
 * no instance exists — while no alert names a destination. Where tracing
 * cannot be had, the source's problem says why, and the alerts fall back on
 * the owners `ss -p` last saw.
 */
export function createConnectsCollector(io: Pick<TargetIO, 'namespace' | 'readProc' | 'readProcLink'>, wish: ConnectsWish): Collector<ConnectsSample> {
  let byPeer: Record<string, PeerConnects> = {};
  let namespace: number | undefined;
  return {
    key: CONNECTS,
    everyTicks: 1,
    async sample() {
      const atMs = Date.now();
      const off = wish.off();
      const peers = off ? [] : wish.peers();
      if (peers.length === 0) {
        if (shared) await closeConnectTracer();
        byPeer = {};
        if (off) throw new CollectorProblem('inactive', off);
        return { value: { watching: [], sampling: SAMPLING, byPeer }, skippedLines: 0, notes: [], atMs };
      }
      shared ??= ConnectTracer.open();
      const tracer = await shared;
      if (!(tracer instanceof ConnectTracer)) throw new CollectorProblem('inactive', `cannot trace connect(): ${tracer.why}`);
      namespace ??= parseNetNsLink(io.namespace ?? (await io.readProcLink('self/ns/net')));
      tracer.watch(peers.map((p) => Number(parseEndpoint(p)?.port)).filter((p) => Number.isInteger(p) && p > 0));
      const window = await tracer.step(atMs);
      byPeer = Object.fromEntries(Object.entries(byPeer).filter(([peer]) => peers.includes(peer)));
      if (window) {
        const placed = await tasksPlaced(io, [...new Set(window.events.map((e) => e.tid))], namespace);
        for (const peer of peers) {
          const seen = connectsTo(peer, window, placed);
          // A window that saw nobody keeps the last answer that did: it says how old it is.
          if (seen.processes.length > 0 || seen.elsewhere > 0 || seen.exited > 0 || !byPeer[peer]) byPeer[peer] = seen;
        }
      }
      return { value: { watching: peers, sampling: SAMPLING, byPeer }, skippedLines: 0, notes: [], atMs };
    },
  };
}
