import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { type ContainerRef, parseCgroup } from '../src/drilldown/processInfo.js';
import { type RuntimeNames, parseRuntimeConfig, runtimeConfigPaths } from './parse/runtimeConfig.js';
import { type NetNamespace, groupNamespaces, parseNetNsLink, parseNsfsMounts } from './parse/namespaces.js';

/** /proc never blocks: synchronous reads skip the thread pool, a fraction of the cost of asynchronous ones. */
function quietly<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Names by full container id: a container's state file does not change while it runs. */
const namesById = new Map<string, RuntimeNames | undefined>();
const NAMES_KEPT = 4096;

/** The names the runtime's state file on the host gives, read once per container; none without a daemon call. */
function runtimeNames(container: ContainerRef, hostRoot: string): RuntimeNames | undefined {
  if (container.fullId === undefined) return undefined;
  const id = container.fullId;
  const key = `${hostRoot}\0${id}`;
  if (namesById.has(key)) return namesById.get(key);
  let names: RuntimeNames | undefined;
  for (const path of runtimeConfigPaths(container.runtime, id)) {
    const text = quietly(() => readFileSync(`${hostRoot}${path}`, 'utf8'));
    names = text === undefined ? undefined : parseRuntimeConfig(text);
    if (names) break;
  }
  if (namesById.size >= NAMES_KEPT) namesById.clear();
  namesById.set(key, names);
  return names;
}

/**
 * Every network namespace of the host, from file reads alone: the ns/net
 * link of every process under /proc (one readlink each; `own`, nettriage's
 * own helpers, are not counted as the namespace's), the nsfs bind
 * mounts in our mountinfo, and the cgroup of one process per namespace
 * (with the container's and pod's names where the runtime's state file under
 * `hostRoot` gives them). A process that exits while we look is skipped.
 */
export async function discoverNamespaces(procRoot = '/proc', hostRoot = '', own: ReadonlySet<number> = new Set()): Promise<NetNamespace[]> {
  const pids = (quietly(() => readdirSync(procRoot)) ?? []).filter((e) => /^\d+$/.test(e)).map(Number);
  const processes: { pid: number; inode: number; own: boolean }[] = [];
  for (const pid of pids) {
    const inode = parseNetNsLink(quietly(() => readlinkSync(`${procRoot}/${pid}/ns/net`)) ?? '');
    if (inode !== undefined) processes.push({ pid, inode, own: own.has(pid) });
  }
  const mountinfo = quietly(() => readFileSync(`${procRoot}/self/mountinfo`, 'utf8')) ?? '';
  // The host's: PID 1's, or ours where PID 1 cannot be looked at (a sandbox's init of another user).
  const link = (pid: string) => parseNetNsLink(quietly(() => readlinkSync(`${procRoot}/${pid}/ns/net`)) ?? '');
  const host = link('1') ?? link('self');
  const grouped = groupNamespaces(processes, parseNsfsMounts(mountinfo), host);
  // The container of each namespace: its representative's cgroup, read once here.
  for (const ns of grouped) {
    if (ns.host || ns.representative === undefined) continue;
    const cgroup = quietly(() => readFileSync(`${procRoot}/${ns.representative}/cgroup`, 'utf8'));
    const container = cgroup === undefined ? undefined : parseCgroup(cgroup);
    if (container) ns.container = { ...container, ...runtimeNames(container, hostRoot) };
  }
  return grouped;
}
