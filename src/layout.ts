import type { PanelId } from './viewState.js';

export interface PanelBox {
  width: number;
  height: number;
}

export type PanelLayout = Partial<Record<PanelId, PanelBox>> & {
  /** Side by side below the socket panel: [left panel ids, right panel ids]. */
  columns: [PanelId[], PanelId[]];
  /** Panels that did not fit at all: the screen says how to reach them. */
  hidden?: PanelId[];
};

/** A panel smaller than this shows nothing useful: leave it out (z zooms into it). */
const MIN_PANEL_HEIGHT = 4;
/** Two columns below the socket panel from this width on. */
export const TWO_COLUMN_WIDTH = 110;

/**
 * Where each panel goes in the body (the screen minus header and footer).
 * The socket panel keeps its natural height on top; below it, counters on
 * the left and conntrack over NICs on the right on a wide terminal, stacked
 * on a narrow one. A zoomed panel gets the whole body.
 */
export function layoutPanels(
  width: number,
  bodyHeight: number,
  natural: { alerts: number; sockets: number; conntrack: number },
  zoomed?: PanelId,
): PanelLayout {
  if (zoomed) return { [zoomed]: { width, height: bodyHeight }, columns: [[zoomed], []] } as PanelLayout;
  const layout: PanelLayout = { columns: [['sockets'], []] };
  // Alerts first: never more than a third of the body, never less than one line.
  const alertsHeight = Math.min(natural.alerts, Math.max(3, Math.floor(bodyHeight / 3)));
  layout.alerts = { width, height: alertsHeight };
  const socketsHeight = Math.min(bodyHeight - alertsHeight, natural.sockets);
  layout.sockets = { width, height: socketsHeight };
  const rest = bodyHeight - alertsHeight - socketsHeight;
  if (rest < MIN_PANEL_HEIGHT) return { ...layout, hidden: ['counters', 'conntrack', 'nics'] };
  if (width >= TWO_COLUMN_WIDTH) {
    const left = Math.floor(width * 0.5);
    const right = width - left;
    layout.counters = { width: left, height: rest };
    const conntrackHeight = Math.min(natural.conntrack, Math.max(MIN_PANEL_HEIGHT, rest - MIN_PANEL_HEIGHT));
    layout.conntrack = { width: right, height: Math.min(rest, conntrackHeight) };
    if (rest - conntrackHeight >= MIN_PANEL_HEIGHT) layout.nics = { width: right, height: rest - conntrackHeight };
    layout.columns = [['counters'], layout.nics ? ['conntrack', 'nics'] : ['conntrack']];
    return layout;
  }
  // Stacked: counters get the larger share, conntrack what it needs, NICs the rest.
  const stacked: PanelId[] = [];
  let left = rest;
  const countersHeight = Math.max(MIN_PANEL_HEIGHT, Math.floor(rest * 0.45));
  if (left >= MIN_PANEL_HEIGHT) {
    layout.counters = { width, height: Math.min(left, countersHeight) };
    left -= layout.counters.height;
    stacked.push('counters');
  }
  if (left >= MIN_PANEL_HEIGHT) {
    layout.conntrack = { width, height: Math.min(left, natural.conntrack, Math.max(MIN_PANEL_HEIGHT, left - MIN_PANEL_HEIGHT)) };
    left -= layout.conntrack.height;
    stacked.push('conntrack');
  }
  if (left >= MIN_PANEL_HEIGHT) {
    layout.nics = { width, height: left };
    stacked.push('nics');
  }
  layout.columns = [stacked, []];
  const hidden = (['counters', 'conntrack', 'nics'] as const).filter((id) => !layout[id]);
  return hidden.length > 0 ? { ...layout, hidden: [...hidden] } : layout;
}
