import type { ReactElement } from 'react';
import type { AlertsState } from '../alerts/engine.js';
import type { AlertConfig, AlertLink } from '../alerts/types.js';
import type { PanelId } from '../panelId.js';
import type { TextBlock } from '../screen/screen.js';
import type { Store } from '../store.js';
import type { TcpState } from '../tcpState.js';

/** What a panel's model is built from, once per tick. */
export interface ModelContext {
  store: Store;
  alerts: AlertsState;
  /** Alert thresholds: a panel colours a value as the rule that watches it would judge it. */
  config: AlertConfig;
  nowMs: number;
  /** The panel's other view is on (see `alternate`). */
  alternate: boolean;
}

/** Where a panel is drawn and what the keyboard has chosen in it. */
export interface PanelBox {
  width: number;
  height: number;
  focused: boolean;
  selected: number;
  /** The sampling interval: a sparkline column is one sample. */
  intervalMs: number;
}

/** What Enter on a row opens: a socket state's drill-down, or the subject an alert links to. */
export type PanelEnter = { drill: { state: TcpState; pid?: number } } | { link: AlertLink };

/**
 * Everything the dashboard knows about one panel. The registry lists them
 * once; layout, focus keys, help, row counts and alert links are derived
 * from the list.
 */
export interface PanelDescriptor<M = unknown> {
  id: PanelId;
  /** As help says it: "focus <title>". */
  title: string;
  /** The key that focuses it. */
  focusKey: string;
  /**
   * Top panels span the width, one under the other, at their natural
   * height; below them, left and right columns side by side on a wide
   * terminal, stacked on a narrow one.
   */
  area: 'top' | 'left' | 'right';
  /** A top panel never takes more than this share of the body (but at least 3 rows). */
  maxShare?: number;
  /** While it has the keyboard it may take this share instead: the selected alert's why and commands show. */
  focusedShare?: number;
  /** Stacked on a narrow terminal, a panel without a natural height takes this share of the rows below the top. */
  stackedShare?: number;
  /** A second view of the panel behind one key (counters: every counter that moved). */
  alternate?: { key: string; hint: string; help: string };
  /** Lines the help overlay adds about this panel. */
  help?: string[];
  build(ctx: ModelContext): M;
  /** Rows the selection moves over. */
  rowCount(model: M): number;
  /** The row an alert's link points at, when the link leads here. */
  rowOfLink?(model: M, link: AlertLink): number | undefined;
  /** Rows it wants; without one, it takes what the layout gives it. */
  naturalHeight?(model: M, width: number, expanded: number | undefined): number;
  /** What Enter on `row` opens. */
  enter?(model: M, row: number): PanelEnter | undefined;
}

/**
 * A panel's element, and the sparklines the screen draws over it (relative
 * to its corner): the element's props leave the histories out, so a panel
 * whose numbers did not change is not drawn again as its sparklines scroll.
 */
export interface PanelView<M> {
  render(model: M, box: PanelBox): { element: ReactElement; sparklines?: TextBlock | undefined };
}

/** Checks a panel against its model type and files it with the others (the one place a model's type is forgotten). */
export function definePanel<M>(panel: PanelDescriptor<M>): PanelDescriptor {
  return panel as unknown as PanelDescriptor;
}
