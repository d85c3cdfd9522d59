import { type ConntrackSample, CONNTRACK } from '../collectors/conntrack.js';
import { COUNTERS } from '../collectors/counters.js';
import { DESTINATIONS, type DestinationsSample } from '../collectors/destinations.js';
import { ETHTOOL } from '../collectors/ethtool.js';
import { type NicsSample, nicCounterKey, NICS } from '../collectors/nics.js';
import { buildLayers } from './layers.js';
import { STALLS, type StallsSample } from '../collectors/stalls.js';
import { PATHS, type PathsSample } from '../collectors/paths.js';
import { DNS, type DnsSample } from '../collectors/dns.js';
import { type NeighbourTable, ROUTES, ROUTES_KEPT, type RoutesSample, routeCounterKey } from '../collectors/routes.js';
import { OWNERS, type OwnersSample } from '../collectors/owners.js';
import { PROCESS_VITALS, type ProcessVitalsSample } from '../collectors/processVitals.js';
import { CONNECTS } from '../collectors/connects.js';
import { SELF } from '../collectors/self.js';
import { SOCKET_MEMORY, type SocketMemorySample } from '../collectors/socketMemory.js';
import { SOFTNET, type SoftnetSample, softnetCounterKey } from '../collectors/softnet.js';
import { qdiscKey } from '../collectors/parse/qdisc.js';
import { QDISCS, type QdiscsSample, qdiscCounterKey } from '../collectors/qdiscs.js';
import { type SocketsSample, SOCKETS } from '../collectors/sockets.js';
import { TARGET } from '../collectors/target.js';
import type { SampleKey } from '../collectors/types.js';
import type { AlertsState } from './alerts/engine.js';
import type { Alert } from './alerts/types.js';
import { dropPath } from './dropPath.js';
import { dropReasonsModel } from './dropReasonsModel.js';
import { DROP_REASONS, type DropReasonsSample } from '../collectors/dropReasons.js';
import { jsonInteger } from './rates.js';
import type { CollectorStatus, CounterState, Store } from './store.js';
import { type Target, targetLabel } from './target.js';

export * from './recordTypes.js';
import type { AlertRecord, CounterRecord, NeighbourTableRecord, NicRecord, RoutesRecord, SampleRecord, SectionMeta, SourceError } from './recordTypes.js';
import { RECORD_VERSION } from './recordTypes.js';

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

/** The paths sample changes every 5–30 s, the record is built every tick: shaped once per sample. */
const pathsRecords = new WeakMap<PathsSample, PathsSample>();

/** Link-local addresses stay out: a node's hundreds of veths have nothing else. */
function pathsRecord(v: PathsSample): PathsSample {
  let shaped = pathsRecords.get(v);
  if (!shaped) {
    const addresses = v.addresses
      .map((l) => ({ dev: l.dev, addresses: l.addresses.filter((a) => a.scope !== 'link' || a.tentative || a.dadFailed) }))
      .filter((l) => l.addresses.length > 0);
    shaped = { ...v, addresses };
    pathsRecords.set(v, shaped);
  }
  return shaped;
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
