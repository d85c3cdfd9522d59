import { writeSync } from 'node:fs';

const ENTER_ALT_SCREEN = '\x1b[?1049h';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const CLEAR = '\x1b[2J\x1b[H';
const SHOW_CURSOR = '\x1b[?25h';
const HIDE_CURSOR = '\x1b[?25l';

export interface TerminalSession {
  /** Leaves the alternate screen and shows the cursor; safe to call twice. */
  restore(): void;
}

/**
 * Ink 6 has no alternate-screen option: we enter it ourselves and leave it on
 * every way out — normal exit, q, Ctrl-C, SIGTERM, SIGHUP when the ssh
 * session drops, an uncaught error. Writes are synchronous so that they land
 * even from the 'exit' handler; a dead terminal (EIO after SIGHUP) is ignored.
 */
export function enterFullScreen(fd: number, onSignal: (signal: NodeJS.Signals) => void): TerminalSession {
  let restored = false;
  const write = (text: string) => {
    try {
      writeSync(fd, text);
    } catch {
      // The terminal went away; nothing left to restore.
    }
  };
  const restore = () => {
    if (restored) return;
    restored = true;
    write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  write(ENTER_ALT_SCREEN + CLEAR + HIDE_CURSOR);
  process.on('exit', restore);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) {
    process.on(signal, () => onSignal(signal));
  }
  const crash = (error: unknown) => {
    restore();
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    try {
      writeSync(2, `nettriage: internal error: ${text}\n`);
    } catch {
      // stderr is gone too.
    }
    process.exit(70);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  return { restore };
}

/**
 * Replaces console output with a buffer while the screen is ours (a stray
 * warning would write over the frame); returns a function that restores the
 * console and hands back the last lines written.
 */
export function captureConsole(keep = 50): () => string[] {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((m) => console[m]);
  const lines: string[] = [];
  for (const m of methods) {
    console[m] = (...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : String(a))).join(' '));
      if (lines.length > keep) lines.shift();
    };
  }
  return () => {
    methods.forEach((m, i) => {
      console[m] = saved[i] as (typeof console)[typeof m];
    });
    return lines;
  };
}

export const SIGNAL_EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143 };
