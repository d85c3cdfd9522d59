import type { PanelId } from '../panelId.js';
import type { PanelDescriptor, PanelView } from './types.js';

const loaded = new Map<PanelId, PanelView<unknown>>();

/**
 * Loads every panel's component. Components bring Ink and its layout engine
 * (~80 ms and ~14 MB to load), which `--json` never needs: the screen loads
 * them once, before its first frame.
 */
export async function loadPanelViews(panels: readonly PanelDescriptor[]): Promise<void> {
  const views = await Promise.all(panels.map((p) => p.view()));
  panels.forEach((p, i) => loaded.set(p.id, views[i] as PanelView<unknown>));
}

/** A loaded panel's view; loading them is the screen's first step. */
export function viewOf(id: PanelId): PanelView<unknown> {
  const view = loaded.get(id);
  if (!view) throw new Error(`panel ${id} drawn before loadPanelViews()`);
  return view;
}
