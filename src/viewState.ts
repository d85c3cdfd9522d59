import { TCP_STATES } from './tcpState.js';
import type { AlertLink } from './alerts/types.js';
import type { DrillRow } from './drilldown/rows.js';
import {
  type DrillView,
  drillBack,
  drillCycleSort,
  drillEnter,
  drillFilter,
  drillSelect,
  openDrill,
  topFrame,
} from './drilldown/navigation.js';
import type { Action, KeyMode } from './keymap.js';
import type { CountersMode } from './panels/counters.js';

export const PANELS = ['alerts', 'sockets', 'counters', 'conntrack', 'nics'] as const;
export type PanelId = (typeof PANELS)[number];

/** What the person at the keyboard has chosen to look at; never what the kernel said. */
export interface ViewState {
  focus: PanelId;
  /** Selected row per panel. */
  selected: Record<PanelId, number>;
  helpOpen: boolean;
  paused: boolean;
  /** The focused panel fills the screen. */
  zoomed: boolean;
  countersMode: CountersMode;
  /** An open drill-down replaces the panels. */
  drill?: DrillView;
}

export function keyMode(state: ViewState): KeyMode {
  if (!state.drill) return 'dashboard';
  return state.drill.editingFilter ? 'filter' : 'drill';
}

export const initialViewState: ViewState = {
  focus: 'sockets',
  selected: { alerts: 0, sockets: 0, counters: 0, conntrack: 0, nics: 0 },
  helpOpen: false,
  paused: false,
  zoomed: false,
  countersMode: 'curated',
};

export interface ViewContext {
  rowCounts: Record<PanelId, number>;
  pageSize: number;
  /** Where each alert leads, by alert row. */
  alertLinks?: (AlertLink | undefined)[];
  /** The row a link points at in its panel. */
  rowOf?: (link: AlertLink) => number | undefined;
  /** Rows of the drill-down level on screen. */
  drillRows?: () => DrillRow[];
}

function reduceDrill(state: ViewState, drill: DrillView, action: Action | 'filterChar', ctx: ViewContext, text: string): ViewState {
  const rows = ctx.drillRows?.() ?? [];
  const frame = topFrame(drill);
  const select = (i: number) => ({ ...state, drill: drillSelect(drill, i, rows.length) });
  switch (action) {
    case 'up':
      return select(frame.selected - 1);
    case 'down':
      return select(frame.selected + 1);
    case 'pageUp':
      return select(frame.selected - Math.max(1, ctx.pageSize));
    case 'pageDown':
      return select(frame.selected + Math.max(1, ctx.pageSize));
    case 'home':
      return select(0);
    case 'end':
      return select(rows.length - 1);
    case 'enter': {
      const row = rows[frame.selected];
      return row && 'enter' in row ? { ...state, drill: drillEnter(drill, row.enter) } : state;
    }
    case 'back': {
      const up = drillBack(drill);
      if (up) return { ...state, drill: up };
      const { drill: _closed, ...rest } = state;
      return rest;
    }
    case 'filter':
      return { ...state, drill: drillFilter(drill, frame.filter, true) };
    case 'filterChar':
      return { ...state, drill: drillFilter(drill, frame.filter + text, true) };
    case 'filterBackspace':
      return { ...state, drill: drillFilter(drill, frame.filter.slice(0, -1), true) };
    case 'endFilter':
      return { ...state, drill: { ...drill, editingFilter: false } };
    case 'clearFilter':
      return { ...state, drill: drillFilter(drill, '', false) };
    case 'sort':
      return { ...state, drill: drillCycleSort(drill) };
    case 'cmdline':
      return { ...state, drill: { ...drill, showCmdline: !drill.showCmdline } };
    case 'help':
      return { ...state, helpOpen: !state.helpOpen };
    case 'pause':
      return { ...state, paused: !state.paused };
    default:
      return state;
  }
}

export function reduceView(state: ViewState, action: Action | 'filterChar', ctx: ViewContext, text = ''): ViewState {
  if (state.drill) return reduceDrill(state, state.drill, action, ctx, text);
  const focus = state.focus;
  const last = Math.max(0, ctx.rowCounts[focus] - 1);
  const select = (i: number): ViewState => ({ ...state, selected: { ...state.selected, [focus]: Math.min(last, Math.max(0, i)) } });
  const current = state.selected[focus];
  const step = (delta: number): PanelId => PANELS[(PANELS.indexOf(focus) + delta + PANELS.length) % PANELS.length] ?? 'sockets';
  switch (action) {
    case 'up':
      return select(current - 1);
    case 'down':
      return select(current + 1);
    case 'pageUp':
      return select(current - Math.max(1, ctx.pageSize));
    case 'pageDown':
      return select(current + Math.max(1, ctx.pageSize));
    case 'home':
      return select(0);
    case 'end':
      return select(last);
    case 'nextPanel':
      return { ...state, focus: step(1) };
    case 'prevPanel':
      return { ...state, focus: step(-1) };
    case 'focus1':
    case 'focus2':
    case 'focus3':
    case 'focus4':
    case 'focus5':
      return { ...state, focus: PANELS[Number(action.slice(-1)) - 1] ?? focus };
    case 'enter': {
      if (focus === 'sockets') {
        const selectedState = TCP_STATES[current];
        return selectedState ? { ...state, helpOpen: false, drill: openDrill(selectedState) } : state;
      }
      // An alert leads to its subject: a socket state's drill-down, or the panel and row.
      if (focus !== 'alerts') return state;
      const link = ctx.alertLinks?.[current];
      if (!link) return state;
      if (link.panel === 'sockets' && link.state) return { ...state, drill: openDrill(link.state, link.pid) };
      const row = ctx.rowOf?.(link);
      return {
        ...state,
        focus: link.panel,
        zoomed: false,
        selected: row === undefined ? state.selected : { ...state.selected, [link.panel]: row },
      };
    }
    case 'zoom':
      return { ...state, zoomed: !state.zoomed };
    case 'toggleCounters':
      return {
        ...state,
        focus: 'counters',
        countersMode: state.countersMode === 'curated' ? 'moved' : 'curated',
        selected: { ...state.selected, counters: 0 },
      };
    case 'help':
      return { ...state, helpOpen: !state.helpOpen };
    case 'closeOverlay':
      if (state.helpOpen) return { ...state, helpOpen: false };
      return state.zoomed ? { ...state, zoomed: false } : state;
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

