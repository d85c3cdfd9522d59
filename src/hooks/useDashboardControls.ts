import { useInput } from 'ink';
import { useRef, useState } from 'react';
import { type Action, keyChunks, resolveAction } from '../keymap.js';
import { PANELS } from '../registry.js';
import { type ViewContext, type ViewState, initialViewState, keyMode, reduceView, stepInterval } from '../viewState.js';
import { type Target, targetLabel } from '../target.js';
import type { ActionId } from '../actions/plans.js';
import type { ProbeControls } from './useProbes.js';

/** The socket states are what the dashboard is for: they have the keyboard first. */
const FIRST_FOCUS = PANELS.find((p) => p.id === 'sockets')?.id ?? PANELS[0]?.id ?? 'sockets';

export interface IntervalControl {
  readonly intervalMs: number;
  setIntervalMs(ms: number): void;
}

/**
 * The single keyboard handler: every key goes through the keymap to an
 * action, and every action ends here — view changes in the reducer, the
 * interval in the scheduler, quit in the caller.
 */
export function useDashboardControls(options: {
  interval: IntervalControl;
  onQuit: () => void;
  /** What the keys act on; undefined before the first frame (keys then wait for it). */
  viewContext: () => ViewContext | undefined;
  /** Switching the dashboard between namespaces: Enter in the overview, Esc back home. */
  watch?: { onWatch: (target: Target) => void; target: Target; home: Target };
  /** `w`: writes the recent samples; returns what to say (where they went, or why not). */
  onWriteRecent?: () => string;
  /** `b`: makes an incident bundle; says what it is doing, then where it went. */
  onBundle?: () => Promise<string>;
  /** A replay's controls: its keys come before the dashboard's. */
  replay?: ReplayControls;
  /** The probe pane: P C R H L X open it on the selected row's peer. */
  probes?: ProbeControls;
}): { view: ViewState; intervalMs: number; notice?: string } {
  const [view, setView] = useState<ViewState>(() => initialViewState(FIRST_FOCUS));
  const [intervalMs, setIntervalMs] = useState(options.interval.intervalMs);
  const [notice, setNotice] = useState<{ text: string; untilMs: number } | undefined>(undefined);
  const bundling = useRef(false);
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const viewRef = useRef(view);
  viewRef.current = view;

  const handle = (action: Action | 'filterChar', text = ''): void => {
    const { interval, onQuit, viewContext, watch, onWriteRecent, onBundle, replay } = optionsRef.current;
    const replayAction = replay && REPLAY_ACTIONS[action as keyof typeof REPLAY_ACTIONS];
    if (replay && replayAction) {
      replay[replayAction]();
      return;
    }
    const current = viewRef.current;
    // q leaves what is open (help, a drill-down, the overview) and quits only from the bare dashboard; Ctrl-C always quits.
    if (action === 'quit' || (action === 'leave' && !current.helpOpen && !current.dropPathOpen && !current.layers && !current.drill && !current.overview)) {
      onQuit();
      return;
    }
    if (action === 'slower' || action === 'faster') {
      interval.setIntervalMs(stepInterval(interval.intervalMs, action));
      setIntervalMs(interval.intervalMs);
      return;
    }
    if (action === 'writeRecent') {
      if (onWriteRecent) setNotice({ text: onWriteRecent(), untilMs: Date.now() + NOTICE_MS });
      return;
    }
    if (action === 'bundle') {
      if (!onBundle || bundling.current) return;
      bundling.current = true;
      setNotice({ text: 'bundle: taking the snapshots (ss, nstat, conntrack, ip, iptables, nft, sysctl)…', untilMs: Date.now() + 60_000 });
      void onBundle().then((text) => {
        bundling.current = false;
        setNotice({ text, untilMs: Date.now() + NOTICE_MS });
      });
      return;
    }
    const ctx = viewContext();
    if (!ctx) return;
    const { probes } = optionsRef.current;
    if (action.startsWith('act:')) {
      const subject = ctx.actionSubject(current);
      if (!probes) return;
      if (!subject) {
        setNotice({ text: 'the selected row names no peer: select a socket, a destination or an alert that names an address', untilMs: Date.now() + NOTICE_MS });
        return;
      }
      probes.open(action.slice('act:'.length) as ActionId, subject);
      viewRef.current = { ...current, helpOpen: false, probe: { scroll: 0 } };
      setView(viewRef.current);
      return;
    }
    if (keyMode(current) === 'action' && (action === 'confirm' || action === 'back')) {
      if (action === 'confirm') probes?.confirm();
      else if (!probes || probes.stopOrClose()) {
        const { probe: _closed, ...rest } = current;
        viewRef.current = rest;
        setView(rest);
      }
      return;
    }
    if (watch && keyMode(current) === 'dashboard' && action === 'enter') {
      const to = ctx.enter(current.focus, current.selected[current.focus] ?? 0);
      if (to && 'watch' in to) watch.onWatch(to.watch);
    }
    if (watch && keyMode(current) === 'namespaces' && action === 'enter' && current.overview) {
      const to = ctx.overviewTarget(current.overview.selected);
      if (to) watch.onWatch(to);
    }
    // Esc on a bare dashboard watching another namespace: back to where nettriage started.
    const bare = !current.helpOpen && !current.dropPathOpen && !current.layers && !current.zoomed && !current.drill && !current.overview;
    if (watch && action === 'closeOverlay' && bare && targetLabel(watch.target) !== targetLabel(watch.home)) {
      watch.onWatch(watch.home);
      return;
    }
    // Reduce against the latest state synchronously: several keys can arrive in one chunk.
    viewRef.current = reduceView(viewRef.current, action, ctx, text);
    setView(viewRef.current);
  };

  useInput((input, key) => {
    for (const chunk of keyChunks(input, key)) {
      const mode = keyMode(viewRef.current);
      const action = resolveAction(chunk, key, mode, optionsRef.current.replay !== undefined);
      if (action) handle(action);
      // While typing a filter, every printable character is text.
      else if (mode === 'filter' && chunk.length === 1 && chunk >= ' ' && !key.ctrl && !key.meta) handle('filterChar', chunk);
    }
  });

  // Said in the footer until the next frame after NOTICE_MS (a frame comes every tick).
  const shown = notice && Date.now() < notice.untilMs ? notice.text : undefined;
  return { view, intervalMs, ...(shown ? { notice: shown } : {}) };
}

const NOTICE_MS = 10_000;

/** What a replay's keys ask of it. */
export interface ReplayControls {
  togglePause(): void;
  stepBack(): void;
  stepForward(): void;
  slower(): void;
  faster(): void;
  toStart(): void;
  toEnd(): void;
}

const REPLAY_ACTIONS = {
  replayPause: 'togglePause',
  replayBack: 'stepBack',
  replayForward: 'stepForward',
  replaySlower: 'slower',
  replayFaster: 'faster',
  replayStart: 'toStart',
  replayEnd: 'toEnd',
} as const satisfies Partial<Record<Action, keyof ReplayControls>>;
