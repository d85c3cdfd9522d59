import type { DrillData } from './drilldown/controller.js';
import {
  type DrillSubject,
  type DrillView,
  drillBack,
  drillCycleSort,
  drillEnter,
  drillFilter,
  drillSelect,
  openDrill,
  topFrame,
} from './drilldown/navigation.js';
import { drillRows } from './drilldown/rows.js';
import { type OverviewView, openOverview, reduceOverview } from './fleet/overviewView.js';
import type { Action, KeyMode } from './keymap.js';
import { movedSelection } from './selection.js';
import type { PanelId } from './panelId.js';
import type { Target } from './target.js';
import type { TcpState } from './tcpState.js';
import type { ActionSubject } from './actions/plans.js';

/** What Enter leads to (see `enterFrom`): a state's drill-down, or a panel and a row in it. */
export type EnterResult = { drill: { state: TcpState } & DrillSubject } | { focus: PanelId; row?: number } | { watch: Target };

/** What the person at the keyboard has chosen to look at; never what the kernel said. */
export interface ViewState {
  focus: PanelId;
  /** Selected row per panel (0 when absent). */
  selected: Partial<Record<PanelId, number>>;
  /** Panels showing their other view. */
  alternate: Partial<Record<PanelId, boolean>>;
  helpOpen: boolean;
  /** The drop path fills the body (key d). */
  dropPathOpen?: boolean;
  /** The triage checklist fills the body (key t), a layer selected. */
  layers?: { selected: number };
  paused: boolean;
  /** The focused panel fills the screen. */
  zoomed: boolean;
  /** An open drill-down replaces the panels. */
  drill?: DrillView;
  /** The namespaces overview replaces the panels. */
  overview?: OverviewView;
  /** A probe's pane (P C R H L X on a row that names a peer) over everything, scrolled this far. */
  probe?: { scroll: number };
}

export function keyMode(state: ViewState): KeyMode {
  if (state.probe) return 'action';
  if (state.overview) return state.overview.editingFilter ? 'filter' : 'namespaces';
  if (state.layers) return 'layers';
  if (!state.drill) return state.dropPathOpen ? 'drops' : 'dashboard';
  return state.drill.editingFilter ? 'filter' : 'drill';
}

export function initialViewState(focus: PanelId): ViewState {
  return { focus, selected: {}, alternate: {}, helpOpen: false, paused: false, zoomed: false };
}

export interface ViewContext {
  /** The panels in focus order. */
  panels: readonly PanelId[];
  rowCounts: Partial<Record<PanelId, number>>;
  pageSize: number;
  /** What Enter on a row of a panel opens. */
  enter(panel: PanelId, row: number): EnterResult | undefined;
  /** The drill-down's data as on screen. */
  drillData: DrillData | undefined;
  /** Rows of the namespaces overview as on screen (its filter applied). */
  overviewRows: number;
  /** What the selected row of the overview leads to. */
  overviewTarget(selected: number): Target | undefined;
  /** Lines of the triage checklist, and what Enter on one opens. */
  layerCount: number;
  enterLayer(selected: number): EnterResult | undefined;
  /** The peer the selected row names (a socket, a destination, an alert), that the probe keys aim at. */
  actionSubject(state: ViewState): ActionSubject | undefined;
  /** Lines of the probe pane's output, to scroll within. */
  probeLines: number;
}

/** The view Enter leads to from `state`: a drill-down, or a panel focused at a row; unchanged for nothing (or another namespace, which the caller switches to). */
function entered(state: ViewState, to: EnterResult | undefined): ViewState {
  if (!to || 'watch' in to) return state;
  if ('drill' in to) return { ...state, helpOpen: false, drill: openDrill(to.drill.state, to.drill) };
  return { ...state, focus: to.focus, zoomed: false, selected: to.row === undefined ? state.selected : { ...state.selected, [to.focus]: to.row } };
}

/** The checklist's keys: move, open a layer (its alert's subject, or its panel), close. */
function reduceLayers(state: ViewState, layers: { selected: number }, action: Action | 'filterChar', ctx: ViewContext): ViewState {
  const moved = movedSelection(action, layers.selected, ctx.layerCount, ctx.pageSize);
  if (moved !== undefined) return { ...state, layers: { selected: moved } };
  const { layers: _closed, ...dashboard } = state;
  switch (action) {
    case 'enter': {
      const to = ctx.enterLayer(layers.selected);
      return to && !('watch' in to) ? entered(dashboard, to) : state;
    }
    case 'back':
    case 'leave':
    case 'layers':
      return state.helpOpen ? { ...state, helpOpen: false } : dashboard;
    case 'help':
      return { ...state, helpOpen: !state.helpOpen };
    case 'pause':
      return { ...state, paused: !state.paused };
    default:
      return state;
  }
}

function reduceDrill(state: ViewState, drill: DrillView, action: Action | 'filterChar', ctx: ViewContext, text: string): ViewState {
  const frame = topFrame(drill);
  const rows = drillRows(ctx.drillData, frame.level, drill.sort, frame.filter, drill.socketSort);
  const moved = movedSelection(action, frame.selected, rows.length, ctx.pageSize);
  if (moved !== undefined) return { ...state, drill: drillSelect(drill, moved, rows.length) };
  switch (action) {
    case 'enter': {
      const row = rows[frame.selected];
      return row && 'enter' in row ? { ...state, drill: drillEnter(drill, row.enter) } : state;
    }
    case 'back': {
      // The innermost thing first: the help over the list, a kept filter, then the level.
      if (state.helpOpen) return { ...state, helpOpen: false };
      if (frame.filter !== '') return { ...state, drill: drillFilter(drill, '', false) };
      const up = drillBack(drill);
      if (up) return { ...state, drill: up };
      const { drill: _closed, ...rest } = state;
      return rest;
    }
    case 'leave': {
      if (state.helpOpen) return { ...state, helpOpen: false };
      const { drill: _closed, ...dashboard } = state;
      return dashboard;
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
  if (state.probe) {
    // Scrolling only: y, Esc and the rest are the probe's (see useDashboardControls).
    const scroll = movedSelection(action, state.probe.scroll, ctx.probeLines, ctx.pageSize);
    return scroll === undefined ? state : { ...state, probe: { scroll } };
  }
  if (state.overview) {
    if (state.helpOpen && (action === 'back' || action === 'leave' || action === 'help')) return { ...state, helpOpen: false };
    if (action === 'help') return { ...state, helpOpen: true };
    if (action === 'pause') return { ...state, paused: !state.paused };
    const overview = reduceOverview(state.overview, action, ctx.overviewRows, Math.max(1, ctx.pageSize), text);
    if (overview) return { ...state, overview };
    const { overview: _closed, ...dashboard } = state;
    return dashboard;
  }
  if (state.drill) return reduceDrill(state, state.drill, action, ctx, text);
  if (state.layers) return reduceLayers(state, state.layers, action, ctx);
  const focus = state.focus;
  const last = Math.max(0, (ctx.rowCounts[focus] ?? 0) - 1);
  const select = (i: number): ViewState => ({ ...state, selected: { ...state.selected, [focus]: Math.min(last, Math.max(0, i)) } });
  const current = state.selected[focus] ?? 0;
  const step = (delta: number): PanelId => ctx.panels[(ctx.panels.indexOf(focus) + delta + ctx.panels.length) % ctx.panels.length] ?? focus;
  if (action.startsWith('focus:')) return { ...state, focus: action.slice('focus:'.length) as PanelId };
  if (action.startsWith('alternate:')) {
    // The other view of a panel: focus it, flip it, start at its top.
    const id = action.slice('alternate:'.length) as PanelId;
    return { ...state, focus: id, alternate: { ...state.alternate, [id]: !state.alternate[id] }, selected: { ...state.selected, [id]: 0 } };
  }
  const moved = movedSelection(action, current, last + 1, ctx.pageSize);
  if (moved !== undefined) return select(moved);
  switch (action) {
    case 'nextPanel':
      return { ...state, focus: step(1) };
    case 'prevPanel':
      return { ...state, focus: step(-1) };
    case 'enter':
      // Another namespace: the caller switches the dashboard (see useDashboardControls).
      return entered(state, ctx.enter(focus, current));
    case 'zoom':
      return { ...state, zoomed: !state.zoomed };
    case 'namespaces':
      return { ...state, helpOpen: false, overview: openOverview() };
    case 'dropPath':
      return { ...state, helpOpen: false, dropPathOpen: !state.dropPathOpen };
    case 'layers':
      return { ...state, helpOpen: false, dropPathOpen: false, layers: { selected: 0 } };
    case 'help':
      return { ...state, helpOpen: !state.helpOpen };
    case 'leave':
      if (state.helpOpen) return { ...state, helpOpen: false };
      return state.dropPathOpen ? { ...state, dropPathOpen: false } : state;
    case 'closeOverlay':
      if (state.helpOpen) return { ...state, helpOpen: false };
      if (state.dropPathOpen) return { ...state, dropPathOpen: false };
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

