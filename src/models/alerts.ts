import type { AlertsState } from '../alerts/engine.js';
import type { Alert } from '../alerts/types.js';

export interface AlertPanelModel {
  alerts: Alert[];
  disabled: AlertsState['disabled'];
  watching: number;
  critical: number;
  warning: number;
}

export function buildAlertPanel(state: AlertsState): AlertPanelModel {
  return {
    alerts: state.alerts,
    disabled: state.disabled,
    watching: state.watching,
    critical: state.alerts.filter((a) => a.severity === 'critical').length,
    warning: state.alerts.filter((a) => a.severity === 'warning').length,
  };
}
