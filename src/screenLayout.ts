import { type ReactElement, createElement } from 'react';
import { DrillDownView } from '../components/DrillDownView.js';
import { DropPathView } from '../components/DropPathView.js';
import { LayersView } from '../components/LayersView.js';
import { ProbePane } from '../components/ProbePane.js';
import type { ProbePane as ProbePaneModel } from './hooks/useProbes.js';
import { subjectOnScreen } from './actions/subject.js';
import { Footer } from '../components/Footer.js';
import { NamespacesView } from '../components/NamespacesView.js';
import type { FleetState } from './fleet/fleet.js';
import type { OverviewRow } from './fleet/overview.js';
import { headerLine } from '../components/Header.js';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { Hint } from '../components/Hint.js';
import { TooSmall } from '../components/TooSmall.js';
import { type DashboardModel, enterFrom, panelOf } from './dashboardModel.js';
import { topFrame } from './drilldown/navigation.js';
import type { DrillData } from './drilldown/controller.js';
import type { DrillRow } from './drilldown/rows.js';
import { type KeyContext, footerHints, helpLines } from './keymap.js';
import { layoutPanels } from './layout.js';
import { viewOf } from './panels/views.js';
import { PANELS } from './registry.js';
import type { PanelId } from './panelId.js';
import type { Region, ScreenSize } from './screen/screen.js';
import { type ViewState, keyMode } from './viewState.js';

export const MIN_COLUMNS = 60;
// The alerts line and the eleven socket states must fit: 1 header + 3 alerts + 15 sockets + 1 footer + 1 spare.
export const MIN_ROWS = 22;

export interface ScreenInputs {
  size: ScreenSize;
  view: ViewState;
  model: DashboardModel;
  intervalMs: number;
  /** How long no sample has arrived, worded, once that is longer than it should be. */
  staleFor?: string;
  drill: { data: DrillData | undefined; rows: DrillRow[]; refreshMs: number; nsenter: string };
  /** The namespaces overview's rows (filtered) and the fleet's state. */
  namespaces?: { rows: OverviewRow[]; state?: FleetState; available: boolean };
  /** A line to say in place of the footer's keys for a while (`w` wrote a file). */
  notice?: string;
  /** A replay: its keys in the footer and the help. */
  replay?: boolean;
  /** The probe pane, while it is open. */
  probe?: ProbePaneModel;
  /** The probe keys can run here (not in a replay: its peers are the past's). */
  probesAvailable?: boolean;
}

/** What the help says: the keys of the mode on screen, then what the panels want known. */
const helpText = (view: ViewState, replay = false): string[] => [...helpLines(keyMode(view), replay), '', ...PANELS.flatMap((p) => p.help ?? [])];

/** Where the keyboard is, for the footer to offer only keys that do something there. */
function keyContext(view: ViewState, model: DashboardModel, drill: ScreenInputs['drill'], namespaces: OverviewRow[], probe?: ProbePaneModel, probesAvailable = false): KeyContext {
  const drillRows = drill.rows;
  if (view.probe) return { canEnter: false, confirming: probe?.phase === 'confirm' };
  const peer = probesAvailable && subjectOnScreen(view, model, drill.rows) !== undefined ? { actionSubject: true } : {};
  // Enter on a namespace switches the dashboard to it, when something reaches it.
  if (view.overview) return { canEnter: namespaces[view.overview.selected]?.target !== undefined };
  if (view.layers) return { canEnter: model.layers[view.layers.selected]?.opens !== undefined };
  if (view.drill) {
    const frame = topFrame(view.drill);
    const row = drillRows[frame.selected];
    const healthShown = drillRows.some((r) => r.kind === 'socket' && r.health !== undefined);
    return { canEnter: row !== undefined && 'enter' in row, drillLevel: frame.level.kind, ...(healthShown ? { socketHealth: true } : {}), ...peer };
  }
  return { canEnter: enterFrom(model, view.focus, view.selected[view.focus] ?? 0) !== undefined, ...peer };
}

/**
 * Where everything goes: the header on the first row, the footer on the
 * last but one (the last stays free), and between them the panels — or the
 * help, or a drill-down, over the whole body. Each becomes a region the
 * screen draws only when it changed.
 */
export function composeScreen({ size, view, model, intervalMs, staleFor, drill, namespaces, notice, replay = false, probe, probesAvailable = false }: ScreenInputs): Region[] {
  const { columns, rows } = size;
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return [{ id: 'too-small', x: 0, y: 0, width: columns, height: Math.max(1, rows - 1), element: createElement(TooSmall, { columns, rows, needColumns: MIN_COLUMNS, needRows: MIN_ROWS }) }];
  }
  const height = rows - 1;
  const bodyHeight = height - 2;
  const regions: Region[] = [
    {
      id: 'header',
      x: 0,
      y: 0,
      width: columns,
      height: 1,
      lines: [headerLine({ model: { ...model.header, intervalMs }, paused: view.paused, width: columns, ...(staleFor ? { staleFor } : {}) })],
    },
    { id: 'footer', x: 0, y: height - 1, width: columns, height: 1, element: createElement(Footer, { hints: notice ? [notice] : footerHints(keyMode(view), keyContext(view, model, drill, namespaces?.rows ?? [], probe, probesAvailable), replay), width: columns }) },
  ];
  const body = (id: string, element: ReactElement) => regions.push({ id, x: 0, y: 1, width: columns, height: bodyHeight, element });
  if (view.helpOpen) {
    body('help', createElement(HelpOverlay, { width: columns, height: bodyHeight, lines: helpText(view, replay) }));
    return regions;
  }
  if (view.probe && probe) {
    // A running probe's clock in whole seconds: the pane is drawn again once a second, not every frame.
    const nowMs = probe.phase === 'running' ? Math.floor(Date.now() / 1000) * 1000 : 0;
    body('probe', createElement(ProbePane, { pane: probe, scroll: view.probe.scroll, width: columns, height: bodyHeight, nowMs }));
    return regions;
  }
  if (view.layers) {
    body('layers', createElement(LayersView, { layers: model.layers, selected: view.layers.selected, width: columns, height: bodyHeight }));
    return regions;
  }
  if (view.dropPathOpen) {
    body('drop-path', createElement(DropPathView, { path: model.dropPath, ...(model.dropReasons ? { reasons: model.dropReasons } : {}), width: columns, height: bodyHeight }));
    return regions;
  }
  if (view.overview) {
    body('namespaces', createElement(NamespacesView, { view: view.overview, rows: namespaces?.rows ?? [], state: namespaces?.state, width: columns, height: bodyHeight }));
    return regions;
  }
  if (view.drill) {
    body(
      'drill',
      createElement(DrillDownView, {
        view: view.drill,
        data: drill.data,
        rows: drill.rows,
        width: columns,
        height: bodyHeight,
        refreshMs: drill.refreshMs,
        nsenter: drill.nsenter,
        ...(model.usablePorts !== undefined ? { usablePorts: model.usablePorts } : {}),
        connecting: model.connecting,
      }),
    );
    return regions;
  }
  const selectedOf = (id: string) => view.selected[id as keyof typeof view.selected] ?? 0;
  const layoutFor = (zoomed: PanelId | undefined, bodyRows = bodyHeight) => layoutPanels(
    PANELS.map((p) => {
      const focused = view.focus === p.id;
      const natural = p.naturalHeight?.(model.panels[p.id], columns, focused ? selectedOf(p.id) : undefined);
      const maxShare = focused && p.focusedShare !== undefined ? p.focusedShare : p.maxShare;
      return { ...p, ...(natural === undefined ? {} : { natural }), ...(maxShare === undefined ? {} : { maxShare }) };
    }),
    columns,
    bodyRows,
    zoomed,
  );
  let layout = layoutFor(view.zoomed ? view.focus : undefined);
  // A key that focuses a panel with no room on screen shows it alone, and says so.
  const alone = !view.zoomed && layout.hidden.includes(view.focus);
  // One row less: the line that says so goes under it.
  if (alone) layout = layoutFor(view.focus, bodyHeight - 1);
  let bottom = 1;
  for (const place of layout.placements) {
    const x = place.x;
    const y = 1 + place.y;
    const box = { width: place.width, height: place.height, focused: view.focus === place.id, selected: selectedOf(place.id), intervalMs };
    const { element, sparklines } = viewOf(place.id).render(model.panels[place.id], box);
    regions.push({ id: place.id, x, y, width: place.width, height: place.height, element });
    if (sparklines) {
      const lines = Math.min(sparklines.lines.length, place.height - sparklines.y - 1);
      if (lines > 0) regions.push({ id: `${place.id}-sparklines`, x: x + sparklines.x, y: y + sparklines.y, width: sparklines.width, height: lines, lines: sparklines.lines.slice(0, lines) });
    }
    bottom = Math.max(bottom, y + place.height);
  }
  if (alone) {
    const text = ` ${panelOf(view.focus)?.title ?? view.focus} shown alone: it has no room beside the others at ${columns}x${rows} · Tab or its key moves on`;
    regions.push({ id: 'hint', x: 0, y: height - 2, width: columns, height: 1, element: createElement(Hint, { text, width: columns }) });
  } else if (layout.hidden.length > 0 && !view.zoomed && bottom < height - 1) {
    const reach = layout.hidden.map((id) => `${panelOf(id)?.focusKey ?? 'Tab'} z ${id}`).join(' · ');
    regions.push({ id: 'hint', x: 0, y: bottom, width: columns, height: 1, element: createElement(Hint, { text: ` more on a taller terminal, or zoomed: ${reach}`, width: columns }) });
  }
  return regions;
}
