import { Counter, Gauge, Registry } from 'prom-client';
import type { CounterRecord, SampleRecord, SourceError } from '../record.js';
import type { NicRecord } from '../recordTypes.js';
import type { NamespaceRecord } from '../fleet/record.js';
import { fullSizeStalls } from '../alerts/rules/pmtu.js';
import { failuresInARow } from '../../collectors/dns.js';
import { METRIC_NETSTAT_EXTRA, METRIC_NIC_STATS_EXTRA, NETNS_SERIES_DEFAULT } from './limits.js';
import { CURATED_COUNTERS } from '../panels/counters.js';
import { NIC_KERNEL_ERRORS } from '../alerts/rules/nics.js';

/** What a scrape reads: the latest record of the watched target, and the namespaces when --all-netns. */
export interface MetricsSource {
  record(): SampleRecord | undefined;
  namespaces?(): NamespaceRecord[] | undefined;
}

/** Label values from the system (subjects, interface names) are cut here: a series name is not a place for a command line. */
const SUBJECT_MAX = 80;
/** At most this many destinations and alerts a scrape: the cardinality is bounded whatever the host does. */
export const CARDINALITY = { destinations: 10, alerts: 50 } as const;

const PROTOCOLS = ['tcp', 'udp'] as const;
const isData = <T,>(s: T | undefined): s is Exclude<T, SourceError> => typeof s === 'object' && s !== null && !('error' in s);
const num = (c: CounterRecord) => Number(c.value);
const cut = (s: string) => (s.length > SUBJECT_MAX ? `${s.slice(0, SUBJECT_MAX - 1)}…` : s);

type Labels = Record<string, string>;
type Set = { (value: number): void; (labels: Labels, value: number): void };

/**
 * A metric family whose values `fill` gives at each scrape, from nothing:
 * series that are gone (a destination left the top, an alert cleared) go
 * with it. A counter's value is set whole (reset, then added): the kernel
 * keeps the count, Prometheus the rate.
 */
function familyIn(registers: Registry[]) {
  return (kind: 'gauge' | 'counter', name: string, help: string, labelNames: string[], fill: (set: Set) => void): void => {
    const Kind = kind === 'gauge' ? Gauge : Counter;
    new Kind({
      name,
      help,
      labelNames,
      registers,
      collect(this: Gauge | Counter) {
        this.reset();
        const metric = this;
        const set = ((a: Labels | number, b?: number) => {
          const [labels, value] = typeof a === 'number' ? [{}, a] : [a, b ?? 0];
          if (metric instanceof Gauge) metric.set(labels, value);
          else metric.inc(labels, Math.max(0, value));
        }) as Set;
        fill(set);
      },
    });
  };
}

export interface ExpositionOptions {
  /** `--netns-series`: the namespaces with series, worst first. */
  netnsSeries?: number;
  /** `--metrics-all-counters`: every kernel counter and interface statistic, not the bounded set. */
  allCounters?: boolean;
}

/** The kernel counters and interface statistics served by default (see `limits.ts`). */
export const DEFAULT_NETSTAT = new Set<string>([...CURATED_COUNTERS.map((c) => c.name), ...METRIC_NETSTAT_EXTRA]);
export const DEFAULT_NIC_STATS = new Set<string>([...NIC_KERNEL_ERRORS, ...METRIC_NIC_STATS_EXTRA]);

/**
 * The Prometheus registry of nettriage: every family reads the latest
 * record when scraped (no cost between scrapes). Kernel, conntrack and NIC
 * counters are counters (Prometheus computes the rates); socket counts,
 * fills and alerts are gauges. The names are what `nettriage rules` writes
 * its expressions against.
 */
export function createRegistry(source: MetricsSource, options: ExpositionOptions = {}): { registry: Registry; scrape(): Promise<string> } {
  const netnsSeries = options.netnsSeries ?? NETNS_SERIES_DEFAULT;
  const netstatServed = (name: string) => options.allCounters === true || DEFAULT_NETSTAT.has(name);
  const nicStatServed = (stat: string) => options.allCounters === true || DEFAULT_NIC_STATS.has(stat);
  /**
   * A node's pods each bring an interface (the host end of a veth): a
   * statistic a pod's interface has never counted is no series. An
   * interface gets its series with its first error or drop (and keeps them:
   * counters only grow), a physical one and the default route's always.
   */
  const interfaceServed = (name: string, n: NicRecord, routeDev: string | undefined) =>
    options.allCounters === true || n.physical === true || name === routeDev || NIC_KERNEL_ERRORS.some((stat) => n.stats[stat] !== undefined && num(n.stats[stat]) > 0);
  const registry = new Registry();
  const registers = [registry];
  // One record a scrape, read before any family is collected.
  let current: SampleRecord | undefined;
  let namespaces: NamespaceRecord[] = [];
  const rec = () => current;
  const family = familyIn(registers);

  family('gauge', 'nettriage_up', 'Whether nettriage has a sample of its target (1) or not yet (0).', [], (set) => {
    set(current ? 1 : 0);
  });
  family('gauge', 'nettriage_tcp_sockets', 'TCP sockets of the watched namespace, by state (exact).', ['state'], (set) => {
    const tcp = rec()?.tcp;
    if (isData(tcp)) for (const [state, n] of Object.entries(tcp.states)) set({ state }, n);
  });
  family('gauge', 'nettriage_tcp_close_wait_held_sockets', 'CLOSE-WAIT sockets that stayed CLOSE-WAIT for at least min_seconds (since nettriage first saw them).', ['min_seconds'], (set) => {
    const tcp = rec()?.tcp;
    if (isData(tcp)) for (const h of tcp.closeWaitHeld) set({ min_seconds: String(h.seconds) }, h.count);
  });
  family('gauge', 'nettriage_tcp_orphan_sockets', 'Orphaned TCP sockets (host-wide).', [], (set) => {
    const tcp = rec()?.tcp;
    if (isData(tcp)) set(tcp.orphans);
  });
  family('gauge', 'nettriage_tcp_orphan_sockets_limit', 'net.ipv4.tcp_max_orphans.', [], (set) => {
    const max = rec()?.tcp;
    if (isData(max) && max.limits.maxOrphans !== undefined) set(max.limits.maxOrphans);
  });
  family('gauge', 'nettriage_ephemeral_ports_usable', 'Ephemeral ports in ip_local_port_range less the reserved ones.', [], (set) => {
    const tcp = rec()?.tcp;
    if (isData(tcp) && tcp.portRange) set(tcp.portRange.usable);
  });
  family('gauge', 'nettriage_destination_ephemeral_ports', `Local ephemeral ports in use toward one destination, for the busiest ${CARDINALITY.destinations} (counted only while one could near the limit).`, ['local', 'peer'], (set) => {
    const d = rec()?.destinations;
    if (isData(d)) for (const t of d.top.slice(0, CARDINALITY.destinations)) set({ local: t.localAddress, peer: t.peer }, t.count);
  });
  family('counter', 'nettriage_netstat_total', `Kernel counters of /proc/net/snmp, netstat and snmp6, by nstat name (TcpRetransSegs, TcpExtListenOverflows, ...): ${options.allCounters ? 'every one' : 'those the rules and dashboards read (--metrics-all-counters: every one)'}.`, ['name'], (set) => {
    const c = rec()?.counters;
    if (c && !('error' in c)) for (const [counter, v] of Object.entries(c as Record<string, CounterRecord>)) if (netstatServed(counter)) set({ name: counter }, num(v));
  });
  family('gauge', 'nettriage_conntrack_entries', 'Connection tracking entries of the watched namespace.', [], (set) => {
    const c = rec()?.conntrack;
    if (isData(c)) set(c.count);
  });
  family('gauge', 'nettriage_conntrack_entries_limit', 'nf_conntrack_max.', [], (set) => {
    const c = rec()?.conntrack;
    if (isData(c)) set(c.max);
  });
  family('counter', 'nettriage_conntrack_events_total', 'Connection tracking event counters, summed over CPUs (insert_failed, drop, early_drop, ...).', ['event'], (set) => {
    const c = rec()?.conntrack;
    if (isData(c)) for (const [event, v] of Object.entries(c.stats)) set({ event }, num(v));
  });
  family('counter', 'nettriage_nic_stat_total', `Interface statistics by their sysfs names (rx_dropped, tx_errors, ...): ${options.allCounters ? 'every one of every interface' : 'errors, drops and carrier changes, of physical interfaces, the default route\'s and those that ever counted an error or drop (--metrics-all-counters: every one)'}.`, ['interface', 'stat'], (set) => {
    const nics = rec()?.nics;
    const routes = rec()?.routes;
    const routeDev = isData(routes) ? routes.defaultRoute?.dev : undefined;
    if (nics && !('error' in nics)) for (const [name, n] of Object.entries(nics)) if (interfaceServed(name, n, routeDev)) for (const [stat, v] of Object.entries(n.stats)) if (nicStatServed(stat)) set({ interface: name, stat }, num(v));
  });
  family('counter', 'nettriage_nic_driver_stat_total', 'Error-like driver counters of ethtool -S, per-queue ones summed.', ['interface', 'stat'], (set) => {
    const nics = rec()?.nics;
    if (nics && !('error' in nics)) for (const [name, n] of Object.entries(nics)) for (const [stat, v] of Object.entries(n.driver?.stats ?? {})) set({ interface: name, stat }, num(v));
  });
  family('gauge', 'nettriage_nic_carrier', 'Whether an interface that is up has its carrier (1) or lost it (0); absent while the interface is set down.', ['interface'], (set) => {
    const nics = rec()?.nics;
    if (nics && !('error' in nics)) for (const [name, n] of Object.entries(nics)) if (n.carrier !== undefined) set({ interface: name }, n.carrier ? 1 : 0);
  });
  family('gauge', 'nettriage_nic_mtu', 'Each interface\'s MTU.', ['interface'], (set) => {
    const nics = rec()?.nics;
    if (nics && !('error' in nics)) for (const [name, n] of Object.entries(nics)) if (n.mtu !== undefined) set({ interface: name }, n.mtu);
  });
  family('gauge', 'nettriage_nic_peer_mtu', 'The MTU of the other end of a veth, when it is in the same namespace.', ['interface', 'peer'], (set) => {
    const nics = rec()?.nics;
    if (nics && !('error' in nics)) for (const [name, n] of Object.entries(nics)) if (n.peer !== undefined && nics[n.peer]?.mtu !== undefined) set({ interface: name, peer: n.peer }, nics[n.peer]?.mtu as number);
  });
  /** Per peer: how many connections stall on full-size segments, and their highest backoff. */
  const stallsByPeer = () => {
    const byPeer = new Map<string, { connections: number; backoff: number }>();
    for (const s of fullSizeStalls(rec()?.stalls?.stalled ?? [])) {
      const seen = byPeer.get(s.peerAddress) ?? { connections: 0, backoff: 0 };
      byPeer.set(s.peerAddress, { connections: seen.connections + 1, backoff: Math.max(seen.backoff, s.backoff) });
    }
    return byPeer;
  };
  family('gauge', 'nettriage_tcp_full_size_stalls', 'Established connections per peer backing off on full-size segments although the peer\'s request arrived (the signs of a PMTU black hole; read only while data is retransmitted).', ['peer'], (set) => {
    for (const [peer, s] of stallsByPeer()) set({ peer }, s.connections);
  });
  family('gauge', 'nettriage_tcp_full_size_stall_backoff', 'The highest retransmission backoff among those connections, per peer.', ['peer'], (set) => {
    for (const [peer, s] of stallsByPeer()) set({ peer }, s.backoff);
  });
  family('gauge', 'nettriage_dns_answer_seconds', 'How long the last probe of each nameserver took to be answered (absent while it does not answer, or nobody probes).', ['nameserver'], (set) => {
    const dns = rec()?.dns;
    if (isData(dns)) for (const s of dns.servers) if (s.probes.at(-1)?.latencyMs !== undefined) set({ nameserver: s.address }, (s.probes.at(-1)?.latencyMs as number) / 1000);
  });
  family('gauge', 'nettriage_dns_rcode', "The rcode of each nameserver's last answer (1; NOERROR, SERVFAIL, REFUSED, ...).", ['nameserver', 'rcode'], (set) => {
    const dns = rec()?.dns;
    if (isData(dns)) for (const s of dns.servers) if (s.probes.at(-1)?.rcode !== undefined) set({ nameserver: s.address, rcode: s.probes.at(-1)?.rcode as string }, 1);
  });
  family('gauge', 'nettriage_dns_probe_failures', 'Probes of each nameserver left unanswered in a row (0 once it answers).', ['nameserver'], (set) => {
    const dns = rec()?.dns;
    if (isData(dns)) for (const s of dns.servers) if (s.probes.length > 0) set({ nameserver: s.address }, failuresInARow(s));
  });
  family('gauge', 'nettriage_dns_lookup_queries', 'Queries one lookup of an external name costs with the namespace\'s resolv.conf (ndots and search list), and how many of them come back NXDOMAIN.', ['kind'], (set) => {
    const dns = rec()?.dns;
    if (isData(dns)) {
      set({ kind: 'all' }, dns.cost.queries);
      set({ kind: 'nxdomain' }, dns.cost.nxdomain);
    }
  });
  family('gauge', 'nettriage_dns_udp_sockets', 'UDP sockets of the namespace talking to port 53 (counted only while conntrack insert_failed climbs).', [], (set) => {
    const dns = rec()?.dns;
    if (isData(dns) && dns.udp53Sockets !== undefined) set(dns.udp53Sockets);
  });
  family('gauge', 'nettriage_default_route', 'The namespace has an IPv4 default route (1, labelled with its interface and gateway) or none (0).', ['interface', 'gateway'], (set) => {
    const r = rec()?.routes;
    if (!isData(r)) return;
    const d = r.defaultRoute;
    set(d ? { interface: d.dev, gateway: d.gateway ?? '' } : { interface: '', gateway: '' }, d ? 1 : 0);
  });
  family('gauge', 'nettriage_default_gateway_resolved', "The default gateway's neighbour entry: 1 complete, 0 INCOMPLETE or FAILED; absent while it has none.", ['gateway'], (set) => {
    const gw = (isData(rec()?.routes) ? rec()?.routes : undefined) as { gateway?: { address: string; state: string } } | undefined;
    if (gw?.gateway && gw.gateway.state !== 'absent') set({ gateway: gw.gateway.address }, gw.gateway.state === 'complete' ? 1 : 0);
  });
  family('gauge', 'nettriage_neighbour_entries', "Entries of the host's neighbour tables (ARP ipv4, NDP ipv6; shared by every namespace).", ['family'], (set) => {
    const r = rec()?.routes;
    if (isData(r)) for (const [family, t] of [['ipv4', r.table4], ['ipv6', r.table6]] as const) if (t) set({ family }, t.entries);
  });
  family('gauge', 'nettriage_neighbour_entries_limit', 'net.ipv{4,6}.neigh.default.gc_thresh3: above it new neighbours fail.', ['family'], (set) => {
    const r = rec()?.routes;
    if (isData(r)) for (const [family, t] of [['ipv4', r.table4], ['ipv6', r.table6]] as const) if (t?.gcThresh3 !== undefined) set({ family }, t.gcThresh3);
  });
  family('counter', 'nettriage_neighbour_table_fulls_total', 'Times a neighbour table was full ("neighbour table overflow"), summed over CPUs.', ['family'], (set) => {
    const r = rec()?.routes;
    if (isData(r)) for (const [family, t] of [['ipv4', r.table4], ['ipv6', r.table6]] as const) if (t) set({ family }, t.tableFulls);
  });
  family('counter', 'nettriage_softnet_total', 'Per-CPU receive backlog counters of /proc/net/softnet_stat (host-wide): processed, dropped (backlog full), time_squeeze (out of budget).', ['cpu', 'stat'], (set) => {
    const sn = rec()?.softnet;
    if (isData(sn)) for (const c of sn.cpus) for (const [stat, v] of [['processed', c.processed], ['dropped', c.dropped], ['time_squeeze', c.timeSqueeze]] as const) set({ cpu: String(c.cpu), stat }, v);
  });
  family('counter', 'nettriage_qdisc_total', 'Transmit queue (qdisc) counters of every interface, roots and children (read every 5 samples); not noqueue, which queues nothing (a veth\'s).', ['interface', 'qdisc', 'stat'], (set) => {
    const qd = rec()?.qdiscs;
    if (isData(qd)) for (const q of qd.qdiscs) if (q.kind !== 'noqueue') for (const stat of ['drops', 'overlimits', 'requeues', 'packets'] as const) set({ interface: q.dev, qdisc: `${q.parent} ${q.handle} ${q.kind}`, stat }, q[stat]);
  });
  family('counter', 'nettriage_drop_path_packets_total', "Packets lost at each layer of the drop path (the d view: nic, softnet, conntrack, ip, tcp, udp, qdisc, tx), its counters added up.", ['layer'], (set) => {
    for (const l of rec()?.dropPath ?? []) if (l.packets !== null && l.packets !== undefined) set({ layer: l.layer }, l.packets);
  });
  family('counter', 'nettriage_drop_reason_packets_total', "Packets the kernel freed, by its drop reason (skb:kfree_skb, host-wide); counted=kernel (hist trigger) or sampled (--drop-reasons: estimated from 1 s in 10).", ['reason', 'counted'], (set) => {
    const dr = rec()?.dropReasons;
    if (isData(dr)) for (const [reason, n] of Object.entries(dr.totals)) set({ reason, counted: dr.mode === 'hist' ? 'kernel' : 'sampled' }, n);
  });
  family('gauge', 'nettriage_socket_memory_pages', 'Socket buffer memory in pages (host-wide), by protocol.', ['protocol'], (set) => {
    const m = rec()?.socketMemory;
    if (isData(m)) for (const protocol of PROTOCOLS) if (m[protocol]) set({ protocol }, m[protocol].pages);
  });
  family('gauge', 'nettriage_socket_memory_limit_pages', 'tcp_mem / udp_mem: the pressure and max levels, in pages.', ['protocol', 'level'], (set) => {
    const m = rec()?.socketMemory;
    if (isData(m)) for (const protocol of PROTOCOLS) for (const level of ['low', 'pressure', 'max'] as const) if (m[protocol]) set({ protocol, level }, m[protocol][level]);
  });
  family('gauge', 'nettriage_alert', `Active alerts of nettriage's built-in rules (1 while active), at most ${CARDINALITY.alerts}; subject cut at ${SUBJECT_MAX} characters.`, ['id', 'severity', 'subject'], (set) => {
    for (const a of (rec()?.alerts ?? []).slice(0, CARDINALITY.alerts)) set({ id: a.id, severity: a.severity, subject: cut(a.subject) }, 1);
  });
  family('gauge', 'nettriage_source_age_seconds', 'Age of each source at the last sample; larger than the interval means it is stale.', ['source'], (set) => {
    for (const [source, s] of Object.entries(rec()?.sources ?? {})) if ('ageMs' in s) set({ source }, s.ageMs / 1000);
  });
  family('gauge', 'nettriage_self_cpu_percent', 'CPU of nettriage and its helpers over the last ~10 s, in % of one core.', [], (set) => {
    const cpu = rec()?.self?.cpuPercent;
    if (typeof cpu === 'number') set(cpu);
  });
  family('gauge', 'nettriage_self_resident_memory_bytes', 'RSS of nettriage and its helpers.', [], (set) => {
    const self = rec()?.self;
    if (self) set(self.rssBytes);
  });
  if (source.namespaces) namespaceFamilies(() => namespaces, registers, netnsSeries);
  return {
    registry,
    async scrape() {
      current = source.record();
      namespaces = (source.namespaces?.() ?? []).slice(0, netnsSeries);
      return registry.metrics();
    },
  };
}

/** The `netns` label: the host's own namespace is `host`, another its name, else its inode. */
const netnsLabel = (n: NamespaceRecord) => (n.host ? 'host' : (n.names[0] ?? `net:[${n.inode}]`));

/**
 * `--all-netns`: per-namespace series labelled by `netns` only. Who lives
 * there (the pod) is said once, in `nettriage_netns_info`, and joined by the
 * rules and the dashboard (`* on(job, instance, netns) group_left(namespace, pod)`):
 * not repeated on every series of the namespace.
 */
function namespaceFamilies(namespaces: () => NamespaceRecord[], registers: Registry[], limit: number): void {
  const family = familyIn(registers);
  const label = (n: NamespaceRecord) => ({ netns: netnsLabel(n) });
  family('gauge', 'nettriage_netns_info', `Each namespace with series (the worst ${limit}, --netns-series): its Kubernetes namespace and pod when it is a pod's, its container, and whether it is the one nettriage watches (its series are also those without a netns label).`, ['netns', 'namespace', 'pod', 'container', 'watched'], (set) => {
    for (const n of namespaces()) set({ ...label(n), namespace: cut(n.pod?.namespace ?? ''), pod: cut(n.pod?.name ?? n.pod?.uid ?? ''), container: cut(n.container?.name ?? n.container?.id ?? ''), watched: String(n.watched) }, 1);
  });
  family('gauge', 'nettriage_namespace_tcp_sockets', `TCP sockets of the worst ${limit} network namespaces of the host, by state.`, ['netns', 'state'], (set) => {
    for (const n of namespaces()) if (!('error' in n.tcp)) for (const [state, v] of Object.entries(n.tcp.states)) set({ ...label(n), state }, v);
  });
  family('counter', 'nettriage_namespace_netstat_total', "Each namespace's curated kernel counters (those of the counter panel).", ['netns', 'name'], (set) => {
    for (const n of namespaces()) for (const [counter, v] of Object.entries(n.counters)) set({ ...label(n), name: counter }, num(v));
  });
  family('gauge', 'nettriage_namespace_alert', 'Active alerts of the rules over socket counts and counters, per namespace (1 while active).', ['netns', 'id', 'severity'], (set) => {
    for (const n of namespaces()) for (const a of n.alerts.slice(0, CARDINALITY.alerts)) set({ ...label(n), id: a.id, severity: a.severity }, 1);
  });
}
