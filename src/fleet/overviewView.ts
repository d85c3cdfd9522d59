import type { Action } from '../keymap.js';
import { movedSelection } from '../selection.js';

/** Where the person is in the namespaces overview. */
export interface OverviewView {
  selected: number;
  filter: string;
  editingFilter: boolean;
}

export const openOverview = (): OverviewView => ({ selected: 0, filter: '', editingFilter: false });

/**
 * The overview's keys. Returns the new overview, or undefined when it
 * closes: Esc clears a kept filter first, then closes; q closes.
 */
export function reduceOverview(view: OverviewView, action: Action | 'filterChar', rowCount: number, pageSize: number, text: string): OverviewView | undefined {
  const moved = movedSelection(action, view.selected, rowCount, pageSize);
  if (moved !== undefined) return { ...view, selected: moved };
  switch (action) {
    case 'back':
      return view.filter !== '' ? { ...view, filter: '', selected: 0 } : undefined;
    case 'leave':
      return undefined;
    // The dashboard switches to the selected namespace (the caller does that): the overview closes.
    case 'enter':
      return rowCount > 0 ? undefined : view;
    case 'filter':
      return { ...view, editingFilter: true };
    case 'filterChar':
      return { ...view, filter: view.filter + text, selected: 0 };
    case 'filterBackspace':
      return { ...view, filter: view.filter.slice(0, -1), selected: 0 };
    case 'endFilter':
      return { ...view, editingFilter: false };
    case 'clearFilter':
      return { ...view, filter: '', editingFilter: false, selected: 0 };
    default:
      return view;
  }
}
