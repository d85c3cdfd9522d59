import type { Key } from 'ink';

/** Everything a key can ask for. The keymap below is the only place keys are named. */
export type Action =
  | 'quit'
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
  | 'focus1'
  | 'focus2'
  | 'focus3'
  | 'focus4'
  | 'focus5'
  | 'enter'
  | 'zoom'
  | 'toggleCounters';

export interface Binding {
  action: Action;
  /** Normalised key names, see `keyName`. */
  keys: string[];
  /** Short label for the footer; omitted bindings are only in the help overlay. */
  hint?: string;
  help: string;
}

export const KEYMAP: readonly Binding[] = [
  { action: 'up', keys: ['up', 'k'], hint: '↑↓/jk select', help: 'move the selection up' },
  { action: 'down', keys: ['down', 'j'], help: 'move the selection down' },
  { action: 'pageUp', keys: ['pageUp'], help: 'move the selection a page up' },
  { action: 'pageDown', keys: ['pageDown'], help: 'move the selection a page down' },
  { action: 'home', keys: ['home', 'g'], help: 'go to the first row' },
  { action: 'end', keys: ['end', 'G'], help: 'go to the last row' },
  { action: 'nextPanel', keys: ['tab'], hint: 'Tab panel', help: 'focus the next panel (selection keys act on it)' },
  { action: 'prevPanel', keys: ['shift+tab'], help: 'focus the previous panel' },
  { action: 'focus1', keys: ['1'], help: 'focus alerts' },
  { action: 'focus2', keys: ['2'], help: 'focus TCP sockets' },
  { action: 'focus3', keys: ['3'], help: 'focus kernel counters' },
  { action: 'focus4', keys: ['4'], help: 'focus conntrack' },
  { action: 'focus5', keys: ['5'], help: 'focus NICs' },
  { action: 'enter', keys: ['return', 'right', 'l'], hint: 'Enter open', help: 'open: an alert leads to its subject' },
  { action: 'zoom', keys: ['z'], hint: 'z zoom', help: 'the focused panel fills the screen (again: back)' },
  { action: 'toggleCounters', keys: ['a'], hint: 'a all counters', help: 'counters: every counter that moved / the curated set' },
  { action: 'slower', keys: ['+', '='], hint: '+/- interval', help: 'sample less often (longer interval)' },
  { action: 'faster', keys: ['-', '_'], help: 'sample more often (shorter interval)' },
  { action: 'pause', keys: ['p', 'space'], hint: 'p pause', help: 'freeze the view; sampling continues' },
  { action: 'help', keys: ['?'], hint: '? help', help: 'show or hide this help' },
  { action: 'closeOverlay', keys: ['escape'], help: 'close help, leave zoom' },
  { action: 'quit', keys: ['q', 'ctrl+c'], hint: 'q quit', help: 'quit' },
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
  return input.length === 1 ? input : undefined;
}

const byKey = new Map<string, Action>();
for (const binding of KEYMAP) for (const k of binding.keys) byKey.set(k, binding.action);

export function resolveAction(input: string, key: Key): Action | undefined {
  const name = keyName(input, key);
  return name === undefined ? undefined : byKey.get(name);
}

export function footerHints(): string[] {
  return KEYMAP.filter((b) => b.hint).map((b) => b.hint as string);
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
