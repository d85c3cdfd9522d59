import { CollectorProblem, asProblem } from '../src/problems.js';
import { isFixtureProc } from '../src/target.js';
import { endpointText } from '../src/endpoint.js';
import { TCP_STATES, type TcpState, type TcpStateCounts, zeroStateCounts } from '../src/tcpState.js';
import type { PortRange } from './parse/portRange.js';
import { parseProcNetTcp } from './parse/procNetTcp.js';
import { type UnusualSummary, summarizeUnusual } from './parse/socketSummary.js';
import { type Sockstat, parseSockstat } from './parse/sockstat.js';
import { type SocketEntry, parseSsSockets } from './parse/ssSockets.js';
import { type TcpLimits, createTcpLimitsReader } from './parse/tcpSysctls.js';
import { type Collector, type SampleContext, type Sampled, sampleKey } from './types.js';

export interface SocketsSample {
  /** Exact count per TCP state, IPv4 and IPv6 together, for the target's namespace. */
  states: TcpStateCounts;
  /** UDP and UDP6 sockets in the namespace. */
  udp: number;
  /** Orphaned TCP sockets; the kernel keeps this count host-wide only. */
  orphans: number;
  /**
   * `ss`: kernel-filtered dump plus sockstat; `files`: a namespace this small
   * read from /proc/net/tcp{,6} plus sockstat, no process started; `proc`:
   * every line of /proc/net/tcp{,6} (no ss, or a fixture tree).
   */
  method: 'ss' | 'files' | 'proc';
  /** How many sockets this sample had to read one by one: the cost driver. */
  dumpedSockets: number;
  portRange?: PortRange;
  /** tcp_max_orphans, tcp_max_tw_buckets, tcp_tw_reuse of the namespace. */
  limits: Omit<TcpLimits, 'portRange'>;
  /** Per-destination SYN-SENT, per-server CLOSE-WAIT, full accept queues. */
  unusual: UnusualSummary;
  /**
   * How many CLOSE-WAIT sockets have stayed CLOSE-WAIT (the same 4-tuple in
   * every sample) for at least each of `CLOSE_WAIT_HELD_SEC`, counted from
   * when nettriage first saw them.
   */
  closeWaitHeld: { seconds: number; count: number }[];
}

/** The ages CLOSE-WAIT sockets are counted at: a leak that stands still is one that stays. */
export const CLOSE_WAIT_HELD_SEC = [10, 30, 60, 120, 300, 600] as const;

/**
 * Remembers when each CLOSE-WAIT 4-tuple was first seen. A socket that is
 * gone from one sample and back in the next is a new connection on the
 * same ports, and starts again.
 */
export class CloseWaitAges {
  private firstSeen = new Map<string, number>();

  update(sockets: SocketEntry[], nowMs: number): SocketsSample['closeWaitHeld'] {
    const next = new Map<string, number>();
    for (const s of sockets) {
      if (s.state !== 'CLOSE-WAIT') continue;
      const tuple = `${endpointText(s.local)} ${endpointText(s.peer)}`;
      next.set(tuple, this.firstSeen.get(tuple) ?? nowMs);
    }
    this.firstSeen = next;
    const held = CLOSE_WAIT_HELD_SEC.map((seconds) => ({ seconds, count: 0 }));
    for (const since of next.values()) for (const h of held) if (nowMs - since >= h.seconds * 1000) h.count++;
    return held;
  }
}

export const SOCKETS = sampleKey<SocketsSample>('sockets');

/**
 * How we count (measured with ~96,000 sockets, 36k ESTAB and 60k TIME-WAIT):
 * a full `ss -tan` costs ~500 ms of CPU, `ss -tan state established` 190 ms,
 * while `ss -tan exclude established exclude time-wait` costs ~25 ms because
 * the kernel filters by state before it formats anything. So we dump only the
 * unusual states and derive the two big ones from per-namespace counters in
 * /proc/net/sockstat{,6}, which cost nothing:
 *
 *   ESTAB     = TCP inuse + TCP6 inuse - (hashed sockets in the dump)
 *   TIME-WAIT = TCP tw - (FIN-WAIT-2 sockets in the dump that are timewait minisocks)
 *
 * `inuse` counts every hashed full socket (LISTEN, SYN-SENT, ESTAB, CLOSE-WAIT,
 * FIN-WAIT-*, LAST-ACK, CLOSING), but not request sockets (SYN-RECV) and not
 * timewait minisocks; `tw` counts the minisocks, which ss shows as TIME-WAIT
 * or, when closed from FIN-WAIT-2, as FIN-WAIT-2 with a `timewait` timer.
 * `Tcp: CurrEstab` is not used: it counts ESTAB and CLOSE-WAIT together on
 * current kernels and ESTAB alone on old ones.
 */
export function deriveStateCounts(
  unusual: SocketEntry[],
  sockstat4: Sockstat,
  sockstat6: Sockstat | undefined,
): TcpStateCounts {
  const states = zeroStateCounts();
  let hashed = 0;
  let timewaitFinWait2 = 0;
  for (const socket of unusual) {
    // The dump excludes these two; they come from the counters below.
    if (!socket.state || socket.state === 'ESTAB' || socket.state === 'TIME-WAIT') continue;
    states[socket.state]++;
    if (socket.state === 'FIN-WAIT-2' && socket.timer?.name === 'timewait') timewaitFinWait2++;
    else if (socket.state !== 'SYN-RECV') hashed++;
  }
  const inuse = (sockstat4.TCP?.inuse ?? 0) + (sockstat6?.TCP6?.inuse ?? 0);
  const tw = sockstat4.TCP?.tw ?? 0;
  // The counters and the dump are read a few ms apart; clamp what churn can skew.
  states.ESTAB = Math.max(0, inuse - hashed);
  states['TIME-WAIT'] = Math.max(0, tw - timewaitFinWait2);
  return states;
}

export function countAllStates(sockets: SocketEntry[]): TcpStateCounts {
  const states = zeroStateCounts();
  for (const socket of sockets) if (socket.state) states[socket.state]++;
  return states;
}

/** Store series of one state's socket count. */
export const stateSeriesKey = (state: TcpState): string => `tcp.states.${state}`;
/** Store series of the SYN-SENT sockets toward one peer (present only while there are some). */
export const synSentSeriesKey = (endpoint: string): string => `synsent:${endpoint}`;

export function socketSeries(sample: SocketsSample): Record<string, number> {
  const out: Record<string, number> = { 'tcp.udp': sample.udp, 'tcp.orphans': sample.orphans };
  for (const state of TCP_STATES) out[stateSeriesKey(state)] = sample.states[state];
  for (const { endpoint, count } of sample.unusual.synSentByPeer) out[synSentSeriesKey(endpoint)] = count;
  return out;
}

export const UNUSUAL_STATES_ARGS = ['-tano', 'exclude', 'established', 'exclude', 'time-wait'];

/**
 * Up to this many sockets (hashed and timewait, both families) a namespace's
 * socket list is read from its files instead of asked of ss. Each costs one
 * walk of the connection hash either way; the file read saves the process
 * start (measured on an idle host: ~0.8 ms of our CPU for /proc/net/tcp
 * against ~4 ms for ss, fork and exec included), and its ~150-byte lines
 * cost less to print and parse than ss's fork until about this many.
 */
export const FILE_LIST_MAX_SOCKETS = 1000;

/** ss's view of the listeners (`-l`): their backlog is a LISTEN socket's Send-Q, which /proc/net/tcp does not print. */
const LISTENER_ARGS = ['-tlnoH'];

/** A namespace confirmed free of IPv6 TCP sockets is asked about IPv4 alone until this long after the check. */
const IPV4_ONLY_RECHECK_MS = 60_000;

/**
 * ss asks the kernel once per address family, and each request walks the
 * whole connection table (with 84,000 sockets, ~11 ms of kernel time each).
 * A namespace that holds no IPv6 TCP socket — none hashed (sockstat6's
 * inuse), none in a dump of both families — needs only the IPv4 walk. Both
 * are asked again at least once a minute, which is as long as a closed IPv6
 * connection's timewait socket can linger unseen in between.
 */
export class FamilyChoice {
  private v4OnlySinceMs: number | undefined;

  args(inuse6: number | undefined, nowMs: number): string[] {
    const v4Only = (inuse6 ?? 0) === 0 && this.v4OnlySinceMs !== undefined && nowMs - this.v4OnlySinceMs < IPV4_ONLY_RECHECK_MS;
    if (!v4Only) this.v4OnlySinceMs = undefined;
    return v4Only ? ['-4', ...UNUSUAL_STATES_ARGS] : UNUSUAL_STATES_ARGS;
  }

  /** After a dump of both families: IPv4 alone from now on, if it held no IPv6 socket. */
  sawBoth(sockets: SocketEntry[], inuse6: number | undefined, nowMs: number): void {
    const v6 = (inuse6 ?? 0) > 0 || sockets.some((s) => s.local.address.includes(':'));
    this.v4OnlySinceMs = v6 ? undefined : nowMs;
  }
}

export function createSocketsCollector(): Collector<SocketsSample> {
  let ssMissing = false;
  const readLimits = createTcpLimitsReader();
  const families = new FamilyChoice();
  const closeWaitAges = new CloseWaitAges();

  return {
    key: SOCKETS,
    everyTicks: 1,
    series: socketSeries,
    async sample(ctx) {
      const notes: string[] = [];
      const atMs = Date.now();
      const { portRange, ...limits } = await readLimits(ctx, notes);
      const useProc = ssMissing || isFixtureProc(ctx.io.roots);
      // sockstat6 is absent when IPv6 is disabled: no IPv6 sockets, not an error.
      const files = await ctx.io.readProcNetFiles(['sockstat', 'sockstat6'], ['sockstat'], ctx.timeoutMs);
      const sock4 = parseSockstat(files.get('sockstat') ?? '');
      const sock6Text = files.get('sockstat6');
      const sock6 = sock6Text === undefined ? undefined : parseSockstat(sock6Text);
      const inuse6 = sock6 === undefined ? 0 : sock6.value.TCP6?.inuse;
      if (!sock4.value.TCP) throw new CollectorProblem('unparseable', 'no TCP line in /proc/net/sockstat');
      const args = families.args(inuse6, atMs);
      const small = (sock4.value.TCP.inuse ?? 0) + (sock4.value.TCP.tw ?? 0) + (inuse6 ?? 0) <= FILE_LIST_MAX_SOCKETS;
      const listed = useProc || !small ? undefined : await readSocketFiles(ctx, args !== UNUSUAL_STATES_ARGS);
      const dump = useProc || listed ? undefined : await runSs(ctx, args);
      let skippedLines = sock4.skippedLines + (sock6?.skippedLines ?? 0);
      const base = {
        udp: (sock4.value.UDP?.inuse ?? 0) + (sock6?.value.UDP6?.inuse ?? 0),
        orphans: sock4.value.TCP.orphan ?? 0,
        ...(portRange ? { portRange } : {}),
        limits,
      };

      if (listed) {
        if (args === UNUSUAL_STATES_ARGS) families.sawBoth(listed.unusual, inuse6, atMs);
        skippedLines += listed.skippedLines;
        if (listed.backlogProblem) notes.push(listed.backlogProblem);
        const value: SocketsSample = {
          states: deriveStateCounts(listed.unusual, sock4.value, sock6?.value),
          ...base,
          method: 'files',
          dumpedSockets: listed.lines,
          unusual: summarizeUnusual(listed.unusual, (s) => listed.backlogs.get(endpointText(s.local))),
          closeWaitHeld: closeWaitAges.update(listed.unusual, atMs),
        };
        return { value, skippedLines, notes, atMs };
      }

      if (dump !== undefined && dump !== 'missing') {
        const unusual = parseSsSockets(dump);
        if (args === UNUSUAL_STATES_ARGS) families.sawBoth(unusual.value, inuse6, atMs);
        skippedLines += unusual.skippedLines;
        const states = deriveStateCounts(unusual.value, sock4.value, sock6?.value);
        const value: SocketsSample = {
          states,
          ...base,
          method: 'ss',
          dumpedSockets: unusual.value.length,
          unusual: summarizeUnusual(unusual.value),
          closeWaitHeld: closeWaitAges.update(unusual.value, atMs),
        };
        return { value, skippedLines, notes, atMs };
      }

      if (dump === 'missing') ssMissing = true;
      // Said every sample, not once: notes describe the sample on screen.
      if (ssMissing) notes.push('ss not found (install iproute2): counting from /proc/net/tcp, which reads every socket');
      const tcpFiles = await ctx.io.readProcNetFiles(['tcp', 'tcp6'], ['tcp'], ctx.timeoutMs);
      const tcp4 = tcpFiles.get('tcp') ?? '';
      const tcp6 = tcpFiles.get('tcp6');
      const all = [parseProcNetTcp(tcp4), ...(tcp6 === undefined ? [] : [parseProcNetTcp(tcp6)])];
      skippedLines += all.reduce((n, p) => n + p.skippedLines, 0);
      const sockets = all.flatMap((p) => p.value);
      const value: SocketsSample = {
        states: countAllStates(sockets),
        ...base,
        method: 'proc',
        dumpedSockets: sockets.length,
        unusual: summarizeUnusual(sockets),
        closeWaitHeld: closeWaitAges.update(sockets, atMs),
      };
      return { value, skippedLines, notes, atMs } satisfies Sampled<SocketsSample>;
    },
  };
}

/**
 * A small namespace's socket list from /proc/net/tcp (and tcp6 unless it is
 * known to hold none): the sockets neither ESTAB nor TIME-WAIT, which
 * sockstat counts. The backlog of a listener with connections waiting comes
 * from one `ss -tln` (listeners only, filtered in the kernel): the files
 * have no column for it, and a full accept queue is a cause the alerts name.
 */
async function readSocketFiles(
  ctx: SampleContext,
  v4Only: boolean,
): Promise<{ unusual: SocketEntry[]; lines: number; skippedLines: number; backlogs: Map<string, number>; backlogProblem?: string } | undefined> {
  const tcp = await ctx.io.readProcNetList('tcp', ctx.timeoutMs);
  if (tcp === undefined) return undefined;
  const tcp6 = v4Only ? undefined : await ctx.io.readProcNetList('tcp6', ctx.timeoutMs);
  const parsed = [parseProcNetTcp(tcp), ...(tcp6 === undefined ? [] : [parseProcNetTcp(tcp6)])];
  const all = parsed.flatMap((p) => p.value);
  const unusual = all.filter((s) => s.state !== 'ESTAB' && s.state !== 'TIME-WAIT');
  const backlogs = new Map<string, number>();
  let backlogProblem: string | undefined;
  if (unusual.some((s) => s.state === 'LISTEN' && s.recvQ > 0)) {
    try {
      const listeners = parseSsSockets((await ctx.io.run(['ss', ...LISTENER_ARGS], { timeoutMs: ctx.timeoutMs })).stdout);
      for (const l of listeners.value) backlogs.set(endpointText(l.local), l.sendQ);
    } catch (error) {
      backlogProblem = `listeners' backlogs unknown: ${asProblem(error).message}`;
    }
  }
  return { unusual, lines: all.length, skippedLines: parsed.reduce((n, p) => n + p.skippedLines, 0), backlogs, ...(backlogProblem ? { backlogProblem } : {}) };
}

async function runSs(ctx: SampleContext, args: string[]): Promise<string | 'missing'> {
  try {
    return (await ctx.io.run(['ss', ...args], { timeoutMs: ctx.timeoutMs })).stdout;
  } catch (error) {
    const problem = asProblem(error);
    if (problem.kind === 'missing-tool' && problem.message.startsWith('ss ')) return 'missing';
    throw problem;
  }
}
