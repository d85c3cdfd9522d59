import { createElement } from 'react';
import { AlertsPanel, alertsPanelHeight } from '../../components/AlertsPanel.js';
import type { AlertsState } from '../alerts/engine.js';
import type { Alert } from '../alerts/types.js';
import { formatAge } from '../format.js';
import { definePanel } from './types.js';

declare module '../panelId.js' {
  interface PanelIds {
    alerts: true;
  }
}

export interface AlertRow extends Alert {
  /** `since 06:24:18, 4m10s`: worded when the model is built, once a tick. */
  sinceText: string;
}

export interface AlertPanelModel {
  alerts: AlertRow[];
  disabled: AlertsState['disabled'];
  watching: number;
  critical: number;
  warning: number;
}

const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

export function buildAlertPanel(state: AlertsState, nowMs = Date.now()): AlertPanelModel {
  return {
    alerts: state.alerts.map((a) => ({ ...a, sinceText: `since ${clock(a.sinceMs)}, ${formatAge(nowMs - a.sinceMs)}` })),
    disabled: state.disabled,
    watching: state.watching,
    critical: state.alerts.filter((a) => a.severity === 'critical').length,
    warning: state.alerts.filter((a) => a.severity === 'warning').length,
  };
}

export const alertsPanel = definePanel<AlertPanelModel>({
  id: 'alerts',
  title: 'alerts',
  focusKey: '1',
  area: 'top',
  maxShare: 1 / 3,
  build: (ctx) => buildAlertPanel(ctx.alerts, ctx.nowMs),
  rowCount: (model) => model.alerts.length,
  naturalHeight: (model, width, expanded) => alertsPanelHeight(model, expanded, width),
  // An alert leads to its subject.
  enter: (model, row) => {
    const link = model.alerts[row]?.link;
    return link ? { link } : undefined;
  },
  render: (model, box) => ({ element: createElement(AlertsPanel, { model, ...box }) }),
});
