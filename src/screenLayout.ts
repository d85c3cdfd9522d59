import { type ReactElement, createElement } from 'react';
import { AlertsPanel, alertsPanelHeight } from '../components/AlertsPanel.js';
import { ConntrackPanel, conntrackPanelHeight, conntrackSparkline } from '../components/ConntrackPanel.js';
import { CountersPanel, counterSparklines } from '../components/CountersPanel.js';
import { DrillDownView } from '../components/DrillDownView.js';
import { Footer } from '../components/Footer.js';
import { headerLine } from '../components/Header.js';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { Hint } from '../components/Hint.js';
import { NicsPanel } from '../components/NicsPanel.js';
import { SocketsPanel, socketsPanelHeight, socketSparklines } from '../components/SocketsPanel.js';
import { TooSmall } from '../components/TooSmall.js';
import type { DashboardModel } from './dashboardModel.js';
import type { DrillData } from './drilldown/controller.js';
import type { DrillRow } from './drilldown/rows.js';
import { KEYMAP, footerHints } from './keymap.js';
import { layoutPanels } from './layout.js';
import type { Region, ScreenSize, TextBlock } from './screen/screen.js';
import { PANELS, type PanelId, type ViewState, keyMode } from './viewState.js';

export const MIN_COLUMNS = 60;
// The alerts line and the eleven socket states must fit: 1 header + 3 alerts + 15 sockets + 1 footer + 1 spare.
export const MIN_ROWS = 22;

/** The key that focuses a panel, from the keymap (focus1..focus5 follow PANELS). */
const focusKey = (id: PanelId): string => KEYMAP.find((b) => b.action === `focus${PANELS.indexOf(id) + 1}`)?.keys[0] ?? 'Tab';

export interface ScreenInputs {
  size: ScreenSize;
  view: ViewState;
  model: DashboardModel;
  intervalMs: number;
  /** How long no sample has arrived, worded, once that is longer than it should be. */
  staleFor?: string;
  drill: { data: DrillData | undefined; rows: DrillRow[]; refreshMs: number; nsenter: string };
}

/**
 * A panel's element, and the sparklines the screen draws over it: the
 * element's props leave out the histories, so a panel whose numbers did not
 * change is not drawn again as its sparklines scroll.
 */
function panelParts(id: PanelId, model: DashboardModel, view: ViewState, width: number, height: number): { element: ReactElement; sparklines?: TextBlock | undefined } {
  const common = { width, height, focused: view.focus === id, selected: view.selected[id] };
  switch (id) {
    case 'alerts':
      return { element: createElement(AlertsPanel, { model: model.alerts, ...common }) };
    case 'sockets': {
      const { histories: _h, ...table } = model.sockets;
      return { element: createElement(SocketsPanel, { model: table, ...common }), sparklines: socketSparklines(model.sockets, width) };
    }
    case 'counters': {
      const { histories: _h, ...table } = model.counters;
      return { element: createElement(CountersPanel, { model: table, ...common }), sparklines: counterSparklines(model.counters, width, height, common.selected) };
    }
    case 'conntrack': {
      const { fillHistory: _h, ...table } = model.conntrack;
      return { element: createElement(ConntrackPanel, { model: table, ...common }), sparklines: conntrackSparkline(model.conntrack, width) };
    }
    case 'nics':
      return { element: createElement(NicsPanel, { model: model.nics, ...common }) };
  }
}

/**
 * Where everything goes: the header on the first row, the footer on the
 * last but one (the last stays free), and between them the panels — or the
 * help, or a drill-down, over the whole body. Each becomes a region the
 * screen draws only when it changed.
 */
export function composeScreen({ size, view, model, intervalMs, staleFor, drill }: ScreenInputs): Region[] {
  const { columns, rows } = size;
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return [{ id: 'too-small', x: 0, y: 0, width: columns, height: Math.max(1, rows - 1), element: createElement(TooSmall, { columns, rows, needColumns: MIN_COLUMNS, needRows: MIN_ROWS }) }];
  }
  const height = rows - 1;
  const bodyHeight = height - 2;
  const { critical, warning } = model.alerts;
  const regions: Region[] = [
    {
      id: 'header',
      x: 0,
      y: 0,
      width: columns,
      height: 1,
      lines: [headerLine({ model: { ...model.header, intervalMs }, paused: view.paused, width: columns, critical, warning, ...(staleFor ? { staleFor } : {}) })],
    },
    { id: 'footer', x: 0, y: height - 1, width: columns, height: 1, element: createElement(Footer, { hints: footerHints(keyMode(view)), width: columns }) },
  ];
  const body = (id: string, element: ReactElement) => regions.push({ id, x: 0, y: 1, width: columns, height: bodyHeight, element });
  if (view.helpOpen) {
    body('help', createElement(HelpOverlay, { width: columns, height: bodyHeight, mode: keyMode(view) }));
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
        ...(model.sockets.portRange ? { usablePorts: model.sockets.portRange.usable } : {}),
      }),
    );
    return regions;
  }
  const layout = layoutPanels(
    columns,
    bodyHeight,
    {
      alerts: alertsPanelHeight(model.alerts, view.focus === 'alerts' ? view.selected.alerts : undefined, columns),
      sockets: socketsPanelHeight(model.sockets),
      conntrack: conntrackPanelHeight(model.conntrack),
    },
    view.zoomed ? view.focus : undefined,
  );
  let y = 1;
  const place = (id: PanelId, x: number, top: number): number => {
    const box = layout[id];
    if (!box) return 0;
    const { element, sparklines } = panelParts(id, model, view, box.width, box.height);
    regions.push({ id, x, y: top, width: box.width, height: box.height, element });
    if (sparklines) {
      const height = Math.min(sparklines.lines.length, box.height - sparklines.y - 1);
      if (height > 0) regions.push({ id: `${id}-sparklines`, x: x + sparklines.x, y: top + sparklines.y, width: sparklines.width, height, lines: sparklines.lines.slice(0, height) });
    }
    return box.height;
  };
  if (!view.zoomed) {
    y += place('alerts', 0, y);
    y += place('sockets', 0, y);
  }
  const [left, right] = layout.columns;
  const below = left.filter((id) => id !== 'sockets' || view.zoomed);
  let leftBottom = y;
  for (const id of below) leftBottom += place(id, 0, leftBottom);
  let rightBottom = y;
  const rightX = below.reduce((w, id) => Math.max(w, layout[id]?.width ?? 0), 0);
  for (const id of right) rightBottom += place(id, rightX, rightBottom);
  const hintY = Math.max(leftBottom, rightBottom);
  if (layout.hidden && !view.zoomed && hintY < height - 1) {
    const text = ` more on a taller terminal, or zoomed: ${layout.hidden.map((id) => `${focusKey(id)} z ${id}`).join(' · ')}`;
    regions.push({ id: 'hint', x: 0, y: hintY, width: columns, height: 1, element: createElement(Hint, { text, width: columns }) });
  }
  return regions;
}
