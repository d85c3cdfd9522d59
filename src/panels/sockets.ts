import type { PortRange } from '../../collectors/parse/portRange.js';
import { type SocketsSample, stateSeriesKey, SOCKETS } from '../../collectors/sockets.js';
import { closeWaitClimbing, ephemeralPortExhaustion, heldFor, synSentStuck } from '../alerts/rules/sockets.js';
import { formatCount } from '../format.js';
import { type AlertConfig, paramsOf } from '../alerts/types.js';
import type { Alert } from '../alerts/types.js';
import type { Store } from '../store.js';
import { TCP_STATES, type TcpState } from '../tcpState.js';
import { type Concern, SPARK_HISTORY, type SourceStatusModel, sourceStatus } from './common.js';
import { definePanel } from './types.js';

declare module '../panelId.js' {
  interface PanelIds {
    sockets: true;
  }
}

export interface StateRowModel {
  state: TcpState;
  count: number | undefined;
  trendPerMinute: number | undefined;
  concern: Concern;
  /** Why it stands out, e.g. "41% of the port range". */
  remark?: string;
  /** An active alert is about this state: its row never leaves the screen. */
  alerted: boolean;
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

/** States no rule watches: a pile this big is worth a look. */
const SYN_RECV_PILE = 100;
const CLOSING_PILE = 100;

/** The thresholds of the rules that watch socket states, as configured. */
export interface SocketLevels {
  closeWaitFloor: number;
  closeWaitStandingSec: number;
  synSentCrit: number;
  portShare: { warn: number; crit: number };
}

export function socketLevels(config: AlertConfig): SocketLevels {
  const ports = paramsOf(config, ephemeralPortExhaustion);
  const closeWait = paramsOf(config, closeWaitClimbing);
  return {
    closeWaitFloor: closeWait.floor,
    closeWaitStandingSec: closeWait.standingSec,
    synSentCrit: paramsOf(config, synSentStuck).critCount,
    portShare: { warn: ports.warnShare, crit: ports.critShare },
  };
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
  sample: Pick<SocketsSample, 'portRange' | 'closeWaitHeld'> | undefined,
  levels: SocketLevels,
): { concern: Concern; remark?: string } {
  const portRange = sample?.portRange;
  const climbing = (trendPerMinute ?? 0) > 0;
  switch (state) {
    case 'CLOSE-WAIT': {
      // Climbing above the alert's floor, or as many held as long as the alert's standing leak: nothing closes them.
      if (count >= levels.closeWaitFloor && climbing) return { concern: 'bad', remark: 'climbing: leak?' };
      const held = heldFor(sample?.closeWaitHeld ?? [], levels.closeWaitStandingSec);
      if (held.count > 0 && held.count >= levels.closeWaitFloor) return { concern: 'bad', remark: `${formatCount(held.count)} held ${held.seconds} s+` };
      return { concern: count > 0 ? 'watch' : 'none' };
    }
    case 'SYN-SENT':
      if (count >= levels.synSentCrit) return { concern: 'bad', remark: 'unanswered SYNs' };
      return { concern: count > 0 ? 'watch' : 'none' };
    case 'SYN-RECV':
      if (count >= SYN_RECV_PILE) return { concern: 'bad', remark: 'handshakes stuck' };
      return { concern: count > 0 ? 'watch' : 'none' };
    case 'TIME-WAIT': {
      if (!portRange || portRange.usable <= 0) return { concern: 'none' };
      const share = count / portRange.usable;
      const remark = `${Math.round(share * 100)}% of ports`;
      if (share >= levels.portShare.crit) return { concern: 'bad', remark };
      if (share >= levels.portShare.warn) return { concern: 'watch', remark };
      return { concern: 'none' };
    }
    case 'FIN-WAIT-1':
    case 'LAST-ACK':
    case 'CLOSING':
      return { concern: count >= CLOSING_PILE ? 'watch' : 'none' };
    default:
      return { concern: 'none' };
  }
}

export function buildSocketsPanel(store: Store, nowMs = Date.now(), config: AlertConfig = {}, alerts: Alert[] = []): SocketsPanelModel {
  const levels = socketLevels(config);
  const alerted = new Set(alerts.map((a) => a.link?.state));
  const sample = store.sample(SOCKETS);
  const value = sample?.value;
  const rows = TCP_STATES.map((state): StateRowModel => {
    const key = stateSeriesKey(state);
    const count = value?.states[state];
    const trendPerMinute = store.trendPerMinute(key);
    const { concern, remark } = stateConcern(state, count ?? 0, trendPerMinute, value, levels);
    const row: StateRowModel = { state, count, trendPerMinute, concern, alerted: alerted.has(state) };
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

/**
 * Which state rows show in `room` lines, in their order, when not all fit:
 * the selected row and the rows an alert is about always, then the ones
 * that stand out, then those with sockets; a marker line names the rest.
 */
export function shownStateRows(rows: StateRowModel[], room: number, selected: number | undefined): { shown: number[]; hidden: TcpState[] } {
  if (rows.length <= room) return { shown: rows.map((_, i) => i), hidden: [] };
  const rank = (row: StateRowModel, i: number) =>
    i === selected ? 0 : row.alerted ? 1 : row.concern === 'bad' ? 2 : row.concern === 'watch' ? 3 : (row.count ?? 0) > 0 ? 4 : 5;
  const keep = Math.max(0, room - 1);
  const order = rows.map((row, i) => ({ i, rank: rank(row, i) })).sort((a, b) => a.rank - b.rank || a.i - b.i);
  const shown = order.slice(0, keep).map((o) => o.i).sort((a, b) => a - b);
  const kept = new Set(shown);
  return { shown, hidden: rows.filter((_, i) => !kept.has(i)).map((r) => r.state) };
}

/** Rows this panel needs: border 2, column header 1, states, summary 1, status lines. */
export function socketsPanelHeight(model: Omit<SocketsPanelModel, 'histories'>): number {
  return 2 + 1 + model.rows.length + 1 + Math.min(3, model.status.lines.length);
}

export const socketsPanel = definePanel<SocketsPanelModel>({
  id: 'sockets',
  title: 'TCP sockets',
  focusKey: '2',
  area: 'top',
  help: [
    'COUNT is exact per state, IPv4 and IPv6 together, in the target namespace.',
    'The bar is logarithmic so small counts stay visible next to large ones.',
    'Δ/min is how fast the count moves now: the rise since the lowest point of the last',
    'minute (or the fall since its highest), per minute. The alerts quote the same figure.',
    'Sparklines: one column per sample, over the span in the column header ("last 45s"),',
    'from zero to the highest value shown (at least 10): a lone 1 stays low.',
    'Yellow: worth a look. Red: CLOSE-WAIT climbing (the app never calls close()),',
    'SYN-SENT piling up (firewall or dead peer), SYN-RECV piling up (SYN flood or a',
    'slow listener), TIME-WAIT near the ephemeral port range (port exhaustion).',
    'Enter on a state opens its owners (ss -p, refreshed every 5 s while open); TIME-WAIT',
    'and sockets without an owner open by destination, against the ephemeral port range.',
  ],
  build: (ctx) => buildSocketsPanel(ctx.store, ctx.nowMs, ctx.config, ctx.alerts.alerts),
  rowCount: (model) => model.rows.length,
  rowOfLink: (_model, link) => (link.state ? TCP_STATES.indexOf(link.state) : undefined),
  naturalHeight: (model) => socketsPanelHeight(model),
  enter: (model, row) => {
    const state = model.rows[row]?.state;
    return state ? { drill: { state } } : undefined;
  },

});
