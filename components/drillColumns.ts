import type { DrillRow } from '../src/drilldown/rows.js';
import { endpointText } from '../src/endpoint.js';
import { formatAge, formatBitRate, formatRate } from '../src/format.js';
import { type FitColumn, fitColumns } from './Table.js';

type SocketRow = Extract<DrillRow, { kind: 'socket' }>;

const timer = (r: SocketRow): string => {
  const t = r.socket.timer;
  return t ? ` ${t.name}${t.expiresMs !== undefined ? ` ${formatAge(t.expiresMs)}` : ''}` : ' ';
};
const ms = (v: number | undefined) => (v === undefined ? '·' : formatRate(v));
const count = (v: number | undefined) => (v === undefined ? '·' : String(v));
const rate = (v: number | undefined) => (v === undefined ? '·' : formatBitRate(v));

/**
 * A socket list: its two ends, queues and timer; with TCP health (ss -i of
 * the process's sockets), what tells a sick connection — retransmits now and
 * in all, lost, the window, RTT — before the queues, which fall off first.
 */
export function socketColumns(width: number, withHealth: boolean, endpointWidth: number): FitColumn<SocketRow>[] {
  const ends: FitColumn<SocketRow>[] = [
    { header: 'LOCAL', width: endpointWidth, priority: 0, cell: (r) => endpointText(r.socket.local) },
    { header: 'PEER', width: endpointWidth, priority: 0, cell: (r) => endpointText(r.socket.peer) },
  ];
  const queues: FitColumn<SocketRow>[] = [
    { header: 'RECV-Q', width: 8, align: 'right', priority: withHealth ? 4 : 0, cell: (r) => String(r.socket.recvQ) },
    { header: 'SEND-Q', width: 8, align: 'right', priority: withHealth ? 3 : 0, cell: (r) => String(r.socket.sendQ) },
  ];
  const last: FitColumn<SocketRow> = { header: ' TIMER', width: Number.POSITIVE_INFINITY, priority: 0, cell: timer };
  if (!withHealth) return fitColumns([...ends, ...queues, last], width);
  const health: FitColumn<SocketRow>[] = [
    { header: 'RETR', width: 9, align: 'right', priority: 0, cell: (r) => (r.health?.retransTotal === undefined ? '·' : `${r.health.retransNow ?? 0}/${r.health.retransTotal}`) },
    { header: 'LOST', width: 5, align: 'right', priority: 1, cell: (r) => count(r.health?.lost) },
    { header: 'RTT ms', width: 7, align: 'right', priority: 0, cell: (r) => ms(r.health?.rttMs) },
    { header: '±ms', width: 6, align: 'right', priority: 2, cell: (r) => ms(r.health?.rttVarMs) },
    { header: 'CWND', width: 5, align: 'right', priority: 0, cell: (r) => count(r.health?.cwnd) },
    { header: 'SSTH', width: 5, align: 'right', priority: 2, cell: (r) => count(r.health?.ssthresh) },
    { header: 'UNACK', width: 6, align: 'right', priority: 1, cell: (r) => count(r.health?.unacked) },
    { header: 'DELIVERY', width: 9, align: 'right', priority: 1, cell: (r) => rate(r.health?.deliveryBps) },
    { header: 'PACING', width: 9, align: 'right', priority: 3, cell: (r) => rate(r.health?.pacingBps) },
    { header: 'SEND', width: 9, align: 'right', priority: 4, cell: (r) => rate(r.health?.sendBps) },
  ];
  return fitColumns([...ends, ...health, ...queues, last], width);
}
