import { SELF } from '../collectors/self.js';
import type { AlertsState } from './alerts/engine.js';
import { type AlertPanelModel, buildAlertPanel } from './panels/alerts.js';
import { type ConntrackPanelModel, buildConntrackPanel } from './panels/conntrack.js';
import { type CountersPanelModel, type CountersMode, buildCountersPanel } from './panels/counters.js';
import { type NicsPanelModel, buildNicsPanel } from './panels/nics.js';
import { type SocketsPanelModel, buildSocketsPanel } from './panels/sockets.js';
import type { Store } from './store.js';
import { type Target, targetLabel } from './target.js';
import { SOCKETS } from '../collectors/sockets.js';

export type { Concern, SourceStatusModel } from './panels/common.js';
export type { SocketsPanelModel, StateRowModel } from './panels/sockets.js';

export interface HostInfo {
  host: string;
  kernel: string;
}

export interface HeaderModel {
  host: string;
  kernel: string;
  target: string;
  intervalMs: number;
  sampleAtMs?: number;
  /** What watching costs: CPU % of a core (when known) and RSS of nettriage and its helpers. */
  self?: { cpuPercent?: number; rssBytes: number };
}

/** Everything the screen shows at one tick; frozen as a whole while paused. */
export interface DashboardModel {
  header: HeaderModel;
  alerts: AlertPanelModel;
  sockets: SocketsPanelModel;
  counters: CountersPanelModel;
  conntrack: ConntrackPanelModel;
  nics: NicsPanelModel;
}

export const NO_ALERTS: AlertsState = { alerts: [], disabled: [], watching: 0 };

export function buildDashboardModel(
  store: Store,
  alerts: AlertsState,
  target: Target,
  host: HostInfo,
  intervalMs: number,
  countersMode: CountersMode,
): DashboardModel {
  const nowMs = Date.now();
  const sockets = buildSocketsPanel(store, nowMs);
  const header: HeaderModel = { host: host.host, kernel: host.kernel, target: targetLabel(target), intervalMs };
  const sampleAtMs = store.sample(SOCKETS)?.atMs;
  if (sampleAtMs !== undefined) header.sampleAtMs = sampleAtMs;
  const self = store.sample(SELF)?.value;
  if (self) header.self = self.cpuPercent === undefined ? { rssBytes: self.rssBytes } : { cpuPercent: self.cpuPercent, rssBytes: self.rssBytes };
  return {
    header,
    alerts: buildAlertPanel(alerts, nowMs),
    sockets,
    counters: buildCountersPanel(store, countersMode, nowMs),
    conntrack: buildConntrackPanel(store, nowMs),
    nics: buildNicsPanel(store, nowMs),
  };
}
