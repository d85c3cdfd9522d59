import { readFileSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { CollectorProblem, asProblem, firstLine, missingToolProblem } from './problems.js';
import { type Roots, type Target, netnsCommandPrefix, targetLabel } from './target.js';
import { ShellGone, type ShellResult, TargetShell } from './targetShell.js';
import { pinTarget } from './targetPin.js';
import { LinkMonitor } from './linkMonitor.js';
import { readSeqFile } from '../collectors/seqFile.js';

/**
 * Which shell runs a command. `tick`: the cheap commands of a tick (ss of
 * the unusual states, ip link, ethtool), which must never wait behind
 * `bulk`: the expensive on-demand dumps (owners, destinations, drill-down),
 * which may take a second on a busy host. The bulk shell ends after a
 * minute without work: an idle host keeps one small process, not two.
 */
export type Lane = 'tick' | 'bulk';

export interface RunOptions {
  timeoutMs: number;
  /** Exit codes that are not a failure (e.g. ethtool's 94 for "not supported"). */
  okExitCodes?: number[];
  lane?: Lane;
  /** Output beyond this is a problem ("output too large"), not a buffer. */
  maxBytes?: number;
  /** Lines written to the command's stdin (`ip -batch -`). */
  input?: string[];
}

export type RunResult = ShellResult;

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
  /**
   * A socket list under /proc/net (`tcp`, `tcp6`), read as a seq_file
   * without the extra read that confirms its end (`readSeqFile`): each read
   * walks the host's whole connection hash. Undefined when it cannot be read.
   */
  readProcNetList(file: string, timeoutMs: number): Promise<string | undefined>;
  /** Files under /proc/sys as the target's network namespace sees them, by path (`net/ipv4/tcp_tw_reuse`); absent ones are left out. */
  readProcSysFiles(paths: string[], timeoutMs: number): Promise<Map<string, string>>;
  /** A file under /proc that is not namespace-dependent (`loadavg`, `PID/cmdline`). */
  readProc(path: string): Promise<string>;
  /**
   * Host files under /proc that describe the kernel, not a process
   * (`net/sockstat`, `sys/net/ipv4/tcp_mem`), by path; absent ones are left
   * out. Read synchronously: they never block, and a synchronous read costs
   * a tenth of an asynchronous one.
   */
  readKernelFiles(paths: string[]): Map<string, string>;
  /** The entries of a directory under /proc (`PID/fd`). */
  listProc(path: string): Promise<string[]>;
  /** Where a link under /proc points (`PID/cwd`). */
  readProcLink(path: string): Promise<string>;
  /** A file under /sys (host target only: sysfs shows the namespace that mounted it). */
  readSys(path: string): Promise<string>;
  /** A file of the host's /etc (`passwd`, to name the owners of processes). */
  readEtc(name: string): Promise<string>;
  /**
   * The resolv.conf the target's processes read: a process's own
   * (`/proc/PID/root/etc/resolv.conf`: its mount namespace), a named
   * namespace's `/etc/netns/NAME/resolv.conf` (what `ip netns exec` binds
   * over /etc/resolv.conf) when it exists, else the host's.
   */
  resolvConf(): Promise<{ path: string; text: string }>;
  /** Runs a command inside the target's network namespace. */
  run(argv: string[], options: RunOptions): Promise<RunResult>;
  /**
   * How many link events (a carrier lost or found, a state, an MTU, a link
   * added or gone) the target's namespace has had since the first call,
   * which starts `ip -o monitor link` in it, kept for the run. Undefined
   * where it cannot run (no `ip`, a fixture tree): then links are only as
   * fresh as their periodic read.
   */
  linkEvents(): number | undefined;
  /** The processes this target keeps running (its shells, the link monitor): what watching costs, beside ourselves. */
  helperPids(): number[];
  /** The namespace pinned at start (`net:[4026532412]`); undefined for the host. */
  readonly namespace?: string;
  /** Why the target's name or PID no longer leads to the namespace being watched (see `TargetPin`). */
  drift(): string | undefined;
  /** Starts the shell inside the target, or says why it cannot be entered. */
  verify(timeoutMs: number): Promise<void>;
  /** Ends the shells and what they run; resolves once they are gone (at most `waitMs`). */
  close(waitMs?: number): Promise<void>;
}

/**
 * One shell per lane, started on first use: on the host a plain `sh`, in a
 * namespace an `sh` that `nsenter` put there. The tick shell's PID anchors
 * the namespace for file reads: /proc/PID/net/* of a process inside it is
 * that namespace's, read with no process start at all.
 */
export function createTargetIO(target: Target, roots: Roots): TargetIO {
  const pin = pinTarget(target, roots);
  // Shells enter the pinned namespace, never the name or PID again: a restarted shell cannot land elsewhere.
  const enter = pin.nsPath === undefined ? netnsCommandPrefix(target, roots) : ['nsenter', `--net=${pin.nsPath}`, '--'];
  // /bin/sh by path: it is there on every POSIX system, whatever PATH holds.
  const shellArgv = [...enter, '/bin/sh'];
  const shells: Record<Lane, TargetShell> = { tick: new TargetShell(shellArgv), bulk: new TargetShell(shellArgv, { idleExitMs: 60_000 }) };

  const links = new LinkMonitor(enter, roots.procRoot === '/proc' && roots.sysRoot === '/sys');

  const translate = (error: unknown): CollectorProblem =>
    error instanceof ShellGone ? shellProblem(target, roots, error) : asProblem(error);

  const run = async (argv: string[], options: RunOptions): Promise<RunResult> => {
    const tool = argv[0] ?? '';
    let result: RunResult;
    try {
      result = await shells[options.lane ?? 'tick'].run(argv, options);
    } catch (error) {
      throw translate(error);
    }
    if (result.exitCode !== 0 && !(options.okExitCodes ?? []).includes(result.exitCode)) {
      throw commandProblem(target, tool, result.exitCode, result.stderr);
    }
    return result;
  };

  /** Where the target's /proc/net is: ours on the host, the tick shell's in a namespace. */
  const procNetDir = async (timeoutMs: number): Promise<string> => {
    if (target.kind === 'host') return `${roots.procRoot}/net`;
    let pid = shells.tick.pid;
    if (pid === undefined) {
      try {
        await shells.tick.run(['true'], { timeoutMs });
      } catch (error) {
        throw translate(error);
      }
      pid = shells.tick.pid;
    }
    if (pid === undefined) throw new CollectorProblem('failed', `no process of ours lives in ${targetLabel(target)}`);
    return `/proc/${pid}/net`;
  };

  const readProcNetFiles = async (files: string[], required: string[], timeoutMs: number): Promise<Map<string, string>> => {
    const dir = await procNetDir(timeoutMs);
    const found = new Map<string, string>();
    for (const file of files) {
      const text = readIfExists(`${dir}/${file}`);
      if (text !== undefined) found.set(file, text);
    }
    for (const file of required) {
      if (found.has(file)) continue;
      const where = target.kind === 'host' ? `${dir}/${file}` : `/proc/net/${file} in ${targetLabel(target)}`;
      throw new CollectorProblem('absent', `${where} does not exist`);
    }
    return found;
  };

  return {
    target,
    roots,
    async readProcNet(file, timeoutMs) {
      return (await readProcNetFiles([file], [file], timeoutMs)).get(file) ?? '';
    },
    readProcNetFiles,
    async readProcNetList(file, timeoutMs) {
      return readSeqFile(`${await procNetDir(timeoutMs)}/${file}`);
    },
    async readProcSysFiles(paths, timeoutMs) {
      const found = new Map<string, string>();
      if (target.kind === 'host') {
        for (const path of paths) {
          const text = readIfExists(`${roots.procRoot}/sys/${path}`);
          if (text !== undefined) found.set(path, text);
        }
        return found;
      }
      // /proc/sys/net shows the namespace of the reader, not of /proc/PID: the shell reads them.
      let read: Map<string, string>;
      try {
        read = await shells.tick.readFiles(
          paths.map((p) => `/proc/sys/${p}`),
          { timeoutMs },
        );
      } catch (error) {
        throw translate(error);
      }
      for (const [path, text] of read) found.set(path.slice('/proc/sys/'.length), text);
      return found;
    },
    readProc(path) {
      return readFile(`${roots.procRoot}/${path}`, 'utf8');
    },
    readKernelFiles(paths) {
      const found = new Map<string, string>();
      for (const path of paths) {
        const text = readIfExists(`${roots.procRoot}/${path}`);
        if (text !== undefined) found.set(path, text);
      }
      return found;
    },
    listProc(path) {
      return readdir(`${roots.procRoot}/${path}`);
    },
    readProcLink(path) {
      return readlink(`${roots.procRoot}/${path}`);
    },
    readSys(path) {
      return readFile(`${roots.sysRoot}/${path}`, 'utf8');
    },
    readEtc(name) {
      return readFile(`/etc/${name}`, 'utf8');
    },
    async resolvConf() {
      // A named namespace without a file of its own reads the host's; a process reads only its own.
      const paths = target.kind === 'pid' ? [`${roots.procRoot}/${target.pid}/root/etc/resolv.conf`] : target.kind === 'netns' ? [`/etc/netns/${target.name}/resolv.conf`, '/etc/resolv.conf'] : ['/etc/resolv.conf'];
      let failure: unknown;
      for (const path of paths) {
        try {
          return { path, text: await readFile(path, 'utf8') };
        } catch (error) {
          failure = error;
        }
      }
      throw asProblem(failure);
    },
    run,
    linkEvents: () => links.events(),
    helperPids() {
      return [shells.tick.pid, shells.bulk.pid, links.pid].filter((p): p is number => p !== undefined);
    },
    ...(pin.namespace !== undefined ? { namespace: pin.namespace } : {}),
    drift: () => pin.drift(),
    async verify(timeoutMs) {
      try {
        await shells.tick.run(['true'], { timeoutMs });
      } catch (error) {
        throw translate(error);
      }
    },
    async close(waitMs = 500) {
      links.close();
      await Promise.all([shells.tick.close(waitMs), shells.bulk.close(waitMs)]);
      pin.close();
    },
  };
}

/**
 * A kernel-generated file, read synchronously: the kernel writes these few
 * KB as it is read, without I/O to wait for, and a synchronous read costs a
 * fraction of a promise round trip through the thread pool (measured: 3 ms
 * a tick for the 7 files of a tick, asynchronously). Absent is undefined.
 */
function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asProblem(error);
  }
}

/** The shell could not start or died: usually what `nsenter` said about the target. */
function shellProblem(target: Target, roots: Roots, gone: ShellGone): CollectorProblem {
  if (gone.missing) return missingToolProblem(gone.missing);
  const text = gone.stderr;
  if (/Operation not permitted|Permission denied/i.test(text)) {
    return new CollectorProblem('permission', `permission denied entering ${targetLabel(target)}`, 'run as root to read another network namespace');
  }
  if (target.kind === 'netns' && text.includes(`${roots.netnsRunDir}/${target.name}`)) {
    return new CollectorProblem('absent', `network namespace ${target.name} does not exist`, 'see `ip netns list`');
  }
  if (target.kind === 'pid' && /No such process|No such file/.test(text)) {
    return new CollectorProblem('absent', `process ${target.pid} no longer exists`, 'pick another PID in the container');
  }
  return new CollectorProblem('failed', `${gone.message}${text ? `: ${firstLine(text)}` : ''}`);
}

function commandProblem(target: Target, tool: string, exitCode: number, stderr: string): CollectorProblem {
  const text = stderr.trim();
  // sh says `sh: 1: ss: not found` (dash), `sh: line 1: ss: command not found` (bash), `sh: ss: not found` (busybox).
  const notFound = /([\w.+-]+): (?:command )?not found/.exec(text);
  if (exitCode === 127 && notFound?.[1]) return missingToolProblem(notFound[1]);
  if (/Operation not permitted|Permission denied/i.test(text)) {
    return new CollectorProblem('permission', `${tool}: permission denied in ${targetLabel(target)}`, 'run as root to read another network namespace');
  }
  return new CollectorProblem('failed', `${tool} exited with ${exitCode}${text ? `: ${firstLine(text)}` : ''}`);
}
