import { type ChildProcess, spawn } from 'node:child_process';
import { processTree } from './processTree.js';

export interface PtyRun {
  /** The program itself (the process `script` started in the terminal). */
  pid(): number | undefined;
  /** Bytes the program has written to the terminal so far. */
  bytes(): number;
  /** Milliseconds from start until `marker` first appeared on the terminal. */
  markerAfterMs(): number | undefined;
  /** Ends the program (q, then SIGKILL of the tree) and waits for it. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A command on a real pseudo-terminal of a fixed size, as a user's ssh
 * session would give it: util-linux `script` owns the pty, sets its size with
 * stty, and copies everything the program writes to our pipe, where it is
 * counted. Nothing is drawn anywhere.
 */
export function runOnPty(command: string, opts: { columns: number; rows: number; marker?: string; env?: NodeJS.ProcessEnv }): PtyRun {
  const startedMs = performance.now();
  const child: ChildProcess = spawn('script', ['-qfec', `stty cols ${opts.columns} rows ${opts.rows}; exec ${command}`, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { ...process.env, TERM: 'xterm-256color', ...opts.env },
  });
  let bytes = 0;
  let markerMs: number | undefined;
  let tail = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (opts.marker && markerMs === undefined) {
      const text = tail + chunk.toString('utf8');
      if (text.includes(opts.marker)) markerMs = performance.now() - startedMs;
      tail = text.slice(-opts.marker.length);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const programPid = () => (child.pid === undefined ? undefined : processTree(child.pid)[1]);
  return {
    pid: programPid,
    bytes: () => bytes,
    markerAfterMs: () => markerMs,
    async stop() {
      child.stdin?.write('q');
      const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!done && child.pid !== undefined) {
        for (const pid of processTree(child.pid).reverse()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
        await exited;
      }
    },
  };
}
