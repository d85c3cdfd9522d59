import { nicLines } from '../components/NicsPanel.js';
import { TCP_STATES } from './tcpState.js';
import type { AlertLink } from './alerts/types.js';
import type { DashboardModel } from './dashboardModel.js';
import type { PanelId } from './viewState.js';

/** How many rows each panel has to select from. */
export function panelRowCounts(model: DashboardModel): Record<PanelId, number> {
  return {
    alerts: model.alerts.alerts.length,
    sockets: model.sockets.rows.length,
    counters: model.counters.rows.length,
    conntrack: model.conntrack.stats.length,
    nics: nicLines(model.nics).length,
  };
}

/** The row an alert's link points at, in the panel it leads to. */
export function rowOfLink(model: DashboardModel, link: AlertLink): number | undefined {
  if (link.panel === 'sockets' && link.state) return TCP_STATES.indexOf(link.state);
  if (link.panel === 'nics' && link.nic !== undefined) {
    const i = nicLines(model.nics).findIndex((l) => l.key === `if-${link.nic}`);
    return i < 0 ? undefined : i;
  }
  return undefined;
}
