/*
 * The record's shape: one JSON object per sample (`--json`, `--record`, the
 * ring `w` writes, bundles), and what a replay reads back. Built by
 * `buildRecord` in record.ts.
 */
import type { ConntrackSample } from '../collectors/conntrack.js';
import type { NicState } from '../collectors/nics.js';
import type { DestinationsSample } from '../collectors/destinations.js';
import type { StallsSample } from '../collectors/stalls.js';
import type { PathsSample } from '../collectors/paths.js';
import type { DnsSample } from '../collectors/dns.js';
import type { NeighbourTable, RoutesSample } from '../collectors/routes.js';
import type { Route4 } from '../collectors/parse/routes.js';
import type { OwnersSample } from '../collectors/owners.js';
import type { ProcessVitalsSample } from '../collectors/processVitals.js';
import type { ConnectsSample } from '../collectors/connects.js';
import type { SocketMemorySample } from '../collectors/socketMemory.js';
import type { SoftnetCpu } from '../collectors/parse/softnet.js';
import type { QdiscsSample } from '../collectors/qdiscs.js';
import type { SocketsSample } from '../collectors/sockets.js';
import type { DropReasonsSample } from '../collectors/dropReasons.js';
import type { Severity } from './alerts/types.js';
import type { LeakForecast } from './alerts/rules/leakForecast.js';
import type { ClientsSeen } from './alerts/rules/connecting.js';
import type { DropLayer } from './dropPath.js';
import type { LayerCheck } from './layers.js';

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

/** An interface as its sample has it (its state under the record's name `state`), counters as records. */
export interface NicRecord extends Pick<NicState, 'carrier' | 'mtu' | 'speedMbps' | 'duplex' | 'kind' | 'peer' | 'physical'> {
  state: string;
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
  dropPath: { layer: DropLayer; dropsPerSec: number | null; dropsPerSecMinute: number | null; packets: number | null; top: { counter: string; rate: number } | null; unknown?: string }[];
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
