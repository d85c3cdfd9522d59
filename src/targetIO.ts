import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { CollectorProblem, firstLine, missingToolProblem } from './problems.js';
import { type Roots, type Target, netnsCommandPrefix, targetLabel } from './target.js';

export interface RunOptions {
  timeoutMs: number;
  /** Exit codes that are not a failure (e.g. ethtool's 94 for "not supported"). */
  okExitCodes?: number[];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Wall time of the child, for cost accounting. */
  durationMs: number;
}

/**
 * The only way collectors reach the system. Every /proc and /sys path goes
 * through the roots, every command through the target's namespace, so the
 * same collector runs against the host, a namespace, a process's namespace or
 * a fixture tree.
 */
export interface TargetIO {
  readonly target: Target;
  readonly roots: Roots;
  /** A file under /proc/net of the target (`sockstat`, `snmp`, `stat/nf_conntrack`). */
  readProcNet(file: string, timeoutMs: number): Promise<string>;
  /**
   * Several files under /proc/net at once, by name; files that do not exist
   * are left out, except `required` ones, whose absence is a problem.
   */
  readProcNetFiles(files: string[], required: string[], timeoutMs: number): Promise<Map<string, string>>;
  /** A file under /proc/sys as the target's network namespace sees it. */
  readProcSys(path: string, timeoutMs: number): Promise<string>;
  /** A file under /proc that is not namespace-dependent (`loadavg`, `PID/cmdline`). */
  readProc(path: string): Promise<string>;
  /** A file under /sys (host target only: sysfs shows the namespace that mounted it). */
  readSys(path: string): Promise<string>;
  /** Runs a command inside the target's network namespace. */
  run(argv: string[], options: RunOptions): Promise<RunResult>;
}

const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export function createTargetIO(target: Target, roots: Roots): TargetIO {
  const prefix = netnsCommandPrefix(target, roots);

  const run = async (argv: string[], options: RunOptions): Promise<RunResult> => {
    const full = [...prefix, ...argv];
    const tool = argv[0] ?? '';
    const started = performance.now();
    const result = await execa(full[0]!, full.slice(1), {
      reject: false,
      timeout: options.timeoutMs,
      maxBuffer: MAX_OUTPUT_BYTES,
      stdin: 'ignore',
      stripFinalNewline: false,
      env: { LC_ALL: 'C' },
    });
    const durationMs = performance.now() - started;
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    if (result.timedOut) {
      throw new CollectorProblem(
        'timeout',
        `${tool} did not answer within ${(options.timeoutMs / 1000).toFixed(1)} s`,
        'the host may be overloaded; the last good sample is kept',
      );
    }
    const spawnCode = (result as { code?: string }).code;
    if (spawnCode === 'ENOENT') throw missingToolProblem(full[0]!);
    if (result.isMaxBuffer) {
      throw new CollectorProblem('failed', `${tool} printed more than ${MAX_OUTPUT_BYTES >> 20} MiB`);
    }
    const exitCode = result.exitCode ?? -1;
    if (exitCode !== 0 && !(options.okExitCodes ?? []).includes(exitCode)) {
      throw commandProblem(target, roots, tool, exitCode, stderr);
    }
    return { stdout, stderr, exitCode, durationMs };
  };

  const catInTarget = async (path: string, timeoutMs: number): Promise<string> =>
    (await run(['cat', path], { timeoutMs })).stdout;

  return {
    target,
    roots,
    readProcNet(file, timeoutMs) {
      switch (target.kind) {
        case 'host':
          return readFile(`${roots.procRoot}/net/${file}`, 'utf8');
        case 'pid':
          return readFile(`${roots.procRoot}/${target.pid}/net/${file}`, 'utf8');
        case 'netns':
          // No process of ours lives in a named namespace: /proc/self/net of a
          // `cat` started there is the only view of it.
          return catInTarget(`/proc/net/${file}`, timeoutMs);
      }
    },
    async readProcNetFiles(files, required, timeoutMs) {
      const found = new Map<string, string>();
      if (target.kind === 'netns') {
        // One process for all of them (a tick reads several): tail -v labels each file.
        const r = await run(['tail', '-v', '-n', '+1', ...files.map((f) => `/proc/net/${f}`)], { timeoutMs, okExitCodes: [1] });
        const parts = r.stdout.split(/^==> \/proc\/net\/(.+) <==\n/m);
        for (let i = 1; i + 1 < parts.length; i += 2) found.set(parts[i] ?? '', parts[i + 1] ?? '');
      } else {
        await Promise.all(
          files.map(async (file) => {
            try {
              found.set(file, await this.readProcNet(file, timeoutMs));
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
            }
          }),
        );
      }
      for (const file of required) {
        if (found.has(file)) continue;
        const where =
          target.kind === 'host'
            ? `${roots.procRoot}/net/${file}`
            : target.kind === 'pid'
              ? `${roots.procRoot}/${target.pid}/net/${file}`
              : `/proc/net/${file} in ${targetLabel(target)}`;
        throw new CollectorProblem('absent', `${where} does not exist`);
      }
      return found;
    },
    readProcSys(path, timeoutMs) {
      if (target.kind === 'host') return readFile(`${roots.procRoot}/sys/${path}`, 'utf8');
      // /proc/sys/net shows the namespace of the reader, not of /proc/PID.
      return catInTarget(`/proc/sys/${path}`, timeoutMs);
    },
    readProc(path) {
      return readFile(`${roots.procRoot}/${path}`, 'utf8');
    },
    readSys(path) {
      return readFile(`${roots.sysRoot}/${path}`, 'utf8');
    },
    run,
  };
}

function commandProblem(
  target: Target,
  roots: Roots,
  tool: string,
  exitCode: number,
  stderr: string,
): CollectorProblem {
  const text = stderr.trim();
  // nsenter reports a missing inner command as "failed to execute ss: No such file".
  const notExecuted = /failed to execute ([^:\s]+): No such file/.exec(text);
  if (exitCode === 127 && notExecuted?.[1]) return missingToolProblem(notExecuted[1]);
  if (/Operation not permitted|Permission denied/i.test(text)) {
    return new CollectorProblem(
      'permission',
      `${tool}: permission denied in ${targetLabel(target)}`,
      'run as root to read another network namespace',
    );
  }
  if (target.kind === 'netns' && text.includes(`${roots.netnsRunDir}/${target.name}`)) {
    return new CollectorProblem('absent', `network namespace ${target.name} does not exist`, 'see `ip netns list`');
  }
  if (target.kind === 'pid' && /nsenter: .*(No such process|No such file)/.test(text)) {
    return new CollectorProblem('absent', `process ${target.pid} no longer exists`, 'pick another PID in the container');
  }
  return new CollectorProblem('failed', `${tool} exited with ${exitCode}${text ? `: ${firstLine(text)}` : ''}`);
}
