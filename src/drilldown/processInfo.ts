/** Where a process runs, as its cgroup path tells. */
export interface ContainerRef {
  /** docker, containerd, cri-o, podman, or kubepods when only the pod is known. */
  runtime: string;
  /** Container id, shortened to 12 characters as docker and crictl print it. */
  id?: string;
  /** Kubernetes pod UID. */
  podUid?: string;
  /** The whole id, as the runtime's state directories name it. */
  fullId?: string;
  /** From the runtime's files on the host, when they give them (`runtimeNames`). */
  name?: string;
  podName?: string;
  podNamespace?: string;
}

const CONTAINER_PATTERNS: [RegExp, string][] = [
  [/docker[-/]([0-9a-f]{12,64})(?:\.scope)?/, 'docker'],
  [/cri-containerd-([0-9a-f]{12,64})\.scope/, 'containerd'],
  [/crio-(?:conmon-)?([0-9a-f]{12,64})\.scope/, 'cri-o'],
  [/libpod-(?:conmon-)?([0-9a-f]{12,64})\.scope/, 'podman'],
  [/\/kubepods[^\n]*\/pod[0-9a-f_-]{36}\/([0-9a-f]{12,64})$/, 'containerd'],
];

/**
 * /proc/PID/cgroup (v1 `N:controllers:/path` lines or v2 `0::/path`): the
 * container runtime and id, and the pod UID of a Kubernetes pod — from
 * docker, containerd (cri-containerd-ID.scope, or the bare ID under
 * kubepods/pod<uid>), cri-o, podman and kubepods paths in systemd or
 * cgroupfs layout. Undefined for a process on the host.
 */
export function parseCgroup(text: string): ContainerRef | undefined {
  const paths = text
    .split('\n')
    .map((l) => l.split(':').slice(2).join(':').trim())
    .filter((p) => p !== '' && p !== '/');
  let ref: ContainerRef | undefined;
  for (const path of paths) {
    const pod = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/.exec(path);
    for (const [pattern, runtime] of CONTAINER_PATTERNS) {
      const m = pattern.exec(path);
      if (m?.[1]) {
        ref = { runtime: pod && runtime === 'docker' && path.includes('kubepods') ? 'docker' : runtime, id: m[1].slice(0, 12), fullId: m[1] };
        break;
      }
    }
    if (pod?.[1]) {
      ref = { ...(ref ?? { runtime: 'kubepods' }), podUid: pod[1].replace(/_/g, '-') };
    }
    if (ref) return ref;
  }
  return undefined;
}

/** The real uid from /proc/PID/status (`Uid:\treal\teffective\tsaved\tfs`). */
export function parseStatusUid(text: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The soft RLIMIT_NOFILE from /proc/PID/limits; undefined for "unlimited". */
export function parseOpenFilesLimit(text: string): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s+/m.exec(text);
  return m?.[1] && m[1] !== 'unlimited' ? Number(m[1]) : undefined;
}

/** uid -> user name from /etc/passwd. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid) && !users.has(Number(uid))) users.set(Number(uid), name);
  }
  return users;
}

/** The fields of /proc/PID/stat that say how much CPU a process used and when it started. */
export interface ProcStat {
  /** utime + stime, in clock ticks (USER_HZ). */
  cpuTicks: number;
  /** cutime + cstime: CPU of children the process has waited for, in clock ticks. */
  childCpuTicks: number;
  /** Start time after boot, in clock ticks: with the pid, it names one process (PIDs are reused). */
  startTicks: number;
  ppid: number;
}

/**
 * /proc/PID/stat. The command name (field 2) is in parentheses and may
 * contain spaces and parentheses itself, so the fields are counted from the
 * last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields from 3 (state) on: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ... starttime(22)
  const f = text.slice(close + 2).split(' ');
  const n = (i: number) => Number(f[i]);
  const [ppid, utime, stime, cutime, cstime, start] = [n(1), n(11), n(12), n(13), n(14), n(19)];
  if (![ppid, utime, stime, cutime, cstime, start].every(Number.isFinite)) return undefined;
  return { cpuTicks: utime + stime, childCpuTicks: cutime + cstime, startTicks: start, ppid };
}

/** Resident memory in bytes from /proc/PID/status (`VmRSS:  1234 kB`); absent for kernel threads. */
export function parseStatusRssBytes(text: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Seconds since boot from /proc/uptime. */
export function parseUptimeSec(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s/.exec(text);
  return m ? Number(m[1]) : undefined;
}
