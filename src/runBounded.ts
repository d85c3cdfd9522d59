import { spawn } from 'node:child_process';

export interface BoundedRun {
  /** Undefined when the command did not start or was killed. */
  exitCode?: number;
  stdout: Buffer;
  stderr: Buffer;
  /** Stopped at the time limit. */
  timedOut: boolean;
  /** Stopped at the size limit: stdout is its first `maxBytes` bytes. */
  truncated: boolean;
  /** Why it did not start (`not installed`), when it did not. */
  notStarted?: string;
  /** Stopped because its signal was aborted (Esc). */
  cancelled?: boolean;
}

export interface BoundedLimits {
  timeoutMs: number;
  maxBytes: number;
  /** Stops it (as the time limit does) when aborted. */
  signal?: AbortSignal;
  /** Written to its stdin, which is then closed; without it stdin is closed from the start. */
  input?: Buffer;
}

/** Past the time limit a command gets SIGTERM (tcpdump then closes its pcap cleanly), and this long later SIGKILL. */
const KILL_AFTER_MS = 2000;

/**
 * Runs a command to its end or to a limit of time or output, whichever comes
 * first, its stdin closed. Never rejects: what happened is in the result.
 * (Node's own spawn: execa's 260 KB were parsed at every start of the
 * dashboard for the three commands that need this.)
 */
export function runBounded(argv: string[], limits: BoundedLimits): Promise<BoundedRun> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let timedOut = false;
    let truncated = false;
    let notStarted: string | undefined;
    let cancelled = false;
    const child = spawn(file ?? 'true', args, { stdio: [limits.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (limits.input !== undefined) {
      child.stdin?.on('error', () => {});
      child.stdin?.end(limits.input);
    }
    let killer: NodeJS.Timeout | undefined;
    const stop = () => {
      child.kill('SIGTERM');
      killer ??= setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, limits.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    if (limits.signal?.aborted) onAbort();
    else limits.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (truncated) return;
      const room = limits.maxBytes - stdoutBytes;
      stdout.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      stdoutBytes += Math.min(chunk.length, room);
      if (chunk.length > room) {
        truncated = true;
        stop();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      // What a failing command says fits in far less.
      if (stderrBytes < 64 * 1024) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      notStarted = error.code === 'ENOENT' ? 'not installed' : error.message;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(killer);
      limits.signal?.removeEventListener('abort', onAbort);
      resolve({
        ...(code === null || notStarted ? {} : { exitCode: code }),
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        timedOut,
        truncated,
        ...(notStarted ? { notStarted } : {}),
        ...(cancelled ? { cancelled } : {}),
      });
    });
  });
}
