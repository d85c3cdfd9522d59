import type { PortRange } from '../../collectors/parse/portRange.js';
import { type SocketsSample, stateSeriesKey, SOCKETS } from '../../collectors/sockets.js';
import { TCP_STATES, type TcpState } from '../tcpState.js';
import type { Store } from '../store.js';
import { type Concern, SPARK_HISTORY, type SourceStatusModel, sourceStatus } from './common.js';

export interface StateRowModel {
  state: TcpState;
  count: number | undefined;
  trendPerMinute: number | undefined;
  concern: Concern;
  /** Why it stands out, e.g. "41% of the port range". */
  remark?: string;
}

export interface SocketsPanelModel {
  rows: StateRowModel[];
  /** Recent samples per row, for the sparklines; apart from the rows, which do not change as often. */
  histories: number[][];
  udp?: number;
  orphans?: number;
  method?: SocketsSample['method'];
  dumpedSockets?: number;
  portRange?: PortRange;
  status: SourceStatusModel;
}

/**
 * Which states deserve the eye. CLOSE-WAIT that climbs is an application
 * that never calls close(); SYN-SENT that lingers is a firewall or a dead
 * peer; SYN-RECV piling up is a SYN flood or a listener that can't keep up;
 * TIME-WAIT close to the ephemeral range is port exhaustion in the making
 * (the per-destination arithmetic is the alert's job; this is the host total).
 */
export function stateConcern(
  state: TcpState,
  count: number,
  trendPerMinute: number | undefined,
  portRange: PortRange | undefined,
): { concern: Concern; remark?: string } {
  const climbing = (trendPerMinute ?? 0) > 0;
  switch (state) {
    case 'CLOSE-WAIT':
      if (count >= 100 || (count >= 10 && climbing)) return { concern: 'bad', remark: climbing ? 'climbing: leak?' : 'app not closing' };
      return { concern: count > 0 ? 'watch' : 'none' };
    case 'SYN-SENT':
      if (count >= 10) return { concern: 'bad', remark: 'unanswered SYNs' };
      return { concern: count > 0 ? 'watch' : 'none' };
    case 'SYN-RECV':
      if (count >= 100) return { concern: 'bad', remark: 'handshakes stuck' };
      return { concern: count > 0 ? 'watch' : 'none' };
    case 'TIME-WAIT': {
      if (!portRange || portRange.usable <= 0) return { concern: 'none' };
      const share = count / portRange.usable;
      const remark = `${Math.round(share * 100)}% of ports`;
      if (share >= 0.8) return { concern: 'bad', remark };
      if (share >= 0.5) return { concern: 'watch', remark };
      return { concern: 'none' };
    }
    case 'FIN-WAIT-1':
    case 'LAST-ACK':
    case 'CLOSING':
      return { concern: count >= 100 ? 'watch' : 'none' };
    default:
      return { concern: 'none' };
  }
}

export function buildSocketsPanel(store: Store, nowMs = Date.now()): SocketsPanelModel {
  const sample = store.sample(SOCKETS);
  const value = sample?.value;
  const rows = TCP_STATES.map((state): StateRowModel => {
    const key = stateSeriesKey(state);
    const count = value?.states[state];
    const trendPerMinute = store.changePerMinute(key);
    const { concern, remark } = stateConcern(state, count ?? 0, trendPerMinute, value?.portRange);
    const row: StateRowModel = { state, count, trendPerMinute, concern };
    if (remark) row.remark = remark;
    return row;
  });
  const histories = TCP_STATES.map((state) => store.history(stateSeriesKey(state), SPARK_HISTORY));
  const panel: SocketsPanelModel = { rows, histories, status: sourceStatus(store, SOCKETS, nowMs) };
  if (value) {
    panel.udp = value.udp;
    panel.orphans = value.orphans;
    panel.method = value.method;
    panel.dumpedSockets = value.dumpedSockets;
    if (value.portRange) panel.portRange = value.portRange;
  }
  return panel;
}
