import { CONNTRACK } from '../collectors/conntrack.js';
import { DROP_REASONS } from '../collectors/dropReasons.js';
import { COUNTERS } from '../collectors/counters.js';
import { ETHTOOL } from '../collectors/ethtool.js';
import { NICS, nicCounterKey } from '../collectors/nics.js';
import { QDISCS, qdiscCounterKey } from '../collectors/qdiscs.js';
import { SOFTNET, softnetCounterKey } from '../collectors/softnet.js';
import type { SampleKey } from '../collectors/types.js';
import type { Store } from './store.js';

/** The layers a received packet meets, in order, then the transmit side. */
export const DROP_LAYERS = ['nic', 'softnet', 'conntrack', 'ip', 'tcp', 'udp', 'qdisc', 'tx'] as const;
export type DropLayer = (typeof DROP_LAYERS)[number];

/** One layer of the drop path: how fast it drops now and over the last minute, and the counter that moves most. */
export interface DropLayerState {
  layer: DropLayer;
  /** At the last sample; null while the layer's sources have no rate yet. */
  dropsPerSec: number | null;
  /** Over the last minute. */
  dropsPerSecMinute: number | null;
  /**
   * The layer's counters added up since boot (the drop reasons apart), for
   * Prometheus to take the rate of; null while none is read. A counter that
   * goes (an interface deleted) lowers it: Prometheus takes that as a reset.
   */
  packets: number | null;
  top: { counter: string; rate: number } | null;
  /** What to run to look closer at this layer. */
  next: string;
  /** Why it has no figure, when it has none (conntrack not loaded, tc missing). */
  unknown?: string;
}

/** A counter of the store that counts packets lost at a layer, as the screen names it. */
interface DropCounter {
  owner: SampleKey<unknown>;
  key: string;
  label: string;
}

const RX_NIC_STATS = ['rx_dropped', 'rx_missed_errors', 'rx_fifo_errors', 'rx_over_errors', 'rx_crc_errors', 'rx_frame_errors', 'rx_length_errors'];
const TX_NIC_STATS = ['tx_dropped', 'tx_errors', 'tx_aborted_errors', 'tx_carrier_errors', 'tx_fifo_errors'];
const kernel = (names: string[]): DropCounter[] => names.map((n) => ({ owner: COUNTERS, key: n, label: n }));

/** The counters of each layer, from what the store holds now (interfaces, CPUs and qdiscs come and go). */
function countersOf(store: Store, layer: DropLayer): DropCounter[] {
  const nics = store.sample(NICS)?.value.interfaces ?? [];
  switch (layer) {
    case 'nic': {
      const kernelStats = nics.flatMap((n) => RX_NIC_STATS.map((s) => ({ owner: NICS, key: nicCounterKey(n.name, s), label: `${n.name} ${s}` })));
      // The driver's own drop and error counters (ethtool -S), those that are not transmit ones.
      const driver = [...store.counters(ETHTOOL).keys()].filter((k) => !/(^|\/)tx_/.test(k)).map((k) => ({ owner: ETHTOOL, key: k, label: `${k.replace('/', ' ')} (driver)` }));
      return [...kernelStats, ...driver];
    }
    case 'softnet':
      return [
        { owner: SOFTNET, key: softnetCounterKey('all', 'dropped'), label: 'backlog full (netdev_max_backlog)' },
        { owner: SOFTNET, key: softnetCounterKey('all', 'flowLimit'), label: 'flow limit' },
      ];
    case 'conntrack':
      return ['insert_failed', 'drop', 'early_drop'].map((n) => ({ owner: CONNTRACK, key: n, label: n }));
    case 'ip':
      return kernel(['IpInDiscards', 'IpInHdrErrors', 'IpInAddrErrors', 'IpReasmFails', 'Ip6InDiscards', 'Ip6InHdrErrors', 'Ip6InAddrErrors', 'Ip6ReasmFails']);
    case 'tcp':
      return kernel(['TcpExtListenDrops', 'TcpExtTCPBacklogDrop', 'TcpExtTCPRcvQDrop', 'TcpExtTCPZeroWindowDrop', 'TcpExtTCPOFODrop', 'TcpExtPAWSEstab', 'TcpExtPAWSActive', 'TcpExtTCPMemoryPressures']);
    case 'udp':
      return kernel(['UdpRcvbufErrors', 'UdpInErrors', 'UdpNoPorts', 'Udp6RcvbufErrors', 'Udp6InErrors', 'Udp6NoPorts']);
    case 'qdisc':
      // A root counts what its children drop: the roots alone, not twice.
      return (store.sample(QDISCS)?.value.qdiscs ?? []).filter((q) => q.parent === 'root').map((q) => ({ owner: QDISCS, key: qdiscCounterKey(q, 'drops'), label: `${q.dev} ${q.kind}` }));
    case 'tx':
      // Not IpOutDiscards: a packet its qdisc dropped is counted there too, and the qdisc layer says it.
      return [...nics.flatMap((n) => TX_NIC_STATS.map((s) => ({ owner: NICS, key: nicCounterKey(n.name, s), label: `${n.name} ${s}` }))), ...kernel(['IpOutNoRoutes', 'Ip6OutNoRoutes'])];
  }
}

/**
 * The layer a kernel drop reason belongs to, by its name (the numbers
 * change between kernels, the names stay). Reasons of no one layer —
 * NOT_SPECIFIED, NO_SOCKET (a packet to a closed port: routine), NOMEM —
 * are shown in the list of reasons but counted in no layer.
 */
export function reasonLayer(reason: string): DropLayer | undefined {
  if (reason === 'NETFILTER_DROP' || reason === 'SECURITY_HOOK' || reason === 'BPF_CGROUP_EGRESS') return 'conntrack';
  if (reason === 'CPU_BACKLOG') return 'softnet';
  if (/^(QDISC_|CAKE_|FQ_|DUALPI2_|TC_(?!INGRESS))/.test(reason)) return 'qdisc';
  if (/^(FULL_RING|DEV_|XDP|MAC_|TC_INGRESS|UNHANDLED_PROTO|OTHERHOST|UNICAST_IN_L2_MULTICAST)/.test(reason)) return 'nic';
  if (/^(NEIGH_|IP_OUTNOROUTES|NO_TX_TARGET)/.test(reason)) return 'tx';
  if (/^(TCP_|SOCKET_BACKLOG|PROTO_MEM)/.test(reason)) return 'tcp';
  if (/^(UDP_|SOCKET_RCVBUFF)/.test(reason)) return 'udp';
  if (/^(IP_|IPV6|FRAG_|DUP_FRAG|PKT_TOO_|ICMP_|XFRM_)/.test(reason)) return 'ip';
  return undefined;
}

/** A reason as the drop path names it: it says where the figure comes from. */
export const reasonLabel = (reason: string): string => `${reason} (drop reason)`;

/** When a reason is what moves most at its layer, the command that finds its cause, rather than the layer's. */
const REASON_NEXT: Record<string, string> = {
  NETFILTER_DROP: "iptables-save -c | grep -E -- '-j (DROP|REJECT)'; nft list ruleset | grep -wE 'drop|reject'",
  TCP_LISTEN_OVERFLOW: 'ss -lnt; nstat -az TcpExtListenOverflows TcpExtListenDrops',
  CPU_BACKLOG: 'cat /proc/net/softnet_stat; sysctl net.core.netdev_max_backlog',
  SOCKET_RCVBUFF: 'ss -uamp; nstat -az UdpRcvbufErrors; sysctl net.core.rmem_max',
};

function reasonsOf(store: Store, layer: DropLayer): DropCounter[] {
  return [...store.counters(DROP_REASONS).keys()].filter((r) => reasonLayer(r) === layer).map((r) => ({ owner: DROP_REASONS, key: r, label: reasonLabel(r) }));
}

const NEXT: Record<DropLayer, string> = {
  nic: "ethtool -S IF | grep -Ei 'drop|miss|fifo|err' | grep -v ': 0$'; ethtool -g IF",
  softnet: 'cat /proc/net/softnet_stat; sysctl net.core.netdev_max_backlog net.core.netdev_budget',
  conntrack: 'conntrack -S; sysctl net.netfilter.nf_conntrack_max',
  ip: 'nstat -az IpInDiscards IpInHdrErrors IpInAddrErrors IpReasmFails; ip route get ADDRESS',
  tcp: 'nstat -az TcpExtListenDrops TcpExtTCPBacklogDrop TcpExtTCPRcvQDrop TcpExtTCPOFODrop; ss -lnt',
  udp: 'nstat -az UdpRcvbufErrors UdpInErrors UdpNoPorts; ss -uamp',
  qdisc: 'tc -s qdisc show; tc -s class show dev IF',
  tx: 'ip -s -s link; nstat -az IpOutNoRoutes Ip6OutNoRoutes; ip route',
};

/** Sources a layer cannot be judged without, and what their problem says. */
const SOURCES: Record<DropLayer, SampleKey<unknown>[]> = {
  nic: [NICS],
  softnet: [SOFTNET],
  conntrack: [CONNTRACK],
  ip: [COUNTERS],
  tcp: [COUNTERS],
  udp: [COUNTERS],
  qdisc: [QDISCS],
  tx: [NICS, COUNTERS],
};

/** Drops per second of some counters added up, now and over the minute, and the one that moves most. */
function sumCounters(store: Store, counters: DropCounter[]): { now: number | null; minute: number | null; total: number | null; top: DropLayerState['top']; topKey?: string } {
  let now: number | null = null;
  let total: number | null = null;
  let minute: number | null = null;
  let top: DropLayerState['top'] = null;
  let topKey: string | undefined;
  for (const c of counters) {
    const counter = store.counters(c.owner).get(c.key);
    if (!counter) continue;
    total = (total ?? 0) + Number(counter.value);
    const perMinute = store.counterMinuteRate(c.owner, c.key);
    if (counter.perSec !== undefined) now = (now ?? 0) + counter.perSec;
    if (perMinute !== undefined) {
      minute = (minute ?? 0) + perMinute;
      if (perMinute > 0 && perMinute > (top?.rate ?? 0)) {
        top = { counter: c.label, rate: perMinute };
        topKey = c.key;
      }
    }
  }
  return { now, minute, total, top, ...(topKey !== undefined ? { topKey } : {}) };
}

/**
 * Where packets die, layer by layer in the order a received packet meets
 * them (NIC, softnet, conntrack, IP, TCP, UDP), then the transmit side
 * (qdisc, NIC transmit errors and routes): each layer's drops per second now
 * and over the last minute, from the counters the store already keeps and
 * the kernel's drop reasons that belong to the layer.
 */
export function dropPath(store: Store): DropLayerState[] {
  return DROP_LAYERS.map((layer) => {
    const state: DropLayerState = { layer, dropsPerSec: null, dropsPerSecMinute: null, packets: null, top: null, next: NEXT[layer] };
    const missing = SOURCES[layer].map((k) => store.status(k).problem).find((p) => p !== undefined);
    const counted = sumCounters(store, countersOf(store, layer));
    // The reasons and the counters see the same packets (a conntrack drop is also a NETFILTER_DROP):
    // the larger of the two, never their sum. The reasons alone see an iptables DROP.
    const reasons = sumCounters(store, reasonsOf(store, layer));
    const from = (reasons.minute ?? -1) > (counted.minute ?? -1) ? reasons : counted;
    const max = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
    state.dropsPerSec = max(counted.now, reasons.now);
    state.dropsPerSecMinute = max(counted.minute, reasons.minute);
    state.packets = counted.total;
    state.top = from.top ?? counted.top ?? reasons.top;
    const reasonNext = from === reasons && reasons.topKey !== undefined ? REASON_NEXT[reasons.topKey] : undefined;
    if (reasonNext) state.next = reasonNext;
    if (state.dropsPerSec === null && state.dropsPerSecMinute === null && missing) state.unknown = missing.message;
    return state;
  });
}

/** The layer losing the most now (over the last minute), if any is. */
export function worstLayer(path: DropLayerState[]): DropLayerState | undefined {
  return [...path].filter((l) => (l.dropsPerSecMinute ?? 0) > 0).sort((a, b) => (b.dropsPerSecMinute ?? 0) - (a.dropsPerSecMinute ?? 0))[0];
}
