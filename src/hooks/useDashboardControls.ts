import { useInput } from 'ink';
import { useRef, useState } from 'react';
import { type Action, resolveAction } from '../keymap.js';
import { type ViewContext, type ViewState, initialViewState, reduceView, stepInterval } from '../viewState.js';

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
  viewContext: () => ViewContext;
}): { view: ViewState; intervalMs: number } {
  const [view, setView] = useState<ViewState>(initialViewState);
  const [intervalMs, setIntervalMs] = useState(options.interval.intervalMs);
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const handle = (action: Action): void => {
    const { interval, onQuit, viewContext } = optionsRef.current;
    if (action === 'quit') {
      onQuit();
      return;
    }
    if (action === 'slower' || action === 'faster') {
      interval.setIntervalMs(stepInterval(interval.intervalMs, action));
      setIntervalMs(interval.intervalMs);
      return;
    }
    const ctx = viewContext();
    setView((v) => reduceView(v, action, ctx));
  };

  useInput((input, key) => {
    // Keys typed faster than a frame (or sent by tmux) arrive as one string.
    const chunks = input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
    for (const chunk of chunks) {
      const action = resolveAction(chunk, key);
      if (action) handle(action);
    }
  });

  return { view, intervalMs };
}
