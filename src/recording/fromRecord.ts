import { CONNTRACK, type ConntrackSample } from '../../collectors/conntrack.js';
import { COUNTERS, type CountersSample } from '../../collectors/counters.js';
import { DESTINATIONS, type DestinationsSample } from '../../collectors/destinations.js';
import { ETHTOOL, type EthtoolSample, type InterfaceDriverStats } from '../../collectors/ethtool.js';
import { NICS, type NicState, type NicsSample } from '../../collectors/nics.js';
import { OWNERS, type OwnersSample } from '../../collectors/owners.js';
import { PROCESS_VITALS, type ProcessVitalsSample } from '../../collectors/processVitals.js';
import { CONNECTS, type ConnectsSample } from '../../collectors/connects.js';
import { SOCKET_MEMORY, type SocketMemorySample } from '../../collectors/socketMemory.js';
import { SOCKETS, type SocketsSample } from '../../collectors/sockets.js';
import { SOFTNET, type SoftnetSample } from '../../collectors/softnet.js';
import { DROP_REASONS, type DropReasonsSample } from '../../collectors/dropReasons.js';
import { QDISCS, type QdiscsSample } from '../../collectors/qdiscs.js';
import { type NeighbourTable, ROUTES, type RoutesSample } from '../../collectors/routes.js';
import { STALLS, type StallsSample } from '../../collectors/stalls.js';
import { PATHS, type PathsSample } from '../../collectors/paths.js';
import { DNS, type DnsSample } from '../../collectors/dns.js';
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
 * busiest destinations, the owners asked for while alerts wanted
 * names, and the fds and memory of the processes they followed. A section
 * that is an error has no sample.
 */
export function samplesOfRecord(record: SampleRecord): RecordedSample[] {
  const out: RecordedSample[] = [];
  // A section that does not have the shape it should (a file edited by hand, a torn line that still parses) is left out, not a crash.
  for (const section of SECTIONS) {
    try {
      section(record, out);
    } catch {
      // left out
    }
  }
  return out;
}

type Section = (record: SampleRecord, out: RecordedSample[]) => void;

function adder(record: SampleRecord, out: RecordedSample[]) {
  const timeMs = Date.parse(record.time);
  return <T>(key: SampleKey<T>, value: T, meta: SectionMeta | SourceError | undefined) => {
    const ageMs = meta && !isError(meta) && typeof meta.ageMs === 'number' ? meta.ageMs : 0;
    const notes = meta && !isError(meta) && Array.isArray(meta.notes) ? meta.notes : [];
    out.push({ key, sampled: { value, atMs: timeMs - ageMs, skippedLines: 0, notes } });
  };
}

const SECTIONS: Section[] = [
  (record, out) => {
    if (record.tcp && !isError(record.tcp)) {
      const t = record.tcp;
      if (typeof t.states !== 'object' || t.states === null || !Array.isArray(t.closeWaitHeld) || typeof t.unusual !== 'object' || !Array.isArray(t.unusual?.synSentByPeer)) throw new Error('tcp');
      adder(record, out)<SocketsSample>(SOCKETS, withoutMeta(record.tcp), record.tcp);
    }
  },
  (record, out) => {
    if (record.counters && !isError(record.counters)) {
      const values = counterValues(record.counters as Record<string, CounterRecord>);
      adder(record, out)<CountersSample>(COUNTERS, { total: values.size, values }, record.sources?.counters);
    }
  },
  (record, out) => {
    if (record.conntrack && !isError(record.conntrack)) {
      const c = withoutMeta(record.conntrack);
      adder(record, out)<ConntrackSample>(CONNTRACK, { ...c, stats: counterValues(c.stats) }, record.conntrack);
    }
  },
  (record, out) => {
    if (record.socketMemory && !isError(record.socketMemory)) adder(record, out)<SocketMemorySample>(SOCKET_MEMORY, withoutMeta(record.socketMemory), record.socketMemory);
  },
  (record, out) => {
    if (!record.nics || isError(record.nics)) return;
    const interfaces: NicState[] = [];
    const drivers = new Map<string, InterfaceDriverStats>();
    for (const [name, n] of Object.entries(record.nics)) {
      interfaces.push({
        name,
        operstate: String(n.state),
        physical: n.physical === true,
        stats: counterValues(n.stats),
        ...(n.carrier !== undefined ? { carrier: n.carrier } : {}),
        ...(n.mtu !== undefined ? { mtu: n.mtu } : {}),
        ...(n.speedMbps !== undefined ? { speedMbps: n.speedMbps } : {}),
        ...(n.duplex === 'full' || n.duplex === 'half' ? { duplex: n.duplex } : {}),
        ...(n.kind !== undefined ? { kind: n.kind } : {}),
        ...(n.peer !== undefined ? { peer: n.peer } : {}),
      });
      if (n.driver) {
        const totals = counterValues(n.driver.stats);
        const counters = new Map([...totals].map(([k, total]) => [k, { total, queues: n.driver?.stats[k]?.queues ?? 0 }]));
        drivers.set(name, { counters, ...(n.driver.problem ? { problem: n.driver.problem } : {}) });
      }
    }
    const add = adder(record, out);
    add<NicsSample>(NICS, { interfaces, source: 'ip' }, record.sources?.nics);
    if (drivers.size > 0) add<EthtoolSample>(ETHTOOL, { interfaces: drivers }, record.sources?.ethtool);
  },
  (record, out) => {
    if (!record.stalls) return;
    if (!Array.isArray(record.stalls.stalled)) throw new Error('stalls');
    adder(record, out)<StallsSample>(STALLS, withoutMeta(record.stalls), record.stalls);
  },
  (record, out) => {
    if (!record.paths || isError(record.paths)) return;
    if (![record.paths.lookups, record.paths.neighbours, record.paths.addresses, record.paths.pmtuExceptions].every(Array.isArray)) throw new Error('paths');
    adder(record, out)<PathsSample>(PATHS, withoutMeta(record.paths), record.paths);
  },
  (record, out) => {
    if (!record.dns || isError(record.dns)) return;
    if (!Array.isArray(record.dns.servers) || !Array.isArray(record.dns.conf?.nameservers)) throw new Error('dns');
    adder(record, out)<DnsSample>(DNS, withoutMeta(record.dns), record.dns);
  },
  (record, out) => {
    if (!record.routes || isError(record.routes)) return;
    const { rejects, table4, table6, lastDefault, ...rest } = withoutMeta(record.routes);
    if (!Array.isArray(rejects) || !Array.isArray(rest.unresolved)) throw new Error('routes');
    // The record keeps the default and the reject routes, not the whole table.
    const routes = [...(rest.defaultRoute ? [rest.defaultRoute] : []), ...rejects];
    const table = (t: typeof table4): NeighbourTable | undefined => t && { entries: t.entries, tableFulls: BigInt(Math.trunc(t.tableFulls)), ...(t.gcThresh3 !== undefined ? { gcThresh3: t.gcThresh3 } : {}) };
    const t4 = table(table4);
    const t6 = table(table6);
    const last = lastDefault && { route: lastDefault.route, atMs: Date.parse(record.time) - lastDefault.ageMs };
    adder(record, out)<RoutesSample>(ROUTES, { ...rest, routes, ...(last ? { lastDefault: last } : {}), ...(t4 ? { table4: t4 } : {}), ...(t6 ? { table6: t6 } : {}) }, record.routes);
  },
  (record, out) => {
    if (record.destinations && !isError(record.destinations)) adder(record, out)<DestinationsSample>(DESTINATIONS, withoutMeta(record.destinations), record.destinations);
  },
  (record, out) => {
    if (record.softnet && !isError(record.softnet)) {
      if (!Array.isArray(record.softnet.cpus)) throw new Error('softnet');
      adder(record, out)<SoftnetSample>(SOFTNET, { cpus: record.softnet.cpus }, record.softnet);
    }
  },
  (record, out) => {
    if (record.qdiscs && !isError(record.qdiscs)) {
      if (!Array.isArray(record.qdiscs.qdiscs)) throw new Error('qdiscs');
      adder(record, out)<QdiscsSample>(QDISCS, { qdiscs: record.qdiscs.qdiscs }, record.qdiscs);
    }
  },
  (record, out) => {
    if (record.dropReasons && !isError(record.dropReasons)) {
      const d = record.dropReasons;
      if (typeof d.totals !== 'object' || d.totals === null || (d.mode !== 'hist' && d.mode !== 'sampled')) throw new Error('dropReasons');
      const totals = Object.fromEntries(Object.entries(d.totals).filter(([, n]) => typeof n === 'number'));
      adder(record, out)<DropReasonsSample>(DROP_REASONS, { mode: d.mode, totals, ...(d.sampling ? { sampling: d.sampling } : {}) }, d);
    }
  },
  (record, out) => {
    if (record.owners && typeof record.owners.byState === 'object') adder(record, out)<OwnersSample>(OWNERS, withoutMeta(record.owners), record.owners);
  },
  (record, out) => {
    if (!record.connects || isError(record.connects)) return;
    const c = record.connects;
    if (!Array.isArray(c.watching) || typeof c.byPeer !== 'object' || c.byPeer === null) throw new Error('connects');
    adder(record, out)<ConnectsSample>(CONNECTS, { watching: c.watching, sampling: c.sampling, byPeer: c.byPeer }, c);
  },
  (record, out) => {
    if (!record.processes) return;
    if (!Array.isArray(record.processes.processes)) throw new Error('processes');
    adder(record, out)<ProcessVitalsSample>(PROCESS_VITALS, { processes: record.processes.processes }, record.processes);
  },
];

