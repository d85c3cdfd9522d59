import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { Accumulator } from './shellOutput.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { CollectorProblem } from './problems.js';
import { shellQuote } from './shellQuote.js';

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

export interface ShellRequestOptions {
  timeoutMs: number;
  /** Output beyond this stops the command (the shell is killed and started anew). */
  maxBytes?: number;
}

/** Why the shell could not run a request: it could not start, or it died. */
export class ShellGone extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    /** The program that starts the shell (`sh`, `nsenter`) was not found. */
    readonly missing?: string,
  ) {
    super(message);
  }
}

/**
 * What a command may print before it is stopped and called "output too
 * large": a tool gone mad must cost neither the memory nor the seconds of
 * parsing that a flood would. Socket dumps that can legitimately be large
 * (every client socket, owners of a busy state) ask for more.
 */
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
export const LARGE_DUMP_BYTES = 64 * 1024 * 1024;

/**
 * Every shell still running, so that no way out of the dashboard leaves one
 * behind: the 'exit' handler is synchronous, and a SIGKILL of the group is.
 */
const liveShells = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', () => {
  for (const child of liveShells) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
/** Every shell of this process that is running: nettriage's own processes, wherever they live. */
export function liveShellPids(): number[] {
  const out: number[] = [];
  for (const child of liveShells) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) out.push(child.pid);
  return out;
}

/** A shell that died this soon after its start is not restarted for a while: each try is a process start. */
const RESTART_BACKOFF_MS = 2000;

const shuttingDown = () => new ShellGone('the dashboard is shutting down', null, '');

interface Pending {
  id: number;
  script: string;
  options: ShellRequestOptions;
  resolve: (r: ShellResult) => void;
  reject: (e: Error) => void;
  stdout?: string;
  exitCode?: number;
  stderr?: string;
  startedMs?: number;
  timer?: NodeJS.Timeout;
}

/**
 * A `/bin/sh` that lives for the whole run where the commands must run —
 * the host, or inside the target's network namespace (started once through
 * `nsenter`). Node forks once; every later command is forked by this small
 * shell (a fork of a 150 MB Node process costs 5–7 ms of CPU, a fork of sh a
 * fraction of that), and files that only a reader inside the namespace sees
 * (/proc/sys/net) are read with the shell's builtins, which fork nothing.
 * Its PID also anchors the namespace for plain file reads of
 * /proc/PID/net/*.
 *
 * Requests go one at a time. Each is followed by a marker line carrying a
 * random token, on stdout with the exit status and on stderr, so output of
 * any content ends exactly where it should. A request that runs past its
 * timeout, or prints more than its limit, kills the shell's process group
 * (the command and anything it started); the next request starts a new
 * shell. Closing stdin (our exit, even a SIGKILL of Node) ends the shell.
 */
export class TargetShell {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly token = `@@nettriage-${randomHex(12)}`;
  private readonly needle = Buffer.from(`\n${this.token} `);
  /** The process that has answered a request: inside the target for sure. */
  private answered: ChildProcessWithoutNullStreams | undefined;
  private readonly out = new Accumulator();
  private readonly err = new Accumulator();
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private nextId = 1;
  private lastFailure: { atMs: number; error: ShellGone } | undefined;
  private startedAtMs = 0;
  private closed = false;

  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    /** The command that becomes the shell: `['sh']`, or `['nsenter', '--net=…', '--', 'sh']`. */
    private readonly argv: string[],
    /** With this, the shell ends after so long without a request (the next one starts it again). */
    private readonly options: { idleExitMs?: number } = {},
  ) {}

  /**
   * PID of the shell while it runs, once it has answered: /proc/PID/net is
   * then the target's namespace. Before its first answer the process may
   * still be nsenter, not yet in the namespace, and its /proc/PID/net the
   * host's.
   */
  get pid(): number | undefined {
    return this.child !== undefined && this.child === this.answered && this.child.exitCode === null ? this.child.pid : undefined;
  }

  /** Runs argv (quoted, stdin from /dev/null) and resolves with its output and exit status. */
  run(argv: string[], options: ShellRequestOptions & { input?: string[] }): Promise<ShellResult> {
    // Lines for the command's stdin come from the shell's printf: no temporary file in anyone's mount namespace.
    const stdin = options.input === undefined ? '</dev/null' : '';
    const feed = options.input === undefined ? '' : `printf '%s\\n' ${options.input.map(shellQuote).join(' ')} | `;
    return this.request(`${feed}${argv.map(shellQuote).join(' ')} ${stdin}`, options);
  }

  /**
   * Reads small files as this shell sees them (/proc/sys/net answers for the
   * namespace of the reader) with one `grep`: the ones that exist and are
   * readable come back by path. The shell's own `read` would fork nothing,
   * but it reads a byte at a time, and the kernel's integer sysctls answer
   * only a read at offset 0. Without grep (a minimal image), one `cat` a file.
   */
  async readFiles(paths: string[], options: ShellRequestOptions): Promise<Map<string, string>> {
    const quoted = paths.map(shellQuote).join(' ');
    const r = await this.request(
      `if command -v grep >/dev/null 2>&1; then grep -H '' -- ${quoted}; else for f in ${quoted}; do [ -r "$f" ] && cat -- "$f" | while IFS= read -r l; do printf '%s:%s\\n' "$f" "$l"; done; done; fi 2>/dev/null </dev/null`,
      options,
    );
    const files = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const path = paths.find((p) => line.startsWith(`${p}:`));
      if (path !== undefined) files.set(path, `${files.get(path) ?? ''}${line.slice(path.length + 1)}\n`);
    }
    return files;
  }

  /**
   * Kills the shell and whatever it runs; pending requests fail. Resolves
   * once the shell has exited (at most `waitMs`): its CPU then counts in
   * ours, where `time` and the bench look for it.
   */
  close(waitMs = 0): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const child = this.child;
    const gone = shuttingDown();
    this.kill();
    this.child = undefined;
    const current = this.current;
    this.current = undefined;
    if (current) {
      clearTimeout(current.timer);
      current.reject(gone);
    }
    this.failAll(gone);
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private request(script: string, options: ShellRequestOptions): Promise<ShellResult> {
    return new Promise<ShellResult>((resolve, reject) => {
      if (this.closed) {
        reject(shuttingDown());
        return;
      }
      this.queue.push({ id: this.nextId++, script, options, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    if (this.current) return;
    if (this.queue.length === 0) {
      if (this.child && this.options.idleExitMs !== undefined) this.idleTimer = setTimeout(() => this.retire(), this.options.idleExitMs).unref();
      return;
    }
    if (!this.child) {
      const failure = this.lastFailure;
      if (failure && Date.now() - failure.atMs < RESTART_BACKOFF_MS) {
        this.failAll(failure.error);
        return;
      }
      this.start();
      if (!this.child) return;
    }
    const next = this.queue.shift() as Pending;
    this.current = next;
    next.startedMs = performance.now();
    next.timer = setTimeout(() => this.abort(next, new CollectorProblem('timeout', `no answer within ${(next.options.timeoutMs / 1000).toFixed(1)} s`)), next.options.timeoutMs);
    const token = shellQuote(this.token);
    this.child.stdin.write(`${next.script}\nprintf '\\n%s %d %d\\n' ${token} ${next.id} "$?"; printf '\\n%s %d\\n' ${token} ${next.id} >&2\n`);
  }

  private start(): void {
    const [file, ...args] = this.argv;
    this.out.clear();
    this.err.clear();
    this.startedAtMs = Date.now();
    const child = spawn(file ?? 'sh', args, {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      // The tools live in sbin on some systems, and their output is parsed: C locale.
      env: { ...process.env, LC_ALL: 'C', PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin` },
    });
    this.child = child;
    liveShells.add(child);
    child.once('exit', () => liveShells.delete(child));
    // Output of a shell that was already given up on (killed after a timeout) is not for us.
    const mine = () => this.child === child;
    child.stdin.on('error', () => undefined); // EPIPE when the shell died: 'exit' reports it
    child.stdout.on('data', (chunk: Buffer) => mine() && this.onStdout(chunk));
    child.stderr.on('data', (chunk: Buffer) => mine() && this.onStderr(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (!mine()) return;
      const missing = error.code === 'ENOENT' ? (file ?? 'sh') : undefined;
      this.onGone(new ShellGone(`${file} could not start: ${error.message}`, null, '', missing));
    });
    child.once('exit', (code, signal) => {
      if (!mine()) return;
      // Its last words on stderr may still be in the pipe: wait for it to close, but not for a
      // descendant that escaped the process group and holds it open.
      const gone = () => {
        if (!mine()) return;
        const stderr = this.err.text().trim();
        this.onGone(new ShellGone(`${file} exited${signal ? ` on ${signal}` : ` with ${code}`}`, code, stderr));
      };
      const late = setTimeout(gone, 200);
      child.once('close', () => {
        clearTimeout(late);
        gone();
      });
    });
  }

  private onStdout(chunk: Buffer): void {
    const current = this.current;
    this.out.push(chunk);
    if (current && this.out.size > (current.options.maxBytes ?? DEFAULT_MAX_BYTES)) {
      const limit = current.options.maxBytes ?? DEFAULT_MAX_BYTES;
      this.abort(current, new CollectorProblem('failed', `output too large (more than ${Math.round(limit / 1048576)} MiB); stopped reading`));
      return;
    }
    const frame = this.out.take(this.needle);
    if (!frame || !current) return;
    const [id, code] = frame.trailer.split(' ');
    if (Number(id) !== current.id) return;
    current.stdout = frame.body;
    current.exitCode = Number(code);
    this.complete(current);
  }

  private onStderr(chunk: Buffer): void {
    const current = this.current;
    this.err.push(chunk);
    const frame = this.err.take(this.needle);
    // A command that floods stderr: its messages are not worth megabytes.
    if (!frame && this.err.size > 1024 * 1024) this.err.clear();
    if (!frame || !current || Number(frame.trailer) !== current.id) return;
    current.stderr = frame.body;
    this.complete(current);
  }

  private complete(p: Pending): void {
    if (p.stdout === undefined || p.stderr === undefined || this.current !== p) return;
    this.answered = this.child;
    clearTimeout(p.timer);
    this.current = undefined;
    this.lastFailure = undefined;
    p.resolve({
      stdout: p.stdout,
      stderr: p.stderr,
      exitCode: p.exitCode ?? -1,
      durationMs: performance.now() - (p.startedMs ?? performance.now()),
    });
    this.dispatch();
  }

  /** Ends an idle shell: its stdin closes, it exits, and Node reaps it (its CPU counts in ours). */
  private retire(): void {
    if (this.current || this.queue.length > 0 || !this.child) return;
    const child = this.child;
    this.child = undefined;
    child.stdin.end();
  }

  /** Gives up on the running request: the shell and everything it started go. */
  private abort(p: Pending, error: Error): void {
    if (this.current !== p) return;
    clearTimeout(p.timer);
    this.current = undefined;
    p.reject(error);
    this.kill();
    this.child = undefined;
    // Not a failure of the shell: the next request may start a new one at once.
    this.dispatch();
  }

  private onGone(error: ShellGone): void {
    if (!this.child) return;
    this.child = undefined;
    if (Date.now() - this.startedAtMs < RESTART_BACKOFF_MS) this.lastFailure = { atMs: Date.now(), error };
    const current = this.current;
    this.current = undefined;
    if (current) {
      clearTimeout(current.timer);
      current.reject(error);
    }
    this.dispatch();
  }

  private kill(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    this.child?.stdin.destroy();
  }

  private failAll(error: Error): void {
    for (const p of this.queue.splice(0)) p.reject(error);
  }
}

/**
 * `bytes` random bytes from the kernel, in hex. Not node:crypto: loading it
 * cost ~4 ms of every start for twelve bytes.
 */
function randomHex(bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync('/dev/urandom', 'r');
  try {
    readSync(fd, buffer, 0, bytes, null);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('hex');
}
