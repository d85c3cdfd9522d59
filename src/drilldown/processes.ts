import { readFile, readdir } from 'node:fs/promises';
import pidusage from 'pidusage';
import { type ContainerRef, parseCgroup, parseOpenFilesLimit, parsePasswd, parseStatusUid } from '../../collectors/processInfo.js';

export interface ProcessDetails {
  pid: number;
  /** /proc/PID/comm: untrusted text. */
  comm?: string;
  /** /proc/PID/cmdline with NULs as spaces: untrusted text. */
  cmdline?: string;
  user?: string;
  /** Open file descriptors (readdir of /proc/PID/fd). */
  fds?: number;
  /** Soft RLIMIT_NOFILE. */
  fdLimit?: number;
  container?: ContainerRef;
  cpuPercent?: number;
  rssBytes?: number;
  /** The process exited between the socket query and this read. */
  gone: boolean;
}

let users: Promise<Map<number, string>> | undefined;

const readOptional = (path: string) => readFile(path, 'utf8').catch(() => undefined);

/**
 * Everything the owners view shows about a process, from /proc, and CPU and
 * RSS for all of them in one pidusage call. pidusage keeps an open fd per PID
 * until `maxAgeMs` after its last use (its clear() drops the history but not
 * the fds), so `maxAgeMs` must be a few refreshes: PIDs that went away then
 * release their fd instead of piling up.
 */
export async function inspectProcesses(procRoot: string, pids: number[], maxAgeMs: number): Promise<Map<number, ProcessDetails>> {
  users ??= readFile('/etc/passwd', 'utf8').then(parsePasswd, () => new Map());
  const passwd = await users;
  const usage: Record<number, { cpu: number; memory: number } | null> =
    pids.length === 0 ? {} : await pidusage(pids, { maxage: maxAgeMs }).catch(() => ({}));
  const details = await Promise.all(
    pids.map(async (pid): Promise<ProcessDetails> => {
      const base = `${procRoot}/${pid}`;
      const [comm, cmdline, status, limits, cgroup, fds] = await Promise.all([
        readOptional(`${base}/comm`),
        readOptional(`${base}/cmdline`),
        readOptional(`${base}/status`),
        readOptional(`${base}/limits`),
        readOptional(`${base}/cgroup`),
        readdir(`${base}/fd`).then(
          (entries) => entries.length,
          () => undefined,
        ),
      ]);
      const d: ProcessDetails = { pid, gone: status === undefined };
      if (comm !== undefined) d.comm = comm.replace(/\n$/, '');
      if (cmdline !== undefined && cmdline !== '') d.cmdline = cmdline.replace(/\0+$/, '').replace(/\0/g, ' ');
      const uid = status === undefined ? undefined : parseStatusUid(status);
      if (uid !== undefined) d.user = passwd.get(uid) ?? String(uid);
      if (fds !== undefined) d.fds = fds;
      const limit = limits === undefined ? undefined : parseOpenFilesLimit(limits);
      if (limit !== undefined) d.fdLimit = limit;
      const container = cgroup === undefined ? undefined : parseCgroup(cgroup);
      if (container) d.container = container;
      const u = usage[pid];
      if (u) {
        d.cpuPercent = u.cpu;
        d.rssBytes = u.memory;
      }
      return d;
    }),
  );
  return new Map(details.map((d) => [d.pid, d]));
}
