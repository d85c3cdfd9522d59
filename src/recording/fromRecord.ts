import { CONNTRACK, type ConntrackSample } from '../../collectors/conntrack.js';
import { COUNTERS, type CountersSample } from '../../collectors/counters.js';
import { DESTINATIONS, type DestinationsSample } from '../../collectors/destinations.js';
import { ETHTOOL, type EthtoolSample, type InterfaceDriverStats } from '../../collectors/ethtool.js';
import { NICS, type NicState, type NicsSample } from '../../collectors/nics.js';
import { OWNERS, type OwnersSample } from '../../collectors/owners.js';
import { SOCKET_MEMORY, type SocketMemorySample } from '../../collectors/socketMemory.js';
import { SOCKETS, type SocketsSample } from '../../collectors/sockets.js';
import type { SampleKey, Sampled } from '../../collectors/types.js';
import type { CounterRecord, SampleRecord, SectionMeta, SourceError } from '../record.js';

/** One source's sample as the scheduler would have stored it. */
export interface RecordedSample {
  key: SampleKey<unknown>;
  sampled: Sampled<unknown>;
}

const isError = (s: unknown): s is SourceError => typeof s === 'object' && s !== null && 'error' in s;
const META_KEYS = new Set(['ageMs', 'problem', 'notes', 'skippedLines']);

function withoutMeta<T extends object>(section: T & SectionMeta): T {
  return Object.fromEntries(Object.entries(section).filter(([k]) => !META_KEYS.has(k))) as T;
}

function counterValues(stats: Record<string, CounterRecord>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [name, c] of Object.entries(stats)) {
    try {
      out.set(name, BigInt(c.value));
    } catch {
      // Not an integer: left out, as the live parser leaves out what it cannot read.
    }
  }
  return out;
}

/**
 * The samples a record was made of, each at the time it was taken (the
 * record's time less the section's age), for the sources the rules judge:
 * sockets, counters, conntrack, socket memory, NICs and their drivers, the
 * busiest destinations, and the owners asked for while alerts wanted names. A section that is an error has no sample.
 */
export function samplesOfRecord(record: SampleRecord): RecordedSample[] {
  const timeMs = Date.parse(record.time);
  const out: RecordedSample[] = [];
  const add = <T>(key: SampleKey<T>, value: T, meta: SectionMeta | SourceError | undefined) => {
    const ageMs = meta && !isError(meta) ? meta.ageMs : 0;
    const notes = meta && !isError(meta) ? (meta.notes ?? []) : [];
    out.push({ key, sampled: { value, atMs: timeMs - ageMs, skippedLines: 0, notes } });
  };
  const sources = record.sources ?? {};
  if (record.tcp && !isError(record.tcp)) add<SocketsSample>(SOCKETS, withoutMeta(record.tcp), record.tcp);
  if (record.counters && !isError(record.counters)) {
    const values = counterValues(record.counters as Record<string, CounterRecord>);
    add<CountersSample>(COUNTERS, { total: values.size, values }, sources.counters);
  }
  if (record.conntrack && !isError(record.conntrack)) {
    const c = withoutMeta(record.conntrack);
    add<ConntrackSample>(CONNTRACK, { ...c, stats: counterValues(c.stats) }, record.conntrack);
  }
  if (record.socketMemory && !isError(record.socketMemory)) add<SocketMemorySample>(SOCKET_MEMORY, withoutMeta(record.socketMemory), record.socketMemory);
  if (record.nics && !isError(record.nics)) {
    const interfaces: NicState[] = [];
    const drivers = new Map<string, InterfaceDriverStats>();
    for (const [name, n] of Object.entries(record.nics)) {
      interfaces.push({
        name,
        operstate: n.state,
        physical: n.physical,
        stats: counterValues(n.stats),
        ...(n.carrier !== undefined ? { carrier: n.carrier } : {}),
        ...(n.mtu !== undefined ? { mtu: n.mtu } : {}),
        ...(n.speedMbps !== undefined ? { speedMbps: n.speedMbps } : {}),
        ...(n.kind !== undefined ? { kind: n.kind } : {}),
      });
      if (n.driver) {
        const counters = new Map(Object.entries(n.driver.stats).map(([k, c]) => [k, { total: BigInt(c.value), queues: c.queues }]));
        drivers.set(name, { counters, ...(n.driver.problem ? { problem: n.driver.problem } : {}) });
      }
    }
    add<NicsSample>(NICS, { interfaces, source: 'ip' }, sources.nics);
    if (drivers.size > 0) add<EthtoolSample>(ETHTOOL, { interfaces: drivers }, sources.ethtool);
  }
  if (record.destinations && !isError(record.destinations)) add<DestinationsSample>(DESTINATIONS, withoutMeta(record.destinations), record.destinations);
  if (record.owners) add<OwnersSample>(OWNERS, withoutMeta(record.owners), record.owners);
  return out;
}
