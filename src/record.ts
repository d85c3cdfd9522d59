import { type ConntrackSample, CONNTRACK } from '../collectors/conntrack.js';
import { COUNTERS } from '../collectors/counters.js';
import { DESTINATIONS, type DestinationsSample } from '../collectors/destinations.js';
import { ETHTOOL } from '../collectors/ethtool.js';
import { type NicsSample, nicCounterKey, NICS } from '../collectors/nics.js';
import { type LayerCheck, buildLayers } from './layers.js';
import { STALLS, type StallsSample } from '../collectors/stalls.js';
import { PATHS, type PathsSample } from '../collectors/paths.js';
import { DNS, type DnsSample } from '../collectors/dns.js';
import { type NeighbourTable, ROUTES, ROUTES_KEPT, type RoutesSample, routeCounterKey } from '../collectors/routes.js';
import type { Route4 } from '../collectors/parse/routes.js';
import { OWNERS, type OwnersSample } from '../collectors/owners.js';
import { PROCESS_VITALS, type ProcessVitalsSample } from '../collectors/processVitals.js';
import { CONNECTS, type ConnectsSample } from '../collectors/connects.js';
import { SELF } from '../collectors/self.js';
import { SOCKET_MEMORY, type SocketMemorySample } from '../collectors/socketMemory.js';
import { SOFTNET, type SoftnetSample, softnetCounterKey } from '../collectors/softnet.js';
import type { SoftnetCpu } from '../collectors/parse/softnet.js';
import { qdiscKey } from '../collectors/parse/qdisc.js';
import { QDISCS, type QdiscsSample, qdiscCounterKey } from '../collectors/qdiscs.js';
import { type SocketsSample, SOCKETS } from '../collectors/sockets.js';
import { TARGET } from '../collectors/target.js';
import type { SampleKey } from '../collectors/types.js';
import type { AlertsState } from './alerts/engine.js';
import type { Alert, Severity } from './alerts/types.js';
import type { LeakForecast } from './alerts/rules/leakForecast.js';
import type { ClientsSeen } from './alerts/rules/connecting.js';
import { type DropLayer, dropPath } from './dropPath.js';
import { dropReasonsModel } from './dropReasonsModel.js';
import { DROP_REASONS, type DropReasonsSample } from '../collectors/dropReasons.js';
import { jsonInteger } from './rates.js';
import type { CollectorStatus, CounterState, Store } from './store.js';
import { type Target, targetLabel } from './target.js';

/** Bumped when a path that scripts read changes meaning or disappears. */
export const RECORD_VERSION = 1;

export interface SourceError {
  error: string;
  hint?: string;
}

/** Freshness and parse accounting that every data section carries. */
export interface SectionMeta {
  /** Age of this data when the record was written; > interval means it is stale. */
  ageMs: number;
  /** The latest attempt failed; the data is from an earlier one. */
  problem?: SourceError;
  notes?: string[];
  skippedLines?: number;
}

/** A counter in the record: exact value (a string above 2^53) and its per-second rate. */
export interface CounterRecord {
  value: number | string;
  /** null on the first sample and right after a reset. */
  rate: number | null;
}

export type TcpRecord = SocketsSample & SectionMeta;

export type ConntrackRecord = Omit<ConntrackSample, 'stats'> & { stats: Record<string, CounterRecord> } & SectionMeta;

export interface NicRecord {
  state: string;
  carrier?: boolean;
  mtu?: number;
  speedMbps?: number;
  duplex?: 'full' | 'half';
  kind?: string;
  /** The veth's other end (or a vlan's lower device) when it is in the same namespace. */
  peer?: string;
  physical: boolean;
  stats: Record<string, CounterRecord>;
  driver?: { name?: string; firmware?: string; stats: Record<string, CounterRecord & { queues: number }>; problem?: string };
}

/** One line of `--json` output: the state of everything at one tick. */
export interface SampleRecord {
  v: typeof RECORD_VERSION;
  time: string;
  target: string;
  intervalMs: number;
  tcp: TcpRecord | SourceError;
  counters: Record<string, CounterRecord> | SourceError;
  conntrack: ConntrackRecord | SourceError;
  nics: Record<string, NicRecord> | SourceError;
  /** The busiest destinations by local ephemeral ports in use, when they were last counted (`[]` while no destination could near the limit). */
  destinations?: (DestinationsSample & SectionMeta) | SourceError;
  /**
   * The processes that own the sockets an alert is about, when they were
   * last asked (`ss -p` runs only while an alert needs names): per state, and
   * per destination running out of ports. Absent when nothing was asked.
   */
  owners?: OwnersSample & SectionMeta;
  /**
   * The open fds (against the soft limit) and RSS of the processes an alert
   * follows — a CLOSE-WAIT leak's top holders — each second while it does.
   * Absent when no alert follows any.
   */
  processes?: ProcessVitalsSample & SectionMeta;
  /**
   * Who calls connect() toward the destinations alerts name (or an open
   * drill-down lists), from the kernel's tracepoint: per destination, the
   * last sample that saw any. Absent while nothing is traced.
   */
  connects?: (ConnectsSample & SectionMeta) | SourceError;
  /** The per-CPU receive backlog (host-wide): each CPU's counters, and all CPUs' rates. */
  softnet?: SoftnetRecord | SourceError;
  /** The transmit queues of every interface, roots and children (`tc -s -j qdisc`, every 5 samples), with their drop and overlimit rates. */
  qdiscs?: (QdiscsSample & { perSec: Record<string, { drops: number | null; overlimits: number | null }> } & SectionMeta) | SourceError;
  /**
   * The kernel's own reasons for the packets it freed (skb:kfree_skb;
   * host-wide, the tracepoint has no namespace): per reason its drops per
   * second now and over the minute and the drop-path layer it counts in.
   * `mode` says how: `hist` (counted in the kernel) or `sampled`
   * (`--drop-reasons`: `sampling` says how often and whether a sample
   * overflowed and was estimated).
   */
  dropReasons?: (DropReasonsSample & { scope: 'host'; perSec: Record<string, { now: number | null; minute: number | null; layer: DropLayer | null }> } & SectionMeta) | SourceError;
  /**
   * Where packets die, layer by layer in the order a received packet meets
   * them, then the transmit side: drops per second at the last sample and
   * over the last minute, and the counter that moves most.
   */
  dropPath: { layer: DropLayer; dropsPerSec: number | null; dropsPerSecMinute: number | null; top: { counter: string; rate: number } | null; unknown?: string }[];
  /** Socket buffer memory (host-wide), in pages, against tcp_mem / udp_mem. */
  socketMemory: (SocketMemorySample & SectionMeta) | SourceError;
  /**
   * The namespace's IPv4 main table and neighbours: its default route (and
   * the last one seen, when it went), the default gateway's neighbour state,
   * the reject routes, the unresolved neighbours, and the host's neighbour
   * tables against gc_thresh3 (`tableFulls`: times they were full).
   */
  routes?: (RoutesRecord & SectionMeta) | SourceError;
  /**
   * Established connections backing off on retransmissions with data in
   * flight (`ss -ti`, read only while the namespace retransmits data): what
   * the PMTU black-hole rule judges. Absent while none is seen.
   */
  stalls?: StallsSample & SectionMeta;
  /**
   * `ip -j` at its slow cadence (30 s, 5 s while below TCP is wrong): the
   * route the kernel picks for the destinations that matter now (or its
   * refusal, and a cached PMTU exception), neighbours by NUD state with the
   * gateways and the unresolved ones, and the addresses that are not
   * link-local or carry a flag (tentative, dadfailed).
   */
  paths?: (PathsSample & SectionMeta) | SourceError;
  /**
   * DNS as the namespace sees it: the resolv.conf its processes read
   * (`path`, `conf`), what an external name costs (`cost`), and each
   * nameserver's last probes (`servers[].probes`: rcode and latency, or the
   * failure) while someone watches the DNS line.
   */
  dns?: (DnsSample & SectionMeta) | SourceError;
  /** Active alerts, most severe first. */
  alerts: AlertRecord[];
  /**
   * The triage checklist, bottom-up (link, route, transport, application):
   * each layer ok, degraded, broken, unknown or unchecked, with its worst
   * finding and next command; `first` marks the lowest layer to look at.
   */
  layers: Omit<LayerCheck, 'opens'>[];
  /** Rules whose verdict is unknown: a source they judge gives no data (an alert they had stays in `alerts`). */
  unknown: { id: string; sources: { source: string; why: string }[] }[];
  /** Freshness of every source, by collector: sockets, counters, conntrack, nics, ethtool. */
  sources: Record<string, SectionMeta | SourceError>;
  /** What nettriage itself costs: CPU % of one core (self + children, over ~10 s) and RSS of them all. */
  self?: { cpuPercent: number | null; rssBytes: number };
}

export type NeighbourTableRecord = Omit<NeighbourTable, 'tableFulls'> & { tableFulls: number; tableFullsPerSec: number | null };

export type RoutesRecord = Omit<RoutesSample, 'routes' | 'table4' | 'table6' | 'lastDefault'> & {
  /** The last default route seen in this run, and how long ago (while it is there: 0). */
  lastDefault?: { route: Route4; ageMs: number };
  /** unreachable, blackhole and prohibit routes of the main table. */
  rejects: Route4[];
  table4?: NeighbourTableRecord;
  table6?: NeighbourTableRecord;
};

export interface SoftnetRecord extends SectionMeta {
  cpus: SoftnetCpu[];
  /** Per second, all CPUs together; null on the first sample and after a reset. */
  perSec: { processed: number | null; dropped: number | null; timeSqueeze: number | null };
}

export interface AlertRecord {
  id: string;
  severity: Severity;
  summary: string;
  subject: string;
  /** ISO 8601 time the alert was raised. */
  since: string;
  why: string;
  next: string[];
  /** The alert that explains this one (a symptom): not counted on its own. */
  causedBy?: { id: string; subject: string };
  /** The process it names and what it has left: `{pid, fds, fdLimit, fdsPerMin, fdsFullInMin, rssBytes, rssBytesPerMin}`. */
  holder?: LeakForecast;
  /** Who connects to the destination it names: `{how: "traced"|"ss", ageMs, processes: [{pid, name, connectsPerSec?}], sampling?}`. */
  clients?: ClientsSeen;
}

function problemOf(status: CollectorStatus): SourceError | undefined {
  if (!status.problem) return undefined;
  const out: SourceError = { error: status.problem.message };
  if (status.problem.hint) out.hint = status.problem.hint;
  return out;
}

function meta(store: Store, name: SampleKey<unknown>, atMs: number, nowMs: number): SectionMeta {
  const status = store.status(name);
  const out: SectionMeta = { ageMs: Math.max(0, nowMs - atMs) };
  const problem = problemOf(status);
  if (problem) out.problem = problem;
  if (status.notes.length > 0) out.notes = status.notes;
  if (status.skippedLines > 0) out.skippedLines = status.skippedLines;
  return out;
}

/**
 * A section is its data with its freshness (and `problem` when the latest
 * attempt failed but earlier data exists), or `{error, hint}` when there is
 * no data at all.
 */
function section<T, R extends object>(store: Store, name: SampleKey<T>, nowMs: number, shape: (value: T) => R): (R & SectionMeta) | SourceError {
  const sample = store.sample(name);
  if (!sample) return problemOf(store.status(name)) ?? { error: 'no sample yet' };
  return { ...shape(sample.value), ...meta(store, name, sample.atMs, nowMs) };
}

/** The record of each counter as last built: the same object while its value and rate stand (most do, most ticks). */
const counterRecords = new WeakMap<CounterState, { value: bigint; record: CounterRecord }>();

export function counterRecord(state: CounterState | undefined): CounterRecord {
  if (!state) return { value: 0, rate: null };
  const rate = state.perSec ?? null;
  const last = counterRecords.get(state);
  if (last && last.value === state.value && last.record.rate === rate) return last.record;
  const record = { value: jsonInteger(state.value), rate };
  counterRecords.set(state, { value: state.value, record });
  return record;
}

function countersOf(store: Store, owner: SampleKey<unknown>, prefix = '', movedSinceTick?: number): Record<string, CounterRecord> {
  const out: Record<string, CounterRecord> = {};
  store.counters(owner).forEach((state, name) => {
    if (movedSinceTick !== undefined && !((state.lastMovedTick ?? -1) >= movedSinceTick)) return;
    if (name.startsWith(prefix)) out[prefix === '' ? name : name.slice(prefix.length)] = counterRecord(state);
  });
  return out;
}

function nicsRecord(store: Store, nics: NicsSample): Record<string, NicRecord> {
  const driver = store.sample(ETHTOOL)?.value.interfaces;
  const ethtoolCounters = store.counters(ETHTOOL);
  const out: Record<string, NicRecord> = {};
  for (const nic of nics.interfaces) {
    const record: NicRecord = { state: nic.operstate, physical: nic.physical, stats: countersOf(store, NICS, nicCounterKey(nic.name, '')) };
    if (nic.carrier !== undefined) record.carrier = nic.carrier;
    if (nic.mtu !== undefined) record.mtu = nic.mtu;
    if (nic.speedMbps !== undefined) record.speedMbps = nic.speedMbps;
    if (nic.duplex !== undefined) record.duplex = nic.duplex;
    if (nic.kind !== undefined) record.kind = nic.kind;
    if (nic.peer !== undefined) record.peer = nic.peer;
    const d = driver?.get(nic.name);
    if (d) {
      const stats: Record<string, CounterRecord & { queues: number }> = {};
      for (const [key, c] of d.counters) stats[key] = { ...counterRecord(ethtoolCounters.get(nicCounterKey(nic.name, key))), queues: c.queues };
      record.driver = { stats };
      if (d.info?.driver) record.driver.name = d.info.driver;
      if (d.info?.firmware) record.driver.firmware = d.info.firmware;
      if (d.problem) record.driver.problem = d.problem;
    }
    out[nic.name] = record;
  }
  return out;
}

const SOURCES: SampleKey<unknown>[] = [TARGET, SOCKETS, COUNTERS, CONNTRACK, NICS, ROUTES, PATHS, DNS, ETHTOOL, OWNERS, DESTINATIONS, SOCKET_MEMORY, SOFTNET, QDISCS, DROP_REASONS];

/** Link-local addresses stay out: a node's hundreds of veths have nothing else. */
function pathsRecord(v: PathsSample): PathsSample {
  const addresses = v.addresses
    .map((l) => ({ dev: l.dev, addresses: l.addresses.filter((a) => a.scope !== 'link' || a.tentative || a.dadFailed) }))
    .filter((l) => l.addresses.length > 0);
  return { ...v, addresses };
}

/**
 * One tick's record. With `countersMovedSinceTick` (a store's `ticks`),
 * `counters` holds only the counters whose value changed from that tick on
 * (a recording's delta line).
 */
export function buildRecord(store: Store, target: Target, intervalMs: number, alerts?: AlertsState, nowMs = Date.now(), countersMovedSinceTick?: number): SampleRecord {
  const counters = store.sample(COUNTERS);
  const nics = store.sample(NICS);
  const sources: Record<string, SectionMeta | SourceError> = {};
  for (const key of SOURCES) {
    const sample = store.sample(key);
    const status = store.status(key);
    if (sample) sources[key.name] = meta(store, key, sample.atMs, nowMs);
    else if (status.problem) sources[key.name] = problemOf(status) as SourceError;
  }
  return {
    v: RECORD_VERSION,
    time: new Date(nowMs).toISOString(),
    target: targetLabel(target),
    intervalMs,
    tcp: section(store, SOCKETS, nowMs, (v: SocketsSample) => v),
    counters: counters ? countersOf(store, COUNTERS, '', countersMovedSinceTick) : (problemOf(store.status(COUNTERS)) ?? { error: 'no sample yet' }),
    conntrack: section(store, CONNTRACK, nowMs, (v: ConntrackSample) => ({ ...v, stats: countersOf(store, CONNTRACK) })),
    // Keyed by interface name: freshness lives in `sources.nics`, not beside the names.
    nics: nics ? nicsRecord(store, nics.value) : (problemOf(store.status(NICS)) ?? { error: 'no sample yet' }),
    socketMemory: section(store, SOCKET_MEMORY, nowMs, (v: SocketMemorySample) => v),
    ...((store.sample(STALLS)?.value.stalled.length ?? 0) > 0 ? { stalls: section(store, STALLS, nowMs, (v: StallsSample) => v) as StallsSample & SectionMeta } : {}),
    ...(store.sample(PATHS) || store.status(PATHS).problem ? { paths: section(store, PATHS, nowMs, pathsRecord) } : {}),
    ...(store.sample(DNS) || store.status(DNS).problem ? { dns: section(store, DNS, nowMs, (v: DnsSample) => v) } : {}),
    ...(store.sample(ROUTES) || store.status(ROUTES).problem ? { routes: section(store, ROUTES, nowMs, (v: RoutesSample) => routesRecord(store, v, nowMs)) } : {}),
    qdiscs: section(store, QDISCS, nowMs, (v: QdiscsSample) => ({
      qdiscs: v.qdiscs,
      perSec: Object.fromEntries(
        v.qdiscs.map((q) => [qdiscKey(q), { drops: store.counters(QDISCS).get(qdiscCounterKey(q, 'drops'))?.perSec ?? null, overlimits: store.counters(QDISCS).get(qdiscCounterKey(q, 'overlimits'))?.perSec ?? null }]),
      ),
    })),
    softnet: section(store, SOFTNET, nowMs, (v: SoftnetSample) => ({
      cpus: v.cpus,
      perSec: {
        processed: store.counters(SOFTNET).get(softnetCounterKey('all', 'processed'))?.perSec ?? null,
        dropped: store.counters(SOFTNET).get(softnetCounterKey('all', 'dropped'))?.perSec ?? null,
        timeSqueeze: store.counters(SOFTNET).get(softnetCounterKey('all', 'timeSqueeze'))?.perSec ?? null,
      },
    })),
    dropReasons: section(store, DROP_REASONS, nowMs, (v: DropReasonsSample) => ({
      ...v,
      scope: 'host' as const,
      perSec: Object.fromEntries(dropReasonsModel(store).rates.map(({ reason, ...rate }) => [reason, rate])),
    })),
    ...(store.sample(DESTINATIONS) ? { destinations: section(store, DESTINATIONS, nowMs, (v: DestinationsSample) => v) } : {}),
    ...ownersRecord(store, nowMs),
    ...processesRecord(store, nowMs),
    ...connectsRecord(store, nowMs),
    dropPath: dropPath(store).map(({ next: _, ...layer }) => layer),
    alerts: (alerts?.alerts ?? []).map(alertRecord),
    layers: buildLayers(store, alerts?.alerts ?? [], alerts?.blind ?? []).map(({ opens: _, ...layer }) => layer),
    unknown: alerts?.blind ?? [],
    sources,
    ...selfRecord(store),
  };
}

function routesRecord(store: Store, v: RoutesSample, nowMs: number): RoutesRecord {
  const { routes, table4, table6, lastDefault, ...rest } = v;
  const table = (t: NeighbourTable | undefined, counter: string): NeighbourTableRecord | undefined =>
    t && { ...t, tableFulls: Number(t.tableFulls), tableFullsPerSec: store.counters(ROUTES).get(counter)?.perSec ?? null };
  const t4 = table(table4, routeCounterKey.table4Fulls);
  const t6 = table(table6, routeCounterKey.table6Fulls);
  return {
    ...rest,
    ...(lastDefault ? { lastDefault: { route: lastDefault.route, ageMs: Math.max(0, nowMs - lastDefault.atMs) } } : {}),
    rejects: routes.filter((r) => r.reject).slice(0, ROUTES_KEPT),
    ...(t4 ? { table4: t4 } : {}),
    ...(t6 ? { table6: t6 } : {}),
  };
}

function ownersRecord(store: Store, nowMs: number): { owners?: OwnersSample & SectionMeta } {
  const owners = store.sample(OWNERS);
  if (!owners || (Object.keys(owners.value.byState).length === 0 && Object.keys(owners.value.clientsOf).length === 0)) return {};
  return { owners: { ...owners.value, ...meta(store, OWNERS, owners.atMs, nowMs) } };
}

function connectsRecord(store: Store, nowMs: number): Pick<SampleRecord, 'connects'> {
  const connects = store.sample(CONNECTS);
  if (!connects || connects.value.watching.length === 0) return {};
  return { connects: { ...connects.value, ...meta(store, CONNECTS, connects.atMs, nowMs) } };
}

function processesRecord(store: Store, nowMs: number): { processes?: ProcessVitalsSample & SectionMeta } {
  const vitals = store.sample(PROCESS_VITALS);
  if (!vitals || vitals.value.processes.length === 0) return {};
  return { processes: { ...vitals.value, ...meta(store, PROCESS_VITALS, vitals.atMs, nowMs) } };
}

export function alertRecord(a: Alert): AlertRecord {
  return {
    id: a.id,
    severity: a.severity,
    summary: a.summary,
    subject: a.subject,
    since: new Date(a.sinceMs).toISOString(),
    why: a.why,
    next: a.next,
    ...(a.causedBy ? { causedBy: a.causedBy } : {}),
    ...(a.holder ? { holder: a.holder } : {}),
    ...(a.clients ? { clients: a.clients } : {}),
  };
}

function selfRecord(store: Store): Pick<SampleRecord, 'self'> {
  const self = store.sample(SELF)?.value;
  return self ? { self: { cpuPercent: self.cpuPercent === undefined ? null : Number(self.cpuPercent.toFixed(2)), rssBytes: self.rssBytes } } : {};
}
