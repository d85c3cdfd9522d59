import type { Action } from '../keymap.js';

/** What the fleet's keys change: the selection, the filter being typed or kept, and whether what to run is open. */
export interface FleetViewState {
  selected: number;
  filter: string;
  filtering: boolean;
  detail: boolean;
  /** How many times r asked for a refresh: the app asks Prometheus when it moves. */
  refreshes: number;
  quit: boolean;
}

export const INITIAL_FLEET_VIEW: FleetViewState = { selected: 0, filter: '', filtering: false, detail: false, refreshes: 0, quit: false };

/**
 * One key, as each mode would take it (the filter's action, the list's, or
 * a printable character): which applies is the state's to say, since keys
 * may come faster than frames.
 */
export interface FleetKey {
  inFilter?: Action;
  inList?: Action;
  typed?: string;
  /** Rows the filter keeps now. */
  rows: number;
}

/**
 * Keys in the order they came, each against the state the one before left:
 * a filter typed faster than the screen redraws loses no character, and
 * Enter that ends a filter does not also open a row.
 */
export function fleetViewReducer(state: FleetViewState, key: FleetKey): FleetViewState {
  const last = Math.max(0, key.rows - 1);
  const at = Math.min(state.selected, last);
  if (state.filtering) {
    if (key.inFilter === undefined) return key.typed !== undefined ? { ...state, filter: state.filter + key.typed, selected: 0 } : state;
    switch (key.inFilter) {
      case 'quit':
        return { ...state, quit: true };
      case 'endFilter':
        return { ...state, filtering: false };
      case 'clearFilter':
        return { ...state, filter: '', filtering: false };
      case 'filterBackspace':
        return { ...state, filter: state.filter.slice(0, -1) };
      default:
        return state;
    }
  }
  switch (key.inList) {
    case 'quit':
      return { ...state, quit: true };
    case 'refresh':
      return { ...state, refreshes: state.refreshes + 1 };
    case 'up':
      return { ...state, selected: Math.max(0, at - 1) };
    case 'down':
      return { ...state, selected: Math.min(last, at + 1) };
    case 'pageUp':
      return { ...state, selected: Math.max(0, at - 10) };
    case 'pageDown':
      return { ...state, selected: Math.min(last, at + 10) };
    case 'home':
      return { ...state, selected: 0 };
    case 'end':
      return { ...state, selected: last };
    case 'enter':
      return { ...state, detail: key.rows > 0 };
    case 'back':
      return { ...state, detail: false };
    case 'filter':
      return { ...state, filtering: true, detail: false };
    default:
      return state;
  }
}
