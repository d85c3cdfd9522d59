import { readFile, readdir, readlink } from 'node:fs/promises';
import { parseCgroup } from '../src/drilldown/processInfo.js';
import { type NetNamespace, groupNamespaces, parseNetNsLink, parseNsfsMounts } from './parse/namespaces.js';

/**
 * Every network namespace of the host, from file reads alone: the ns/net
 * link of every process under /proc (one readlink each: ~2 ms for 500
 * processes), the nsfs bind mounts in our mountinfo, and the cgroup of one
 * process per namespace. A process that exits while we look is skipped.
 */
export async function discoverNamespaces(procRoot = '/proc'): Promise<NetNamespace[]> {
  const pids = (await readdir(procRoot)).filter((e) => /^\d+$/.test(e)).map(Number);
  const links = await Promise.all(
    pids.map(async (pid) => {
      const inode = parseNetNsLink(await readlink(`${procRoot}/${pid}/ns/net`).catch(() => ''));
      return inode === undefined ? undefined : { pid, inode };
    }),
  );
  const processes = links.filter((l): l is { pid: number; inode: number } => l !== undefined);
  const mountinfo = await readFile(`${procRoot}/self/mountinfo`, 'utf8').catch(() => '');
  // The host's: PID 1's, or ours where PID 1 cannot be looked at (a sandbox's init of another user).
  const host =
    parseNetNsLink(await readlink(`${procRoot}/1/ns/net`).catch(() => '')) ?? parseNetNsLink(await readlink(`${procRoot}/self/ns/net`).catch(() => ''));
  const grouped = groupNamespaces(processes, parseNsfsMounts(mountinfo), host);
  // The container of each namespace: its representative's cgroup, read once here.
  await Promise.all(
    grouped.map(async (ns) => {
      if (ns.host || ns.representative === undefined) return;
      const cgroup = await readFile(`${procRoot}/${ns.representative}/cgroup`, 'utf8').catch(() => undefined);
      const container = cgroup === undefined ? undefined : parseCgroup(cgroup);
      if (container) ns.container = container;
    }),
  );
  return grouped;
}
