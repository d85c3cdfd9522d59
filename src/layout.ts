import type { PanelId } from './panelId.js';
import type { PanelDescriptor } from './panels/types.js';

/** A panel's place in the body (the screen minus header and footer), its top-left corner relative to the body. */
export interface PanelPlacement {
  id: PanelId;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PanelLayout {
  placements: PanelPlacement[];
  /** Panels that did not fit at all: the screen says how to reach them. */
  hidden: PanelId[];
}

/** What the layout needs of a panel: where it goes, and the rows it wants this frame. */
export type LayoutPanel = Pick<PanelDescriptor, 'id' | 'area' | 'maxShare' | 'stackedShare'> & { natural?: number };

/** A panel smaller than this shows nothing useful: leave it out (z zooms into it). */
const MIN_PANEL_HEIGHT = 4;
/** Two columns below the top panels from this width on. */
export const TWO_COLUMN_WIDTH = 110;
/** A top panel with a share cap still gets this many rows. */
const MIN_TOP_HEIGHT = 3;

/**
 * Heights of one column of panels sharing `total` rows, top to bottom: a
 * panel with a natural height takes it (leaving the panels after it their
 * minimum), one without takes its share, the last takes what is left. A
 * panel that meets fewer than the minimum rows is left out.
 */
function fillColumn(panels: LayoutPanel[], total: number): { panel: LayoutPanel; height: number }[] {
  const out: { panel: LayoutPanel; height: number }[] = [];
  let left = total;
  panels.forEach((panel, i) => {
    if (left < MIN_PANEL_HEIGHT) return;
    const after = panels.length - i - 1;
    let height: number;
    if (after === 0) height = left;
    else if (panel.natural !== undefined) height = Math.min(left, panel.natural, Math.max(MIN_PANEL_HEIGHT, left - MIN_PANEL_HEIGHT * after));
    else height = Math.min(left, Math.max(MIN_PANEL_HEIGHT, Math.floor(total * (panel.stackedShare ?? 1 / panels.length))));
    out.push({ panel, height });
    left -= height;
  });
  return out;
}

/**
 * Where each panel goes in the body. Top panels span the width at their
 * natural height (capped by their share); below them, the left and right
 * panels side by side on a wide terminal, stacked on a narrow one. A zoomed
 * panel gets the whole body.
 */
export function layoutPanels(panels: LayoutPanel[], width: number, bodyHeight: number, zoomed?: PanelId): PanelLayout {
  if (zoomed) return { placements: [{ id: zoomed, x: 0, y: 0, width, height: bodyHeight }], hidden: [] };
  const placements: PanelPlacement[] = [];
  let y = 0;
  for (const panel of panels.filter((p) => p.area === 'top')) {
    const cap = panel.maxShare === undefined ? Number.POSITIVE_INFINITY : Math.max(MIN_TOP_HEIGHT, Math.floor(bodyHeight * panel.maxShare));
    const height = Math.min(bodyHeight - y, panel.natural ?? bodyHeight - y, cap);
    if (height <= 0) continue;
    placements.push({ id: panel.id, x: 0, y, width, height });
    y += height;
  }
  const rest = bodyHeight - y;
  const left = panels.filter((p) => p.area === 'left');
  const right = panels.filter((p) => p.area === 'right');
  const columns: { panels: LayoutPanel[]; x: number; width: number }[] = [];
  if (width >= TWO_COLUMN_WIDTH && left.length > 0 && right.length > 0) {
    const leftWidth = Math.floor(width * 0.5);
    columns.push({ panels: left, x: 0, width: leftWidth }, { panels: right, x: leftWidth, width: width - leftWidth });
  } else {
    columns.push({ panels: [...left, ...right], x: 0, width });
  }
  for (const column of columns) {
    let top = y;
    for (const { panel, height } of fillColumn(column.panels, rest)) {
      placements.push({ id: panel.id, x: column.x, y: top, width: column.width, height });
      top += height;
    }
  }
  const placed = new Set(placements.map((p) => p.id));
  return { placements, hidden: panels.filter((p) => !placed.has(p.id)).map((p) => p.id) };
}
