import { useEffect, useState } from 'react';
import type { DrillData, DrillSource } from '../drilldown/controller.js';
import type { TcpState } from '../tcpState.js';

/**
 * Opens the controller for the drilled state (closes it when the drill-down
 * closes), points its TCP health at the process whose sockets are on screen,
 * and follows its refreshes; frozen while paused, like the panels.
 */
export function useDrillData(controller: DrillSource | undefined, state: TcpState | undefined, healthPid: number | undefined, paused: boolean): DrillData | undefined {
  const [data, setData] = useState<DrillData | undefined>(undefined);
  useEffect(() => {
    if (!controller) return;
    if (state) controller.open(state);
    else controller.close();
    setData(controller.current());
  }, [controller, state]);
  useEffect(() => {
    controller?.watchHealth?.(state ? healthPid : undefined);
  }, [controller, state, healthPid]);
  useEffect(() => {
    if (!controller) return;
    return controller.subscribe(() => {
      if (!paused) setData(controller.current());
    });
  }, [controller, paused]);
  return state ? data : undefined;
}
