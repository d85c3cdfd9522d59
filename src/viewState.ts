import type { Action } from './keymap.js';

/** What the person at the keyboard has chosen to look at; never what the kernel said. */
export interface ViewState {
  selected: number;
  helpOpen: boolean;
  paused: boolean;
}

export const initialViewState: ViewState = { selected: 0, helpOpen: false, paused: false };

export interface ViewContext {
  rowCount: number;
  pageSize: number;
}

export function reduceView(state: ViewState, action: Action, ctx: ViewContext): ViewState {
  const last = Math.max(0, ctx.rowCount - 1);
  const select = (i: number): ViewState => ({ ...state, selected: Math.min(last, Math.max(0, i)) });
  switch (action) {
    case 'up':
      return select(state.selected - 1);
    case 'down':
      return select(state.selected + 1);
    case 'pageUp':
      return select(state.selected - Math.max(1, ctx.pageSize));
    case 'pageDown':
      return select(state.selected + Math.max(1, ctx.pageSize));
    case 'home':
      return select(0);
    case 'end':
      return select(last);
    case 'help':
      return { ...state, helpOpen: !state.helpOpen };
    case 'closeOverlay':
      return { ...state, helpOpen: false };
    case 'pause':
      return { ...state, paused: !state.paused };
    default:
      return state;
  }
}

/** The intervals `+` and `-` step through. */
export const INTERVAL_STEPS_MS = [200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];

export function stepInterval(currentMs: number, direction: 'slower' | 'faster'): number {
  if (direction === 'slower') return INTERVAL_STEPS_MS.find((s) => s > currentMs) ?? currentMs;
  return [...INTERVAL_STEPS_MS].reverse().find((s) => s < currentMs) ?? currentMs;
}
