import type { CounterValues, CountersSample } from '../../collectors/counters.js';
import { parseProcNetTcp } from '../../collectors/parse/procNetTcp.js';
import { summarizeUnusual } from '../../collectors/parse/socketSummary.js';
import type { Sockstat } from '../../collectors/parse/sockstat.js';
import type { SocketEntry } from '../../collectors/parse/ssSockets.js';
import { type CloseWaitAges, type SocketsSample, deriveStateCounts } from '../../collectors/sockets.js';

/** What a fleet tick reads of one namespace's /proc/PID/net (sockstat already parsed: it also decides whether the socket list is read). */
export interface NamespaceFiles {
  sockstat: Sockstat;
  sockstat6?: Sockstat;
  /** snmp, netstat and snmp6, parsed. */
  counters: CounterValues;
}

/** The sockets of a namespace that are neither ESTAB nor TIME-WAIT, from its last /proc/PID/net/tcp{,6} read. */
export function unusualOf(tcp: string, tcp6: string | undefined): SocketEntry[] {
  const all = [parseProcNetTcp(tcp), ...(tcp6 === undefined ? [] : [parseProcNetTcp(tcp6)])].flatMap((p) => p.value);
  return all.filter((s) => s.state !== 'ESTAB' && s.state !== 'TIME-WAIT');
}

/**
 * A namespace's socket and counter samples from file reads alone, as the
 * dashboard's collectors would give them: ESTAB and TIME-WAIT from sockstat
 * (every tick, free), the other states from the last read of its tcp files
 * (paced by their cost).
 */
export function namespaceSample(
  files: NamespaceFiles,
  unusual: SocketEntry[],
  closeWaitAges: CloseWaitAges,
  atMs: number,
): { sockets: SocketsSample; counters: CountersSample } {
  const sock4 = files.sockstat;
  const sock6 = files.sockstat6;
  const counters = files.counters;
  const sockets: SocketsSample = {
    states: deriveStateCounts(unusual, sock4, sock6),
    udp: (sock4.UDP?.inuse ?? 0) + (sock6?.UDP6?.inuse ?? 0),
    orphans: sock4.TCP?.orphan ?? 0,
    method: 'proc',
    dumpedSockets: unusual.length,
    limits: {},
    // /proc/PID/net/tcp prints no backlog.
    unusual: summarizeUnusual(unusual, () => undefined),
    closeWaitHeld: closeWaitAges.update(unusual, atMs),
  };
  return { sockets, counters: { total: counters.size, values: counters } };
}
