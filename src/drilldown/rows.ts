import { type Destination, destinationKey } from '../../collectors/destinations.js';
import { type SocketEntry } from '../../collectors/parse/ssSockets.js';
import type { TcpHealth } from '../../collectors/parse/ssTcpInfo.js';
import { endpointText, parseEndpoint } from '../endpoint.js';
import { safeText } from '../sanitize.js';
import { SS_STATE_FILTER } from '../tcpState.js';
import type { DrillData, OwnerRow } from './controller.js';
import { socketKey } from './health.js';

export type DrillLevel =
  | { kind: 'owners' }
  | { kind: 'destinations' }
  | { kind: 'sockets'; pid?: number; name?: string; destination?: string; unowned?: boolean };

export type OwnerSort = 'sockets' | 'cpu' | 'rss' | 'fds' | 'pid';
export const OWNER_SORTS: OwnerSort[] = ['sockets', 'cpu', 'rss', 'fds', 'pid'];

/** A process's sockets: worst health first (retransmits, then RTT), or by one figure. */
export type SocketSort = 'worst' | 'rtt' | 'retrans' | 'cwnd' | 'peer';
export const SOCKET_SORTS: SocketSort[] = ['worst', 'rtt', 'retrans', 'cwnd', 'peer'];

export type DrillRow =
  | { kind: 'owner'; key: string; owner: OwnerRow; enter: DrillLevel; text: string }
  | { kind: 'unowned'; key: string; count: number; enter: DrillLevel; text: string }
  | { kind: 'destination'; key: string; destination: Destination; enter: DrillLevel; text: string }
  | { kind: 'socket'; key: string; socket: SocketEntry; health?: TcpHealth; text: string };

type SocketRow = Extract<DrillRow, { kind: 'socket' }>;

const sorters: Record<OwnerSort, (a: OwnerRow, b: OwnerRow) => number> = {
  sockets: (a, b) => b.count - a.count,
  cpu: (a, b) => (b.details?.cpuPercent ?? -1) - (a.details?.cpuPercent ?? -1),
  rss: (a, b) => (b.details?.rssBytes ?? -1) - (a.details?.rssBytes ?? -1),
  fds: (a, b) => (b.details?.fds ?? -1) - (a.details?.fds ?? -1),
  pid: (a, b) => a.pid - b.pid,
};

const h = (r: SocketRow) => r.health ?? {};
const socketSorters: Record<SocketSort, (a: SocketRow, b: SocketRow) => number> = {
  worst: (a, b) =>
    (h(b).retransNow ?? -1) - (h(a).retransNow ?? -1) ||
    (h(b).retransTotal ?? -1) - (h(a).retransTotal ?? -1) ||
    (h(b).lost ?? -1) - (h(a).lost ?? -1) ||
    (h(b).rttMs ?? -1) - (h(a).rttMs ?? -1),
  rtt: (a, b) => (h(b).rttMs ?? -1) - (h(a).rttMs ?? -1),
  retrans: (a, b) => (h(b).retransTotal ?? -1) - (h(a).retransTotal ?? -1) || (h(b).retransNow ?? -1) - (h(a).retransNow ?? -1),
  // The smallest window first: a collapsed cwnd is the sick one.
  cwnd: (a, b) => (h(a).cwnd ?? Number.POSITIVE_INFINITY) - (h(b).cwnd ?? Number.POSITIVE_INFINITY),
  peer: (a, b) => a.text.localeCompare(b.text),
};

/** What a filter matches against: everything the row shows, already escaped. */
function ownerText(o: OwnerRow): string {
  const d = o.details;
  return [o.pid, d?.user, d?.comm ?? o.name, d?.cmdline, ...o.peers.map((p) => p.endpoint), d?.container?.id, d?.container?.podUid]
    .filter((x) => x !== undefined)
    .map((x) => safeText(String(x)))
    .join(' ');
}

function socketsOf(data: DrillData, level: Extract<DrillLevel, { kind: 'sockets' }>): SocketEntry[] {
  if (level.pid !== undefined) return data.sockets.filter((s) => s.owners.some((o) => o.pid === level.pid));
  if (level.destination !== undefined) {
    return data.unowned.filter((s) => destinationKey({ localAddress: s.local.address, peer: endpointText(s.peer) }) === level.destination);
  }
  return level.unowned ? data.unowned : data.sockets;
}

/**
 * The rows of one drill-down level, sorted and filtered. Pure: the view
 * renders a window of them, the reducer reads where Enter leads.
 */
export function drillRows(data: DrillData | undefined, level: DrillLevel, sort: OwnerSort, filter: string, socketSort: SocketSort = 'worst'): DrillRow[] {
  if (!data) return [];
  let rows: DrillRow[];
  switch (level.kind) {
    case 'owners': {
      const owners = [...data.owners].sort((a, b) => sorters[sort](a, b) || a.pid - b.pid);
      rows = owners.map((owner) => ({
        kind: 'owner' as const,
        key: `pid-${owner.pid}`,
        owner,
        enter: { kind: 'sockets' as const, pid: owner.pid, name: owner.details?.comm ?? owner.name },
        text: ownerText(owner),
      }));
      if (data.unowned.length > 0) {
        rows.push({ kind: 'unowned', key: 'unowned', count: data.unowned.length, enter: { kind: 'destinations' }, text: 'no owner' });
      }
      break;
    }
    case 'destinations':
      rows = data.destinations.map((destination) => ({
        kind: 'destination' as const,
        key: `dest-${destinationKey(destination)}`,
        destination,
        enter: { kind: 'sockets' as const, destination: destinationKey(destination) },
        text: `${destination.localAddress} ${destination.peer}`,
      }));
      break;
    case 'sockets': {
      const health = level.pid !== undefined && data.health?.pid === level.pid ? data.health.byKey : undefined;
      const sockets: SocketRow[] = socketsOf(data, level).map((socket, i) => {
        const found = health?.get(socketKey(socket));
        return {
          kind: 'socket' as const,
          // Two listeners can share both ends (SO_REUSEPORT): the index keeps keys apart.
          key: `s-${i}-${socketKey(socket)}`,
          socket,
          ...(found ? { health: found } : {}),
          text: `${endpointText(socket.local)} ${endpointText(socket.peer)} ${socket.timer?.name ?? ''}`,
        };
      });
      // Without health figures the order stays ss's; the sort is the health's.
      rows = health ? sockets.sort((a, b) => socketSorters[socketSort](a, b) || a.text.localeCompare(b.text)) : sockets;
      break;
    }
  }
  const needle = filter.toLowerCase();
  return needle === '' ? rows : rows.filter((r) => r.text.toLowerCase().includes(needle));
}

export function levelLabel(level: DrillLevel): string {
  switch (level.kind) {
    case 'owners':
      return 'owners';
    case 'destinations':
      return 'by destination';
    case 'sockets':
      if (level.pid !== undefined) return `${safeText(level.name ?? '?')} (${level.pid})`;
      if (level.destination !== undefined) return safeText(level.destination.replace('>', ' → '));
      return 'sockets';
  }
}

/** The shell commands to dig further from here, ready to copy. */
export function drillCommands(data: DrillData | undefined, level: DrillLevel, nsenter: string): string[] {
  const state = data?.state;
  if (!state) return [];
  const inNs = (cmd: string) => (nsenter ? `${nsenter} ${cmd}` : cmd);
  const filter = SS_STATE_FILTER[state];
  switch (level.kind) {
    case 'owners':
      return [inNs(`ss -tanp state ${filter}`)];
    case 'destinations':
      return [inNs(`ss -tan state ${filter} | awk '{print $4}' | sort | uniq -c | sort -rn | head`)];
    case 'sockets': {
      if (level.pid !== undefined) {
        return [
          inNs(`ss -tanp state ${filter} | grep 'pid=${level.pid},'`),
          inNs(`ss -tinp state ${filter} | grep -A1 'pid=${level.pid},'`),
          `ls -l /proc/${level.pid}/fd | wc -l`,
          ...(nsenter ? [`nsenter -t ${level.pid} -n ss -tan state ${filter}`] : []),
        ];
      }
      if (level.destination !== undefined) {
        const peer = parseEndpoint(level.destination.split('>')[1] ?? '');
        return [inNs(`ss -tan state ${filter} dst ${peer?.address} '( dport = :${peer?.port} )'`)];
      }
      return [inNs(`ss -tan state ${filter}`)];
    }
  }
}
