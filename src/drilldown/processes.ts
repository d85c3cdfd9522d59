import type { ProcessCpu } from '../processCpu.js';
import type { TargetIO } from '../targetIO.js';
import {
  type ContainerRef,
  parseCgroup,
  parseOpenFilesLimit,
  parsePasswd,
  parseProcStat,
  parseStatusRssBytes,
  parseStatusUid,
  parseUptimeSec,
} from './processInfo.js';

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
  /** Working directory (/proc/PID/cwd): untrusted text. */
  cwd?: string;
  /** When it started, from its start time in /proc/PID/stat and the uptime. */
  startedMs?: number;
  /** Share of one core since the previous look (since the start on the first). */
  cpuPercent?: number;
  rssBytes?: number;
  /** The process exited between the socket query and this read. */
  gone: boolean;
}

/** User names by uid: /etc/passwd rarely changes while a drill-down is open. */
let users: Promise<Map<number, string>> | undefined;

/**
 * Everything the owners view shows about a process, from /proc: each file is
 * opened, read and closed, so processes that come and go leave no descriptor
 * open behind them. CPU% comes from `cpu`, which remembers the last look.
 */
export async function inspectProcesses(io: TargetIO, pids: number[], cpu: ProcessCpu): Promise<Map<number, ProcessDetails>> {
  users ??= io.readEtc('passwd').then(parsePasswd, () => new Map());
  // A process that exited between the socket query and this read leaves files that are gone.
  const readOptional = (path: string) => io.readProc(path).catch(() => undefined);
  const [passwd, uptime] = await Promise.all([users, readOptional('uptime')]);
  const uptimeSec = uptime === undefined ? undefined : parseUptimeSec(uptime);
  const atMs = Date.now();
  const details = await Promise.all(
    pids.map(async (pid): Promise<ProcessDetails> => {
      const base = String(pid);
      const [comm, cmdline, status, stat, limits, cgroup, fds, cwd] = await Promise.all([
        readOptional(`${base}/comm`),
        readOptional(`${base}/cmdline`),
        readOptional(`${base}/status`),
        readOptional(`${base}/stat`),
        readOptional(`${base}/limits`),
        readOptional(`${base}/cgroup`),
        io.listProc(`${base}/fd`).then(
          (entries) => entries.length,
          () => undefined,
        ),
        io.readProcLink(`${base}/cwd`).catch(() => undefined),
      ]);
      const d: ProcessDetails = { pid, gone: status === undefined };
      if (comm !== undefined) d.comm = comm.replace(/\n$/, '');
      if (cmdline !== undefined && cmdline !== '') d.cmdline = cmdline.replace(/\0+$/, '').replace(/\0/g, ' ');
      const uid = status === undefined ? undefined : parseStatusUid(status);
      if (uid !== undefined) d.user = passwd.get(uid) ?? String(uid);
      const rss = status === undefined ? undefined : parseStatusRssBytes(status);
      if (rss !== undefined) d.rssBytes = rss;
      if (fds !== undefined) d.fds = fds;
      const limit = limits === undefined ? undefined : parseOpenFilesLimit(limits);
      if (limit !== undefined) d.fdLimit = limit;
      const container = cgroup === undefined ? undefined : parseCgroup(cgroup);
      if (container) d.container = container;
      const parsedStat = stat === undefined ? undefined : parseProcStat(stat);
      const percent = parsedStat === undefined ? undefined : cpu.percent(pid, parsedStat, atMs, uptimeSec);
      if (percent !== undefined) d.cpuPercent = percent;
      if (cwd !== undefined) d.cwd = cwd;
      // starttime is in clock ticks after boot: USER_HZ, 100 on every Linux architecture nettriage runs on.
      if (parsedStat !== undefined && uptimeSec !== undefined) d.startedMs = atMs - uptimeSec * 1000 + (parsedStat.startTicks / 100) * 1000;
      return d;
    }),
  );
  cpu.retain(new Set(pids));
  return new Map(details.map((d) => [d.pid, d]));
}
