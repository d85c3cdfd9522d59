import { useEffect, useState } from 'react';
import type { FleetSource } from '../fleet/controller.js';
import type { FleetState } from '../fleet/fleet.js';

/** Reads every interval while the overview is open, at the background pace otherwise, and follows its ticks; frozen while paused, like the panels. */
export function useFleetData(fleet: FleetSource | undefined, open: boolean, paused: boolean): FleetState | undefined {
  const [state, setState] = useState<FleetState | undefined>(undefined);
  useEffect(() => {
    if (!fleet) return;
    if (open) fleet.open();
    else fleet.close();
    setState(fleet.current());
  }, [fleet, open]);
  useEffect(() => {
    if (!fleet) return;
    return fleet.subscribe(() => {
      if (!paused) setState(fleet.current());
    });
  }, [fleet, paused]);
  return state;
}
