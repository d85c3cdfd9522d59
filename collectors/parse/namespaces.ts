import type { ContainerRef } from '../../src/drilldown/processInfo.js';

/** A network namespace of the host, found by its inode. */
export interface NetNamespace {
  /** The nsfs inode: what `/proc/PID/ns/net` and `ip netns identify` agree on. */
  inode: number;
  /** `ip netns` names (bind mounts under /run/netns), and other nsfs mount points by path. */
  names: string[];
  /** How many processes live in it. */
  processes: number;
  /** The lowest of them: whose /proc/PID/net is this namespace's. Undefined for a name nothing runs in. */
  representative?: number;
  /**
   * A process of nettriage's own inside it (a shell it keeps there), not
   * counted among its processes: where nothing else runs, its /proc/PID/net
   * is the one to read.
   */
  ownPid?: number;
  /** The host's own namespace (that of PID 1, or nettriage's own where PID 1's cannot be read). */
  host: boolean;
  /** The container or pod, when the representative's cgroup path tells. */
  container?: ContainerRef;
}

/** `net:[4026531840]` (a /proc/PID/ns/net link, or an nsfs mount's root) -> 4026531840. */
export function parseNetNsLink(text: string): number | undefined {
  const m = /^net:\[(\d+)\]$/.exec(text.trim());
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Mount points in /proc/PID/mountinfo are octal-escaped: `\040` is a space. */
const unescapeMount = (path: string) => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/**
 * The network namespaces kept by a bind mount (`ip netns add` under
 * /run/netns, or anywhere else), from mountinfo: lines whose filesystem is
 * nsfs and whose root is `net:[INODE]`. A name under /run/netns (or
 * /var/run/netns) is the `ip netns` name; any other mount is named by its path.
 */
export function parseNsfsMounts(mountinfo: string): { name: string; inode: number }[] {
  const out: { name: string; inode: number }[] = [];
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0 || !line.slice(dash + 3).startsWith('nsfs ')) continue;
    const fields = line.slice(0, dash).split(' ');
    const inode = parseNetNsLink(fields[3] ?? '');
    const mountPoint = fields[4];
    if (inode === undefined || mountPoint === undefined) continue;
    const path = unescapeMount(mountPoint);
    const named = /^(?:\/var)?\/run\/netns\/([^/]+)$/.exec(path);
    out.push({ name: named?.[1] ?? path, inode });
  }
  return out;
}

/**
 * One entry per namespace, deduplicated by inode: the processes in it (by
 * their ns/net links; nettriage's own apart), the bind mounts that name it,
 * the host's marked.
 * Ordered: the host first, then by name, then by inode.
 */
export function groupNamespaces(
  processes: { pid: number; inode: number; own?: boolean }[],
  mounts: { name: string; inode: number }[],
  hostInode: number | undefined,
): NetNamespace[] {
  const byInode = new Map<number, NetNamespace>();
  const entry = (inode: number) => {
    let ns = byInode.get(inode);
    if (!ns) {
      ns = { inode, names: [], processes: 0, host: inode === hostInode };
      byInode.set(inode, ns);
    }
    return ns;
  };
  for (const { pid, inode, own } of processes) {
    const ns = entry(inode);
    if (own) {
      ns.ownPid ??= pid;
      continue;
    }
    ns.processes++;
    if (ns.representative === undefined || pid < ns.representative) ns.representative = pid;
  }
  for (const { name, inode } of mounts) {
    const ns = entry(inode);
    if (!ns.names.includes(name)) ns.names.push(name);
  }
  for (const ns of byInode.values()) ns.names.sort();
  return [...byInode.values()].sort(
    (a, b) => Number(b.host) - Number(a.host) || (a.names[0] ?? '\uffff').localeCompare(b.names[0] ?? '\uffff') || a.inode - b.inode,
  );
}
