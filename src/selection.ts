import type { Action } from './keymap.js';

/**
 * Where a selection moves for the browsing keys of any list (a panel, a
 * drill-down level, the namespaces overview), kept inside `count` rows;
 * undefined when `action` is not one of them.
 */
export function movedSelection(action: Action | 'filterChar', current: number, count: number, pageSize: number): number | undefined {
  const page = Math.max(1, pageSize);
  const to =
    action === 'up' ? current - 1
    : action === 'down' ? current + 1
    : action === 'pageUp' ? current - page
    : action === 'pageDown' ? current + page
    : action === 'home' ? 0
    : action === 'end' ? count - 1
    : undefined;
  return to === undefined ? undefined : Math.min(Math.max(0, count - 1), Math.max(0, to));
}
