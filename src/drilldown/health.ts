import { type TcpHealth, parseSsTcpInfo } from '../../collectors/parse/ssTcpInfo.js';
import type { SocketEntry } from '../../collectors/parse/ssSockets.js';
import { endpointText } from '../endpoint.js';
import type { TargetIO } from '../targetIO.js';
import { LARGE_DUMP_BYTES } from '../targetShell.js';
import { SS_STATE_FILTER, type TcpState } from '../tcpState.js';

/** One socket by its two ends: how the health of a process's sockets is matched to the sockets ss -p gave. */
export const socketKey = (s: Pick<SocketEntry, 'local' | 'peer'>): string => `${endpointText(s.local)}>${endpointText(s.peer)}`;

/** Past this many terms ss's filter costs more than the dump it saves. */
const MAX_FILTER_TERMS = 32;

/**
 * The narrowest ss filter that still selects every socket of one process:
 * ss cannot filter by process, but a server's sockets share a few local
 * ports and a client's a few destinations. Neither: the whole state, and
 * the match by endpoints keeps the process's.
 */
export function healthFilter(sockets: readonly SocketEntry[]): string[] {
  const localPorts = new Set(sockets.map((s) => s.local.port));
  if (localPorts.size > 0 && localPorts.size <= MAX_FILTER_TERMS && [...localPorts].every((p) => /^\d+$/.test(p))) {
    return ['(', ...[...localPorts].flatMap((p, i) => [...(i ? ['or'] : []), 'sport', '=', `:${p}`]), ')'];
  }
  const peers = new Set(sockets.map((s) => endpointText(s.peer)));
  if (peers.size > 0 && peers.size <= MAX_FILTER_TERMS && sockets.every((s) => /^\d+$/.test(s.peer.port))) {
    return ['(', ...[...peers].flatMap((p, i) => [...(i ? ['or'] : []), 'dst', p]), ')'];
  }
  return [];
}

export interface SocketsHealth {
  pid: number;
  atMs: number;
  /** By `socketKey`: the process's sockets ss -i reported on. */
  byKey: Map<string, TcpHealth>;
  problem?: string;
  skippedLines: number;
}

/**
 * `ss -tinoH state S <filter>`: rtt, retransmits, cwnd… of the sockets of
 * one process in one state, read from the kernel's tcp_info (inet_diag);
 * the timer comes with -o. Only the process's sockets are kept.
 */
export async function queryHealth(io: TargetIO, state: TcpState, pid: number, sockets: readonly SocketEntry[], timeoutMs: number): Promise<SocketsHealth> {
  const atMs = Date.now();
  if (sockets.length === 0) return { pid, atMs, byKey: new Map(), skippedLines: 0 };
  const wanted = new Set(sockets.map(socketKey));
  const r = await io.run(['ss', '-tinoH', 'state', SS_STATE_FILTER[state], ...healthFilter(sockets)], { timeoutMs, lane: 'bulk', maxBytes: LARGE_DUMP_BYTES });
  const parsed = parseSsTcpInfo(r.stdout, state);
  const byKey = new Map<string, TcpHealth>();
  for (const s of parsed.value) {
    const key = socketKey(s);
    if (wanted.has(key)) byKey.set(key, s.health);
  }
  return { pid, atMs, byKey, skippedLines: parsed.skippedLines };
}
