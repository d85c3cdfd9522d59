import type { Key } from 'ink';
import type { PanelId } from './panelId.js';
import { PANELS } from './registry.js';
import { ACTION_IDS, type ActionId } from './actions/plans.js';

/** Everything a key can ask for. The keymap below is the only place keys are named. */
export type Action =
  | 'quit'
  | 'leave'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'help'
  | 'closeOverlay'
  | 'pause'
  | 'slower'
  | 'faster'
  | 'nextPanel'
  | 'prevPanel'
  | `focus:${PanelId}`
  | `alternate:${PanelId}`
  | 'enter'
  | 'back'
  | 'zoom'
  | 'filter'
  | 'sort'
  | 'cmdline'
  | 'endFilter'
  | 'clearFilter'
  | 'filterBackspace'
  | 'namespaces'
  | 'writeRecent'
  | 'bundle'
  | 'dropPath'
  | 'layers'
  | `act:${ActionId}`
  | 'confirm'
  | 'replayPause'
  | 'replayBack'
  | 'replayForward'
  | 'replaySlower'
  | 'replayFaster'
  | 'replayStart'
  | 'replayEnd'
  | 'refresh';

/**
 * The dashboard of panels; a drill-down; the namespaces overview; typing a
 * filter (of either list); the drop path over the dashboard (`drops`: the
 * panels' keys would act on panels out of sight); the triage checklist
 * (`layers`). `replay` holds the keys
 * that, on the dashboard of a replay, drive the replay before the
 * dashboard's own. `fleet` is `nettriage fleet`'s list.
 */
export type KeyMode = 'dashboard' | 'drill' | 'namespaces' | 'filter' | 'drops' | 'layers' | 'action' | 'replay' | 'fleet';

export interface Binding {
  action: Action;
  /** Normalised key names, see `keyName`. */
  keys: string[];
  modes: KeyMode[];
  /** Short label for the footer; omitted bindings are only in the help overlay. */
  hint?: string;
  /** The footer offers it only where it does something. */
  offeredWhen?: (where: KeyContext) => boolean;
  help: string;
}

const BROWSE: KeyMode[] = ['dashboard', 'drill', 'namespaces', 'layers'];
/** The full-screen lists: a drill-down, the namespaces overview. */
const LISTS: KeyMode[] = ['drill', 'namespaces'];
/** Every screen that keeps sampling on view: what pauses it, paces it, helps. */
const VIEWS: KeyMode[] = [...BROWSE, 'drops'];
/** Where the selection moves: the browsing screens and the fleet's list. */
const SELECTING: KeyMode[] = [...BROWSE, 'fleet'];

/** What decides whether a key does anything where the user is. */
export interface KeyContext {
  /** Enter on the selected row leads somewhere. */
  canEnter: boolean;
  /** The drill-down level on screen: sort and command lines are the owners'. */
  drillLevel?: 'owners' | 'destinations' | 'sockets';
  /** A process's sockets with their TCP health on screen: they sort. */
  socketHealth?: boolean;
  /** The selected row names a peer: the probe keys aim at it. */
  actionSubject?: boolean;
  /** The action pane waits for y before it sends anything. */
  confirming?: boolean;
  /** The fleet shows what to run on the selected row. */
  detailOpen?: boolean;
}

const atOwners = (where: KeyContext) => where.drillLevel === 'owners';
const sortable = (where: KeyContext) => where.drillLevel === 'owners' || (where.drillLevel === 'sockets' && where.socketHealth === true);

/** The probe keys: uppercase, so that none of them is a key a panel or list already has. */
export const ACTION_KEYS: Record<ActionId, { key: string; help: string }> = {
  path: { key: 'P', help: 'the path to the peer: mtr --report (else tracepath, else ping), asked first' },
  connect: { key: 'C', help: 'a TCP connect test to the peer\'s port, with its time (nc -zv)' },
  dns: { key: 'R', help: 'the name behind the peer\'s address and whether it points back, asked of the namespace\'s nameserver (dig -x, then dig NAME)' },
  http: { key: 'H', help: 'an HTTP request to the peer, phase by phase: DNS, connect, TLS, first byte, total (curl -w), the URL asked first' },
  tls: { key: 'L', help: 'the peer\'s TLS: protocol, cipher, subject, issuer, expiry, verify result (openssl s_client)' },
  capture: { key: 'X', help: 'capture the connection\'s packets (tcpdump, 50 packets or 10 s)' },
};
const hasSubject = (where: KeyContext) => where.actionSubject === true;
const actionBindings: Binding[] = ACTION_IDS.map((id, i) => ({
  action: `act:${id}` as const,
  keys: [ACTION_KEYS[id].key],
  modes: ['dashboard', 'drill'] as KeyMode[],
  ...(i === 0 ? { hint: 'P C R H L X probe' } : {}),
  offeredWhen: hasSubject,
  help: `on a row that names a peer (a socket, a destination, an alert): ${ACTION_KEYS[id].help}; runs inside the watched namespace, bounded, Esc stops it`,
}));

/** Each panel's focus key, and the key of its other view, from the panel registry. */
const focusBindings: Binding[] = PANELS.map((p) => ({ action: `focus:${p.id}` as const, keys: [p.focusKey], modes: ['dashboard'], help: `focus ${p.title}` }));
const alternateBindings: Binding[] = PANELS.flatMap((p) =>
  p.alternate ? [{ action: `alternate:${p.id}` as const, keys: [p.alternate.key], modes: ['dashboard'] as KeyMode[], hint: p.alternate.hint, help: p.alternate.help }] : [],
);

export const KEYMAP: readonly Binding[] = [
  { action: 'replayPause', keys: ['space', 'p'], modes: ['replay'], hint: 'Space play/pause', help: 'replay: pause or play on' },
  { action: 'replayBack', keys: ['left'], modes: ['replay'], hint: '←→ step', help: 'replay: one sample back (pauses)' },
  { action: 'replayForward', keys: ['right'], modes: ['replay'], help: 'replay: one sample on (pauses)' },
  { action: 'replaySlower', keys: ['['], modes: ['replay'], hint: '[ ] speed', help: 'replay: half the speed' },
  { action: 'replayFaster', keys: [']'], modes: ['replay'], help: 'replay: twice the speed' },
  { action: 'replayStart', keys: ['g'], modes: ['replay'], hint: 'g G start/end', help: 'replay: the first sample' },
  { action: 'replayEnd', keys: ['G'], modes: ['replay'], help: 'replay: the last sample' },
  { action: 'up', keys: ['up', 'k'], modes: SELECTING, hint: '↑↓ select', help: 'move the selection up' },
  { action: 'down', keys: ['down', 'j'], modes: SELECTING, help: 'move the selection down' },
  { action: 'pageUp', keys: ['pageUp'], modes: SELECTING, help: 'a page up' },
  { action: 'pageDown', keys: ['pageDown'], modes: SELECTING, help: 'a page down' },
  { action: 'home', keys: ['home', 'g'], modes: SELECTING, help: 'first row' },
  { action: 'end', keys: ['end', 'G'], modes: SELECTING, help: 'last row' },
  { action: 'enter', keys: ['return', 'right', 'l'], modes: SELECTING, hint: 'Enter open', offeredWhen: (where) => where.canEnter, help: 'open: a state to its owners, an owner to its sockets, an alert to its subject, a namespace on the dashboard' },
  { action: 'back', keys: ['escape', 'left', 'h', 'backspace'], modes: LISTS, hint: 'Esc back', help: 'close the innermost: help, then the filter, then this level' },
  { action: 'back', keys: ['escape', 'left', 'h', 'backspace'], modes: ['layers'], hint: 'Esc back', help: 'close the checklist' },
  { action: 'filter', keys: ['/'], modes: LISTS, hint: '/ filter', help: 'filter the list (Enter keeps it, Esc clears it)' },
  { action: 'sort', keys: ['s'], modes: ['drill'], hint: 's sort', offeredWhen: sortable, help: "owners: sort by sockets, CPU, RSS, fds, pid; a process's sockets: worst TCP health, RTT, retransmits, cwnd, peer" },
  { action: 'cmdline', keys: ['c'], modes: ['drill'], hint: 'c cmdline', offeredWhen: atOwners, help: 'owners: full command line instead of the name' },
  { action: 'nextPanel', keys: ['tab'], modes: ['dashboard'], hint: 'Tab panel', help: 'focus the next panel (selection keys act on it)' },
  { action: 'prevPanel', keys: ['shift+tab'], modes: ['dashboard'], help: 'focus the previous panel' },
  ...focusBindings,
  { action: 'zoom', keys: ['z'], modes: ['dashboard'], hint: 'z zoom', help: 'the focused panel fills the screen (again: back)' },
  ...alternateBindings,
  { action: 'namespaces', keys: ['n'], modes: ['dashboard'], hint: 'n namespaces', help: 'every network namespace of the host, worst first' },
  { action: 'layers', keys: ['t'], modes: ['dashboard', 'layers'], hint: 't triage', help: 'the triage checklist, bottom-up: link, route, sockets, application — each ✓ or what is broken and the next command; Enter opens a layer (again or Esc: back)' },
  { action: 'dropPath', keys: ['d'], modes: ['dashboard', 'drops'], hint: 'd drops', help: 'where packets die: the drop path from NIC to socket and back out, layer by layer (again or Esc: back)' },
  { action: 'writeRecent', keys: ['w'], modes: ['dashboard', 'drops'], help: 'write the last 15 minutes of samples to ./nettriage-TARGET-TIME.ndjson (a recording --replay reads)' },
  { action: 'bundle', keys: ['b'], modes: ['dashboard', 'drill', 'drops'], help: 'incident bundle of the watched namespace: ./nettriage-bundle-TARGET-TIME.tar.gz (snapshots, the last 15 minutes, a manifest; with --bundle-capture, the selected socket\'s packets)' },
  { action: 'closeOverlay', keys: ['escape'], modes: ['dashboard', 'drops'], help: 'close help, leave zoom; watching another namespace: back to the first' },
  { action: 'slower', keys: ['+', '='], modes: VIEWS, hint: '+/- interval', help: 'sample less often (longer interval)' },
  { action: 'faster', keys: ['-', '_'], modes: VIEWS, help: 'sample more often (shorter interval)' },
  { action: 'pause', keys: ['p', 'space'], modes: VIEWS, hint: 'p pause', help: 'freeze the view; sampling continues' },
  { action: 'help', keys: ['?'], modes: VIEWS, hint: '? help', help: 'show or hide this help' },
  { action: 'leave', keys: ['q'], modes: ['dashboard'], hint: 'q quit', help: 'quit (with help open: close it)' },
  { action: 'leave', keys: ['q'], modes: [...LISTS, 'drops', 'layers'], hint: 'q dashboard', help: 'back to the dashboard (with help open: close it)' },
  { action: 'quit', keys: ['ctrl+c'], modes: ['dashboard', 'drill', 'namespaces', 'filter', 'drops', 'layers'], help: 'quit, also while typing a filter' },
  ...actionBindings,
  { action: 'confirm', keys: ['y'], modes: ['action'], hint: 'y send', offeredWhen: (where) => where.confirming === true, help: 'the probe pane: send what it asks about' },
  { action: 'up', keys: ['up', 'k'], modes: ['action'], hint: '↑↓ scroll', help: 'the probe pane: scroll its output' },
  { action: 'down', keys: ['down', 'j'], modes: ['action'], help: 'the probe pane: scroll its output' },
  { action: 'pageUp', keys: ['pageUp'], modes: ['action'], help: 'the probe pane: a page up' },
  { action: 'pageDown', keys: ['pageDown', 'space'], modes: ['action'], help: 'the probe pane: a page down' },
  { action: 'back', keys: ['escape', 'q', 'left', 'backspace'], modes: ['action'], hint: 'Esc stop/close', help: 'the probe pane: stop what runs, or close it (its output is kept for the next bundle)' },
  { action: 'quit', keys: ['ctrl+c'], modes: ['action'], help: 'quit' },
  { action: 'filter', keys: ['/'], modes: ['fleet'], hint: '/ filter', help: 'fleet: filter by node, namespace, pod or alert (Enter keeps it, Esc clears it)' },
  { action: 'back', keys: ['escape', 'left', 'h', 'backspace'], modes: ['fleet'], hint: 'Esc back', offeredWhen: (where) => where.detailOpen === true, help: 'fleet: close what to run' },
  { action: 'refresh', keys: ['r'], modes: ['fleet'], hint: 'r refresh', help: 'fleet: ask Prometheus again now' },
  { action: 'quit', keys: ['q', 'ctrl+c'], modes: ['fleet'], hint: 'q quit', help: 'quit' },
  { action: 'endFilter', keys: ['return'], modes: ['filter'], hint: 'Enter keep filter', help: 'keep the filter and go back to the list' },
  { action: 'clearFilter', keys: ['escape'], modes: ['filter'], hint: 'Esc clear', help: 'clear the filter' },
  { action: 'filterBackspace', keys: ['backspace'], modes: ['filter'], help: 'delete the last character' },
];

/** Ink's (input, key) pair as one name: `up`, `escape`, `ctrl+c`, `space`, `q`. */
export function keyName(input: string, key: Key): string | undefined {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageUp';
  if (key.pageDown) return 'pageDown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'return';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  // Control characters that arrive inside a multi-key chunk, split by the caller.
  if (input === '\r' || input === '\n') return 'return';
  if (input === '\t') return 'tab';
  if (input === '\x7f' || input === '\b') return 'backspace';
  return input.length === 1 ? input : undefined;
}

/**
 * Keys typed faster than a frame (or sent by tmux) arrive as one string:
 * each is read on its own, in order. Two Escs in one chunk (a quick double
 * tap) come as Escape with input ESC: two of them.
 */
export function keyChunks(input: string, key: Key): string[] {
  const chunks = input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
  if (key.escape && input === '\x1b') chunks.push(input);
  return chunks;
}

const byMode = new Map<KeyMode, Map<string, Action>>();
for (const binding of KEYMAP) {
  for (const mode of binding.modes) {
    let map = byMode.get(mode);
    if (!map) {
      map = new Map();
      byMode.set(mode, map);
    }
    for (const k of binding.keys) if (!map.has(k)) map.set(k, binding.action);
  }
}

export function resolveAction(input: string, key: Key, mode: KeyMode = 'dashboard', replay = false): Action | undefined {
  const name = keyName(input, key);
  if (name === undefined) return undefined;
  return (replay && mode === 'dashboard' ? byMode.get('replay')?.get(name) : undefined) ?? byMode.get(mode)?.get(name);
}

/** The footer: the keys of the mode that do something here. Without a context, all of them. */
export function footerHints(mode: KeyMode = 'dashboard', where?: KeyContext, replay = false): string[] {
  const offered = (m: KeyMode) => KEYMAP.filter((b) => b.hint && b.modes.includes(m) && (!where || !b.offeredWhen || b.offeredWhen(where)));
  if (!(replay && mode === 'dashboard')) return offered(mode).map((b) => b.hint as string);
  // The replay's keys first; the dashboard's that they take over (p pause) are not offered twice.
  const taken = new Set(offered('replay').flatMap((b) => b.keys));
  return [...offered('replay'), ...offered('dashboard').filter((b) => !b.keys.some((k) => taken.has(k)) && b.action !== 'slower' && b.action !== 'writeRecent' && b.action !== 'bundle' && b.action !== 'namespaces')].map((b) => b.hint as string);
}

/** Names as a user types them: `up` -> `↑`, `ctrl+c` -> `Ctrl-C`. */
export function displayKey(name: string): string {
  const names: Record<string, string> = {
    up: '↑',
    down: '↓',
    left: '←',
    right: '→',
    pageUp: 'PgUp',
    pageDown: 'PgDn',
    home: 'Home',
    end: 'End',
    escape: 'Esc',
    return: 'Enter',
    space: 'Space',
    backspace: 'Backspace',
    tab: 'Tab',
    'shift+tab': 'Shift-Tab',
    'ctrl+c': 'Ctrl-C',
  };
  return names[name] ?? name;
}

/** The help overlay's lines for a mode: each binding's keys and what they do. */
export function helpLines(mode: KeyMode, replay = false): string[] {
  const modes: KeyMode[] = replay && mode === 'dashboard' ? ['replay', 'dashboard'] : [mode];
  return KEYMAP.filter((b) => b.modes.some((m) => modes.includes(m))).map((b) => `${b.keys.map(displayKey).join(' / ').padEnd(18)} ${b.help}`);
}
