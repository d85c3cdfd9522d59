import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './realWorld.js';

/** The file users run: the single-file build (`nettriage`, `npm start`). */
export const BIN = join(PROJECT_ROOT, 'dist/nettriage.js');

export const hasTmux = (await execa('tmux', ['-V'], { reject: false })).exitCode === 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The dashboard in a real terminal: a detached tmux session of a fixed size,
 * driven with send-keys and read with capture-pane, as a person would.
 */
export class TmuxSession {
  readonly name: string;
  readonly exitFile: string;

  private constructor(name: string, exitFile: string) {
    this.name = name;
    this.exitFile = exitFile;
  }

  static async start(command: string, opts: { columns?: number; rows?: number; label: string }): Promise<TmuxSession> {
    const name = `nt-${opts.label}-${process.pid}`;
    const exitFile = `/tmp/${name}.exit`;
    await execa('rm', ['-f', exitFile]);
    await execa('tmux', ['kill-session', '-t', name], { reject: false });
    // The shell stays after the dashboard exits so that the screen it left behind can be inspected.
    const script = `${command}; echo $? > ${exitFile}; sleep 600`;
    await execa('tmux', ['new-session', '-d', '-s', name, '-x', String(opts.columns ?? 120), '-y', String(opts.rows ?? 40), script]);
    return new TmuxSession(name, exitFile);
  }

  async capture(): Promise<string> {
    return (await execa('tmux', ['capture-pane', '-p', '-t', this.name])).stdout;
  }

  /** The pane's title as the terminal would show it (set by OSC 0/2). */
  async title(): Promise<string> {
    return (await execa('tmux', ['display-message', '-p', '-t', this.name, '#{pane_title}'])).stdout;
  }

  async alternateScreenOn(): Promise<boolean> {
    return (await execa('tmux', ['display-message', '-p', '-t', this.name, '#{alternate_on}'])).stdout.trim() === '1';
  }

  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) await execa('tmux', ['send-keys', '-t', this.name, key]);
  }

  /** Waits until the screen matches, or returns the last screen for the assertion to show. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < until) {
      screen = await this.capture();
      if (pattern.test(screen)) return screen;
      await sleep(100);
    }
    return screen;
  }

  async exitCode(timeoutMs = 5000): Promise<number | undefined> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (existsSync(this.exitFile)) {
        const text = readFileSync(this.exitFile, 'utf8').trim();
        if (text !== '') return Number(text);
      }
      await sleep(100);
    }
    return undefined;
  }

  /** PID of the dashboard (the node child of the pane's shell). */
  async dashboardPid(): Promise<number | undefined> {
    const panePid = (await execa('tmux', ['display-message', '-p', '-t', this.name, '#{pane_pid}'])).stdout.trim();
    const r = await execa('pgrep', ['-P', panePid, '-f', 'nettriage.js'], { reject: false });
    const pid = Number(r.stdout.split('\n')[0]);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  }

  async kill(): Promise<void> {
    await execa('tmux', ['kill-session', '-t', this.name], { reject: false });
    await execa('rm', ['-f', this.exitFile]);
  }
}
