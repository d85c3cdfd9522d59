import type { PanelId } from '../panelId.js';
import type { PanelDescriptor, PanelView } from './types.js';

/**
 * How each panel is drawn: its component, loaded with the screen. Here and
 * not on the panel's descriptor, so that the flow stays one-way — a panel's
 * model knows nothing of the component that draws it, and `--json` never
 * loads Ink (~80 ms and ~14 MB).
 */
const PANEL_VIEWS: Record<PanelId, () => Promise<PanelView<never>>> = {
  alerts: () => import('../../components/AlertsPanel.js').then((m) => m.alertsView),
  sockets: () => import('../../components/SocketsPanel.js').then((m) => m.socketsView),
  counters: () => import('../../components/CountersPanel.js').then((m) => m.countersView),
  conntrack: () => import('../../components/ConntrackPanel.js').then((m) => m.conntrackView),
  socketMemory: () => import('../../components/SocketMemoryPanel.js').then((m) => m.socketMemoryView),
  nics: () => import('../../components/NicsPanel.js').then((m) => m.nicsView),
};

const loaded = new Map<PanelId, PanelView<unknown>>();

/** Loads every panel's component, once, before the screen's first frame. */
export async function loadPanelViews(panels: readonly PanelDescriptor[]): Promise<void> {
  const views = await Promise.all(panels.map((p) => PANEL_VIEWS[p.id]()));
  panels.forEach((p, i) => loaded.set(p.id, views[i] as PanelView<unknown>));
}

/** A loaded panel's view; loading them is the screen's first step. */
export function viewOf(id: PanelId): PanelView<unknown> {
  const view = loaded.get(id);
  if (!view) throw new Error(`panel ${id} drawn before loadPanelViews()`);
  return view;
}
