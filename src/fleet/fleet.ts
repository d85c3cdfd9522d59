import { readFileSync } from 'node:fs';
import { COUNTERS } from '../../collectors/counters.js';
import { discoverNamespaces } from '../../collectors/namespaces.js';
import type { NetNamespace } from '../../collectors/parse/namespaces.js';
import type { SocketEntry } from '../../collectors/parse/ssSockets.js';
import { CloseWaitAges, SOCKETS, socketSeries } from '../../collectors/sockets.js';
import type { AlertConfig } from '../alerts/config.js';
import { AlertEngine } from '../alerts/engine.js';
import type { Alert } from '../alerts/types.js';
import { CostCadence } from '../costCadence.js';
import { formatCount } from '../format.js';
import { CURATED_COUNTERS } from '../panels/counters.js';
import { CollectorProblem } from '../problems.js';
import { type Sockstat, parseSockstat } from '../../collectors/parse/sockstat.js';
import { RULES } from '../registry.js';
import { Store } from '../store.js';
import type { Target } from '../target.js';
import { namespaceSample, unusualOf } from './namespaceSample.js';

/** The rules that judge what file reads give for any namespace: socket counts and kernel counters. */
export const FLEET_RULES = RULES.filter((r) => r.needs.every((k) => k.name === SOCKETS.name || k.name === COUNTERS.name));

/** One namespace as the fleet sees it: its own history and its own alerts. */
export interface NamespaceWatch {
  ns: NetNamespace;
  /** How commands for it are prefixed: its ip netns name, or a process in it. */
  target: Target;
  store: Store;
  alerts: Alert[];
  /** Why it has no numbers, when it has none (a name nothing runs in). */
  unread?: string;
}

export interface FleetState {
  /** Worst first: critical alerts, then warnings, then the most CLOSE-WAIT and SYN-SENT. */
  namespaces: NamespaceWatch[];
  /** Namespaces that went in the last minute, with when: their alerts closed as "namespace gone". */
  gone: { ns: NetNamespace; atMs: number }[];
}

interface Watch extends NamespaceWatch {
  engine: AlertEngine;
  closeWaitAges: CloseWaitAges;
  unusual: SocketEntry[];
  /** Reading every socket of the namespace (tcp, tcp6) is paced by its cost. */
  dumps: CostCadence;
}

const GONE_KEPT_MS = 60_000;

/**
 * The counters a namespace's store keeps: the counter panel's and those the
 * rules judge (a test holds the rules to this list). Not all ~400: with 50
 * namespaces, storing every counter was most of the fleet's cost.
 */
export const FLEET_COUNTERS = new Set([
  ...CURATED_COUNTERS.map((c) => c.name),
  'TcpRetransSegs',
  'TcpOutSegs',
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

/**
 * Above this many sockets a namespace's socket list is not read from its
 * files: /proc/PID/net/tcp prints every socket, ESTAB and TIME-WAIT too
 * (83,000 of them cost ~100 MB and a tenth of a core to parse). Its states
 * other than ESTAB and TIME-WAIT are then unknown, and the rules over them
 * blind for it, not calm: Enter watches it with ss, which filters in the kernel.
 */
export const FLEET_LIST_MAX_SOCKETS = 20_000;
/** All namespaces' socket reads together take at most this share of a core. */
const DUMP_SHARE = 0.02;

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

  constructor(private readonly options: { procRoot: string; config: AlertConfig; intervalMs: number }) {}

  /**
   * One pass over every namespace. `skip` names one whose numbers are not
   * needed this time (the dashboard watches it with its own rules): it
   * stays in the list, its alerts left to the dashboard.
   */
  async tick(nowMs = Date.now(), skip?: (target: Target) => boolean): Promise<FleetState> {
    const found = await discoverNamespaces(this.options.procRoot);
    const present = new Set(found.map((ns) => ns.inode));
    for (const [inode, watch] of this.watches) {
      if (present.has(inode)) continue;
      this.watches.delete(inode);
      this.gone.push({ ns: watch.ns, atMs: nowMs });
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

  private async sample(ns: NetNamespace, share: number, nowMs: number): Promise<void> {
    const watch = this.watchOf(ns, share);
    if (ns.representative === undefined) {
      watch.unread = 'no process runs in it: nothing to read its /proc/PID/net through';
      return;
    }
    const net = `${this.options.procRoot}/${ns.representative}/net`;
    const [sockstat, sockstat6, snmp, netstat, snmp6] = ['sockstat', 'sockstat6', 'snmp', 'netstat', 'snmp6'].map((f) => read(`${net}/${f}`));
    if (sockstat === undefined || snmp === undefined) {
      // Its process exited since discovery: the next tick finds another, or finds it gone.
      watch.unread = 'its process exited while being read';
      return;
    }
    const sock4 = parseSockstat(sockstat).value;
    const sock6 = sockstat6 === undefined ? undefined : parseSockstat(sockstat6).value;
    const sockets = socketsIn(sock4) + socketsIn(sock6);
    const listable = sockets <= FLEET_LIST_MAX_SOCKETS;
    if (listable && watch.dumps.due(nowMs)) {
      const started = performance.now();
      const [tcp, tcp6] = [read(`${net}/tcp`), read(`${net}/tcp6`)];
      if (tcp !== undefined) watch.unusual = unusualOf(tcp, tcp6);
      watch.dumps.ran(nowMs, performance.now() - started);
    }
    const counters = [snmp, netstat, snmp6].filter((t): t is string => t !== undefined).join('\n');
    const sample = namespaceSample({ sockstat: sock4, ...(sock6 === undefined ? {} : { sockstat6: sock6 }), counters }, watch.unusual, watch.closeWaitAges, nowMs);
    for (const name of sample.counters.values.keys()) if (!FLEET_COUNTERS.has(name)) sample.counters.values.delete(name);
    const { store } = watch;
    if (listable) {
      store.recordSample(SOCKETS, { value: sample.sockets, atMs: nowMs, skippedLines: 0, notes: [] }, socketSeries(sample.sockets));
      delete watch.unread;
    } else {
      watch.unusual = [];
      const why = `${formatCount(sockets)} sockets: too many to list from its files; Enter watches it with ss`;
      store.recordProblem(SOCKETS, new CollectorProblem('absent', why), nowMs);
      watch.unread = why;
    }
    store.recordSample(COUNTERS, { value: sample.counters, atMs: nowMs, skippedLines: 0, notes: [] }, {});
    store.recordCounters(COUNTERS, nowMs, sample.counters.values);
    store.commitTick(nowMs);
    watch.alerts = watch.engine.evaluate(store, nowMs).alerts;
  }
}

/** How bad a namespace looks: alerts first, then piles of sockets that should not pile up. */
function badness(w: NamespaceWatch): number {
  const critical = w.alerts.filter((a) => a.severity === 'critical').length;
  const warning = w.alerts.length - critical;
  const states = w.store.sample(SOCKETS)?.value.states;
  return critical * 1e12 + warning * 1e9 + (states ? states['CLOSE-WAIT'] + states['SYN-SENT'] : 0);
}
