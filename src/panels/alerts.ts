import type { AlertsState } from '../alerts/engine.js';
import type { Alert } from '../alerts/types.js';
import { formatAge } from '../format.js';

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
