import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readlink, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverNamespaces } from '../../collectors/namespaces.js';
import { parseNetNsLink } from '../../collectors/parse/namespaces.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';

const available = await canCreateNetns();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A v1 pids hierarchy, where a test can give a process a pod's cgroup path. */
const PIDS_CGROUP = '/sys/fs/cgroup/pids';
const POD_UID = '5c2a7e10-1111-2222-3333-444455556666';
const CONTAINER_ID = 'ab'.repeat(32);

describe.runIf(available)('every network namespace of the host', () => {
  let ns: TestNetns | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    await ns?.destroy();
    ns = undefined;
  });

  /** A namespace with no name, held by one process (as a container's is). */
  async function unnamed(): Promise<{ pid: number; inode: number }> {
    const child = execa('unshare', ['--net', 'sleep', '120'], { reject: false });
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await child;
    });
    const pid = child.pid!;
    // unshare execs sleep in place once the namespace is made: wait for the link to change.
    const host = parseNetNsLink(await readlink('/proc/self/ns/net'));
    const until = Date.now() + 5000;
    let inode: number | undefined;
    while (Date.now() < until) {
      inode = parseNetNsLink(await readlink(`/proc/${pid}/ns/net`).catch(() => ''));
      if (inode !== undefined && inode !== host) break;
      await sleep(20);
    }
    return { pid, inode: inode ?? -1 };
  }

  it('finds a named one and one held only by a process, by inode, with the host marked first', async () => {
    ns = await TestNetns.create('disc');
    const server = await ns.incident('serve', { port: 9100 });
    const held = await unnamed();
    const found = await discoverNamespaces();
    expect(found[0]?.host).toBe(true);
    const pid1 = parseNetNsLink(await readlink('/proc/1/ns/net').catch(() => ''));
    expect(found[0]?.inode).toBe(pid1 ?? parseNetNsLink(await readlink('/proc/self/ns/net')));
    const named = found.find((n) => n.names.includes(ns!.name));
    expect(named?.inode).toBe((await stat(`/run/netns/${ns.name}`)).ino);
    expect(named?.processes).toBeGreaterThanOrEqual(1);
    expect(named?.representative).toBeLessThanOrEqual(server.pid);
    const alone = found.find((n) => n.inode === held.inode);
    expect(alone).toMatchObject({ names: [], processes: 1, representative: held.pid, host: false });
    // Deduplicated: each inode once.
    expect(new Set(found.map((n) => n.inode)).size).toBe(found.length);
  });

  it.runIf(existsSync(PIDS_CGROUP))('names the pod and container from the cgroup path of the process that holds it', async () => {
    const held = await unnamed();
    const dir = `${PIDS_CGROUP}/kubepods/burstable/pod${POD_UID}/${CONTAINER_ID}`;
    await mkdir(dir, { recursive: true });
    cleanups.push(async () => {
      for (const d of [dir, `${PIDS_CGROUP}/kubepods/burstable/pod${POD_UID}`, `${PIDS_CGROUP}/kubepods/burstable`, `${PIDS_CGROUP}/kubepods`]) await rmdir(d).catch(() => undefined);
    });
    await writeFile(`${dir}/cgroup.procs`, String(held.pid));
    const found = await discoverNamespaces();
    expect(found.find((n) => n.inode === held.inode)?.container).toMatchObject({ runtime: 'containerd', id: CONTAINER_ID.slice(0, 12), fullId: CONTAINER_ID, podUid: POD_UID });
    // The pod's name, where containerd's state file on the host gives it (a host root the test lays out: no containerd runs here).
    const root = await mkdtemp(join(tmpdir(), 'nt-root-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const state = `${root}/run/containerd/io.containerd.runtime.v2.task/k8s.io/${CONTAINER_ID}`;
    await mkdir(state, { recursive: true });
    await writeFile(`${state}/config.json`, JSON.stringify({ annotations: { 'io.kubernetes.cri.sandbox-name': 'web-0', 'io.kubernetes.cri.sandbox-namespace': 'shop' } }));
    const named = (await discoverNamespaces('/proc', root)).find((n) => n.inode === held.inode)?.container;
    expect(named).toMatchObject({ podUid: POD_UID, podName: 'web-0', podNamespace: 'shop' });
  });

  it('sees a namespace go when its last process exits, and a deleted name go', async () => {
    ns = await TestNetns.create('disc-gone');
    const held = await unnamed();
    expect((await discoverNamespaces()).some((n) => n.inode === held.inode)).toBe(true);
    process.kill(held.pid, 'SIGKILL');
    const until = Date.now() + 5000;
    while (Date.now() < until && (await discoverNamespaces()).some((n) => n.inode === held.inode)) await sleep(50);
    expect((await discoverNamespaces()).some((n) => n.inode === held.inode)).toBe(false);
    const name = ns.name;
    expect((await discoverNamespaces()).some((n) => n.names.includes(name))).toBe(true);
    await ns.destroy();
    ns = undefined;
    expect((await discoverNamespaces()).some((n) => n.names.includes(name))).toBe(false);
  });
});
