import type { TcpState } from '../tcpState.js';
import { type DrillLevel, OWNER_SORTS, type OwnerSort, SOCKET_SORTS, type SocketSort } from './rows.js';

export interface DrillFrame {
  level: DrillLevel;
  selected: number;
  filter: string;
}

/** Where the user is inside a drill-down: a stack of levels, each with its selection and filter. */
export interface DrillView {
  state: TcpState;
  stack: DrillFrame[];
  editingFilter: boolean;
  sort: OwnerSort;
  /** How a process's sockets are sorted when their TCP health is known. */
  socketSort: SocketSort;
  showCmdline: boolean;
}

/** How deep a drill-down opens: at one process's or one destination's sockets. */
export interface DrillSubject {
  pid?: number;
  name?: string;
  destination?: string;
}

/**
 * Opens a state: by owner, or by destination for TIME-WAIT, which no
 * process owns — and, as the one rule of where an alert leads, straight at
 * the sockets of the process or destination it names, with the level above
 * one Esc away.
 */
export function openDrill(state: TcpState, subject: DrillSubject = {}): DrillView {
  const first: DrillLevel = state === 'TIME-WAIT' ? { kind: 'destinations' } : { kind: 'owners' };
  const stack: DrillFrame[] = [{ level: first, selected: 0, filter: '' }];
  const at = (level: DrillLevel) => stack.push({ level, selected: 0, filter: '' });
  if (subject.pid !== undefined && first.kind === 'owners') at({ kind: 'sockets', pid: subject.pid, ...(subject.name ? { name: subject.name } : {}) });
  else if (subject.destination !== undefined && first.kind === 'destinations') at({ kind: 'sockets', destination: subject.destination });
  return { state, stack, editingFilter: false, sort: 'sockets', socketSort: 'worst', showCmdline: false };
}

export function topFrame(drill: DrillView): DrillFrame {
  return drill.stack[drill.stack.length - 1] ?? { level: { kind: 'owners' }, selected: 0, filter: '' };
}

function withTop(drill: DrillView, change: Partial<DrillFrame>): DrillView {
  const stack = [...drill.stack];
  stack[stack.length - 1] = { ...topFrame(drill), ...change };
  return { ...drill, stack };
}

export function drillSelect(drill: DrillView, index: number, rowCount: number): DrillView {
  return withTop(drill, { selected: Math.min(Math.max(0, rowCount - 1), Math.max(0, index)) });
}

export function drillEnter(drill: DrillView, next: DrillLevel | undefined): DrillView {
  if (!next) return drill;
  return { ...drill, editingFilter: false, stack: [...drill.stack, { level: next, selected: 0, filter: '' }] };
}

/** One level up; undefined when already at the top (the drill-down closes). */
export function drillBack(drill: DrillView): DrillView | undefined {
  if (drill.stack.length <= 1) return undefined;
  return { ...drill, editingFilter: false, stack: drill.stack.slice(0, -1) };
}

export function drillFilter(drill: DrillView, filter: string, editing: boolean): DrillView {
  return { ...withTop(drill, { filter, selected: 0 }), editingFilter: editing };
}

/** `s`: the next sort of the level on screen (owners, or a process's sockets). */
export function drillCycleSort(drill: DrillView): DrillView {
  if (topFrame(drill).level.kind === 'sockets') {
    const socketSort = SOCKET_SORTS[(SOCKET_SORTS.indexOf(drill.socketSort) + 1) % SOCKET_SORTS.length] ?? 'worst';
    return withTop({ ...drill, socketSort }, { selected: 0 });
  }
  const next = OWNER_SORTS[(OWNER_SORTS.indexOf(drill.sort) + 1) % OWNER_SORTS.length] ?? 'sockets';
  return withTop({ ...drill, sort: next }, { selected: 0 });
}
