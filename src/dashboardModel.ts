import type { SelfCostSample } from '../collectors/selfCost.js';
import type { AlertsState } from './alerts/engine.js';
import { type AlertPanelModel, buildAlertPanel } from './models/alerts.js';
import { type ConntrackPanelModel, buildConntrackPanel } from './models/conntrack.js';
import { type CounterPanelModel, type CountersMode, buildCounterPanel } from './models/counters.js';
import { type NicPanelModel, buildNicPanel } from './models/nics.js';
import { type SocketPanelModel, buildSocketPanel } from './models/sockets.js';
import type { Store } from './store.js';
import { type Target, targetLabel } from './target.js';

export type { Concern, SourceStatusModel } from './models/common.js';
export type { SocketPanelModel, StateRowModel } from './models/sockets.js';

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
  sockets: SocketPanelModel;
  counters: CounterPanelModel;
  conntrack: ConntrackPanelModel;
  nics: NicPanelModel;
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
  const sockets = buildSocketPanel(store, nowMs);
  const header: HeaderModel = { host: host.host, kernel: host.kernel, target: targetLabel(target), intervalMs };
  const sampleAtMs = store.sample('sockets')?.atMs;
  if (sampleAtMs !== undefined) header.sampleAtMs = sampleAtMs;
  const self = store.sample<SelfCostSample>('self')?.value;
  if (self) header.self = self.cpuPercent === undefined ? { rssBytes: self.rssBytes } : { cpuPercent: self.cpuPercent, rssBytes: self.rssBytes };
  return {
    header,
    alerts: buildAlertPanel(alerts, nowMs),
    sockets,
    counters: buildCounterPanel(store, countersMode, nowMs),
    conntrack: buildConntrackPanel(store, nowMs),
    nics: buildNicPanel(store, nowMs),
  };
}
