import { readFileSync } from 'node:fs';
import { readSeqFile } from '../../collectors/seqFile.js';
import { CONNTRACK, type ConntrackSample, parseConntrackStatTable, parseSingleInteger } from '../../collectors/conntrack.js';
import { COUNTERS, type CounterValues, parseKernelCounters } from '../../collectors/counters.js';
import { discoverNamespaces } from '../../collectors/namespaces.js';
import type { NetNamespace } from '../../collectors/parse/namespaces.js';
import type { SocketEntry } from '../../collectors/parse/ssSockets.js';
import { parseSsSockets } from '../../collectors/parse/ssSockets.js';
import { CloseWaitAges, SOCKETS, UNUSUAL_STATES_ARGS, socketSeries } from '../../collectors/sockets.js';
import type { AlertConfig } from '../alerts/config.js';
import { AlertEngine } from '../alerts/engine.js';
import type { Alert } from '../alerts/types.js';
import { CostCadence } from '../costCadence.js';
import { formatAge, formatCount } from '../format.js';
import { safeText } from '../sanitize.js';
import { CURATED_COUNTERS } from '../panels/counters.js';
import { CollectorProblem } from '../problems.js';
import { type Sockstat, parseSockstat } from '../../collectors/parse/sockstat.js';
import { RULES } from '../registry.js';
import { Store } from '../store.js';
import { type Target, defaultRoots, netnsCommandPrefix } from '../target.js';
import { runBounded } from '../runBounded.js';
import { liveShellPids } from '../targetShell.js';
import { NamespaceReaders } from './readers.js';
import { namespaceSample, unusualOf } from './namespaceSample.js';

export interface FleetOptions {
  procRoot: string;
  config: AlertConfig;
  intervalMs: number;
  /** Above this many sockets a namespace is asked through `ss` instead of its files (FLEET_LIST_MAX_SOCKETS). */
  listMaxSockets?: number;
  /** Where `ip netns` keeps its mounts: a namespace nothing runs in is entered through its own. */
  netnsRunDir?: string;
}

/** The sources a namespace's files give: socket counts, kernel counters, conntrack. */
const FLEET_SOURCES = new Set([SOCKETS.name, COUNTERS.name, CONNTRACK.name]);

/** The rules that judge what file reads give for any namespace. */
export const FLEET_RULES = RULES.filter((r) => r.needs.every((k) => FLEET_SOURCES.has(k.name)));

/** One namespace as the fleet sees it: its own history and its own alerts. */
export interface NamespaceWatch {
  ns: NetNamespace;
  /** How commands for it are prefixed: its ip netns name, or a process in it. */
  target: Target;
  store: Store;
  alerts: Alert[];
  /** Why it has no numbers, when it has none (its process went, it cannot be entered). */
  unread?: string;
  /** The PID of nettriage's own reader it is read through, when nothing else runs in it. */
  reader?: number;
}

export interface FleetState {
  /** Worst first: critical alerts, then warnings, then the most CLOSE-WAIT and SYN-SENT. */
  namespaces: NamespaceWatch[];
  /** Namespaces that went in the last minute, with when, and the alerts that were up: closed as "namespace gone". */
  gone: GoneNamespace[];
}

export interface GoneNamespace {
  ns: NetNamespace;
  atMs: number;
  alerts: Alert[];
}

interface Watch extends NamespaceWatch {
  engine: AlertEngine;
  closeWaitAges: CloseWaitAges;
  unusual: SocketEntry[];
  /** Reading every socket of the namespace (tcp, tcp6) is paced by its cost. */
  dumps: CostCadence;
  /** `activityOf` at the last read of its socket list. */
  dumpedActivity?: string;
  /** For a namespace too big for its files: the last `ss` asked in it. */
  filtered?: { running?: boolean; atMs?: number; error?: string };
}

const GONE_KEPT_MS = 60_000;

/** Per-namespace counters that move whenever a TCP socket changes state (see `activityOf`). */
const ACTIVITY_COUNTERS = ['TcpInSegs', 'TcpOutSegs', 'TcpActiveOpens', 'TcpPassiveOpens', 'TcpCurrEstab', 'TcpAttemptFails', 'TcpEstabResets', 'TcpOutRsts'];

/**
 * The counters a namespace's store keeps: the counter panel's and those the
 * rules judge (a test holds the rules to this list). Not all ~400: with 50
 * namespaces, storing every counter was most of the fleet's cost.
 */
export const FLEET_COUNTERS = new Set([
  ...CURATED_COUNTERS.map((c) => c.name),
  'TcpRetransSegs',
  'TcpOutSegs',
  'IpOutNoRoutes',
  'Ip6OutNoRoutes',
  'TcpOutRsts',
  'TcpExtTCPSynRetrans',
  'TcpExtListenOverflows',
  'TcpExtListenDrops',
  'TcpExtTCPTimeWaitOverflow',
  'UdpRcvbufErrors',
  'UdpSndbufErrors',
  'Udp6RcvbufErrors',
  'Udp6SndbufErrors',
]);

/** What a namespace's counters are parsed for: its store's, and those that say it is busy. */
const FLEET_KEPT: ReadonlySet<string> = new Set([...FLEET_COUNTERS, ...ACTIVITY_COUNTERS]);

/**
 * Above this many sockets a namespace's socket list is not read from its
 * files: /proc/PID/net/tcp prints every socket, ESTAB and TIME-WAIT too
 * (83,000 of them cost ~100 MB and a tenth of a core to parse). Its other
 * states come from one `ss` filtered in the kernel instead (`askKernel`);
 * until it answers, the rules over them are blind for it, not calm.
 */
export const FLEET_LIST_MAX_SOCKETS = 20_000;
const FILTERED_TIMEOUT_MS = 10_000;
const firstLine = (text: string) => text.split('\n')[0]?.trim() ?? '';

/** All namespaces' socket reads together take at most this share of a core. */
const DUMP_SHARE = 0.01;

/**
 * Files under /proc never block, and a synchronous read costs a fraction of
 * an asynchronous one (no thread-pool round trip for open, fstat, read and
 * close each): with 50 namespaces, those round trips were a third of a pass.
 */
function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Hashed and timewait sockets of a parsed sockstat file: how long its socket list is. */
function socketsIn(s: Sockstat | undefined): number {
  return (s?.TCP?.inuse ?? 0) + (s?.TCP?.tw ?? 0) + (s?.TCP6?.inuse ?? 0);
}

/**
 * What moves when any TCP socket of the namespace changes state: a state
 * changes on a segment sent or received, or when a socket is created,
 * destroyed or turns into a timewait one (all per-namespace numbers; orphan
 * and alloc in sockstat are host-wide, so not here). While it stands still,
 * the last socket list is still true and is not read again: a quiet
 * namespace costs its sockstat and counters only.
 */
function activityOf(sock4: Sockstat, sock6: Sockstat | undefined, counters: CounterValues): string {
  return [sock4.TCP?.inuse, sock4.TCP?.tw, sock6?.TCP6?.inuse, ...ACTIVITY_COUNTERS.map((n) => counters.get(n))].join(' ');
}

/** `ip netns` names are commands' handles; a namespace without one is reached through a process in it. */
function targetOf(ns: NetNamespace): Target {
  const name = ns.names.find((n) => !n.startsWith('/'));
  if (ns.host) return { kind: 'host' };
  if (name !== undefined) return { kind: 'netns', name };
  return { kind: 'pid', pid: ns.representative ?? 0 };
}

/**
 * Every network namespace of the host, watched at once from file reads:
 * /proc/PID/net of one process in each (sockstat and the counters every
 * tick, every socket at a cadence its cost sets), with a store, a history
 * and the cheap alert rules per namespace. No process is started.
 */
export class NamespaceFleet {
  private readonly watches = new Map<number, Watch>();
  private gone: FleetState['gone'] = [];
  private readonly readers: NamespaceReaders;
  /** nf_conntrack_max is global (read-only inside a namespace): read from the host, once a minute. */
  private conntrackMax: { value?: number; atMs: number } = { atMs: Number.NEGATIVE_INFINITY };

  constructor(private readonly options: FleetOptions) {
    this.readers = new NamespaceReaders(options.netnsRunDir ?? defaultRoots.netnsRunDir);
  }

  /** Ends the readers it keeps in namespaces nothing runs in. */
  close(): void {
    this.readers.close();
  }

  /**
   * One pass over every namespace. `skip` names one whose numbers are not
   * needed this time (the dashboard watches it with its own rules): it
   * stays in the list, its alerts left to the dashboard.
   */
  async tick(nowMs = Date.now(), skip?: (target: Target) => boolean): Promise<FleetState> {
    // nettriage's own shells (the readers among them) are not the namespaces' processes.
    const found = await discoverNamespaces(this.options.procRoot, '', new Set(liveShellPids()));
    const present = new Set(found.map((ns) => ns.inode));
    this.readers.retain(new Set(found.filter((ns) => ns.representative === undefined).map((ns) => ns.inode)));
    for (const [inode, watch] of this.watches) {
      if (present.has(inode)) continue;
      this.watches.delete(inode);
      this.gone.push({ ns: watch.ns, atMs: nowMs, alerts: watch.alerts });
    }
    this.gone = this.gone.filter((g) => nowMs - g.atMs < GONE_KEPT_MS && !present.has(g.ns.inode));
    const share = DUMP_SHARE / Math.max(1, found.length);
    await Promise.all(
      found.map((ns) => {
        if (!skip?.(targetOf(ns))) return this.sample(ns, share, nowMs);
        this.watchOf(ns, share).alerts = [];
        return undefined;
      }),
    );
    const namespaces = found.map((ns) => this.watches.get(ns.inode)).filter((w): w is Watch => w !== undefined);
    return { namespaces: namespaces.sort((a, b) => badness(b) - badness(a) || a.ns.inode - b.ns.inode), gone: [...this.gone] };
  }

  private watchOf(ns: NetNamespace, share: number): Watch {
    let watch = this.watches.get(ns.inode);
    if (!watch) {
      const target = targetOf(ns);
      watch = {
        ns,
        target,
        store: new Store(),
        alerts: [],
        engine: new AlertEngine(this.options.config, target, FLEET_RULES),
        closeWaitAges: new CloseWaitAges(),
        unusual: [],
        dumps: new CostCadence({ minMs: this.options.intervalMs, maxMs: 30_000, share }),
      };
      this.watches.set(ns.inode, watch);
    }
    // Names, processes and the representative change while it lives.
    watch.ns = ns;
    return watch;
  }

  /**
   * A namespace too big to list from its files: one `ss` in it, filtered in
   * the kernel to the states that are neither ESTAB nor TIME-WAIT (inet_diag
   * skips the rest without printing them), paced by the same cost share.
   * Not awaited: the pass goes on with the last answer.
   */
  private askKernel(watch: Watch, nowMs: number): void {
    const filtered = (watch.filtered ??= {});
    if (filtered.running || !watch.dumps.due(nowMs)) return;
    const prefix = netnsCommandPrefix(watch.target, defaultRoots);
    if (watch.target.kind === 'pid' && watch.target.pid === 0) return;
    filtered.running = true;
    const started = performance.now();
    void runBounded([...prefix, 'ss', ...UNUSUAL_STATES_ARGS], { timeoutMs: FILTERED_TIMEOUT_MS, maxBytes: 64 * 1024 * 1024 }).then((r) => {
      filtered.running = false;
      watch.dumps.ran(nowMs, performance.now() - started);
      if (r.exitCode === 0 && !r.truncated) {
        watch.unusual = parseSsSockets(r.stdout.toString('utf8')).value;
        filtered.atMs = nowMs;
        delete filtered.error;
      } else {
        filtered.error = r.timedOut
          ? `ss took over ${FILTERED_TIMEOUT_MS / 1000} s`
          : r.truncated
            ? 'ss printed over 64 MB'
            : `ss failed: ${safeText(firstLine(r.stderr.toString('utf8')) || r.notStarted || `exit ${r.exitCode}`)}`;
      }
    });
  }

  /**
   * A namespace's conntrack from its /proc/PID/net/stat/nf_conntrack: the
   * `entries` column is its own count, against the host's global limit.
   * Undefined where the file is absent (nf_conntrack not loaded).
   */
  private conntrackOf(text: string | undefined, nowMs: number): ConntrackSample | undefined {
    if (text === undefined) return undefined;
    const table = parseConntrackStatTable(text).value;
    const entries = table.get('entries');
    if (entries === undefined) return undefined;
    if (nowMs - this.conntrackMax.atMs >= 60_000) {
      const max = parseSingleInteger(read(`${this.options.procRoot}/sys/net/netfilter/nf_conntrack_max`) ?? '');
      this.conntrackMax = { atMs: nowMs, ...(max === undefined ? {} : { value: max }) };
    }
    const max = this.conntrackMax.value;
    if (max === undefined || max <= 0) return undefined;
    const count = Number(entries);
    const stats = new Map(CONNTRACK_KEPT.filter((k) => table.has(k)).map((k) => [k, table.get(k) ?? 0n]));
    return { count, max, fill: count / max, source: 'procfs', stats };
  }

  private async sample(ns: NetNamespace, share: number, nowMs: number): Promise<void> {
    const watch = this.watchOf(ns, share);
    let pid = ns.representative;
    delete watch.reader;
    if (pid === undefined) {
      // Nothing of its own runs in it: a shell of ours is put there (once) to read it through.
      const entered = ns.ownPid !== undefined ? { pid: ns.ownPid } : await this.readers.enter(ns);
      if ('why' in entered) {
        watch.unread = entered.why;
        return;
      }
      pid = entered.pid;
      watch.reader = pid;
    }
    const net = `${this.options.procRoot}/${pid}/net`;
    const [sockstat, sockstat6, snmp, netstat] = ['sockstat', 'sockstat6', 'snmp', 'netstat'].map((f) => read(`${net}/${f}`));
    if (sockstat === undefined || snmp === undefined) {
      // Its process exited since discovery: the next tick finds another, or finds it gone.
      watch.unread = 'its process exited while being read';
      return;
    }
    const sock4 = parseSockstat(sockstat).value;
    const sock6 = sockstat6 === undefined ? undefined : parseSockstat(sockstat6).value;
    // snmp6 holds only the Udp6 buffer errors the fleet keeps: they cannot move without a UDP6 socket.
    const snmp6 = (sock6?.UDP6?.inuse ?? 0) > 0 ? read(`${net}/snmp6`) : undefined;
    const counters = parseKernelCounters([snmp, netstat, snmp6].filter((t): t is string => t !== undefined).join('\n'), FLEET_KEPT).value;
    const sockets = socketsIn(sock4) + socketsIn(sock6);
    const listable = sockets <= (this.options.listMaxSockets ?? FLEET_LIST_MAX_SOCKETS);
    const activity = activityOf(sock4, sock6, counters);
    if (listable && activity !== watch.dumpedActivity && watch.dumps.due(nowMs)) {
      const started = performance.now();
      // Each read of these files walks the host's whole established hash
      // (~1.7 ms for 262,144 buckets, whatever the namespace holds): one with
      // no socket is not read.
      const tcp = (sock4.TCP?.inuse ?? 0) + (sock4.TCP?.tw ?? 0) > 0 ? readSeqFile(`${net}/tcp`) : '';
      const tcp6 = (sock6?.TCP6?.inuse ?? 0) > 0 ? readSeqFile(`${net}/tcp6`) : undefined;
      if (tcp !== undefined) {
        watch.unusual = unusualOf(tcp, tcp6);
        watch.dumpedActivity = activity;
      }
      watch.dumps.ran(nowMs, performance.now() - started);
    }
    const sample = namespaceSample({ sockstat: sock4, ...(sock6 === undefined ? {} : { sockstat6: sock6 }), counters }, watch.unusual, watch.closeWaitAges, nowMs);
    const { store } = watch;
    if (!listable) this.askKernel(watch, nowMs);
    const big = listable ? undefined : watch.filtered;
    if (listable || big?.atMs !== undefined) {
      const notes = big?.atMs === undefined ? [] : [`${formatCount(sockets)} sockets: states other than ESTAB and TIME-WAIT from ss, ${formatAge(nowMs - big.atMs)} ago`];
      store.recordSample(SOCKETS, { value: sample.sockets, atMs: nowMs, skippedLines: 0, notes }, socketSeries(sample.sockets));
      delete watch.unread;
    } else {
      const why = `${formatCount(sockets)} sockets, too many to list from its files: ${big?.error ?? 'asking ss, filtered in the kernel'}`;
      store.recordProblem(SOCKETS, new CollectorProblem('absent', why), nowMs);
      watch.unread = why;
    }
    if (listable) delete watch.filtered;
    store.recordSample(COUNTERS, { value: sample.counters, atMs: nowMs, skippedLines: 0, notes: [] }, {});
    store.recordCounters(COUNTERS, nowMs, sample.counters.values);
    const conntrack = this.conntrackOf(read(`${net}/stat/nf_conntrack`), nowMs);
    if (conntrack) {
      store.recordSample(CONNTRACK, { value: conntrack, atMs: nowMs, skippedLines: 0, notes: [] }, {});
      store.recordCounters(CONNTRACK, nowMs, conntrack.stats);
    } else {
      store.recordProblem(CONNTRACK, new CollectorProblem('inactive', 'connection tracking is not active here (nf_conntrack not loaded)'), nowMs);
    }
    store.commitTick(nowMs);
    watch.alerts = watch.engine.evaluate(store, nowMs).alerts;
  }
}

/** The events of a conntrack table that say it loses connections. */
const CONNTRACK_KEPT = ['insert_failed', 'drop', 'early_drop'];

/** How bad a namespace looks: alerts first, then piles of sockets that should not pile up. */
function badness(w: NamespaceWatch): number {
  const critical = w.alerts.filter((a) => a.severity === 'critical').length;
  const warning = w.alerts.length - critical;
  const states = w.store.sample(SOCKETS)?.value.states;
  return critical * 1e12 + warning * 1e9 + (states ? states['CLOSE-WAIT'] + states['SYN-SENT'] : 0);
}
