import { describe, expect, it } from 'vitest';
import { groupNamespaces, parseNetNsLink, parseNsfsMounts } from '../../collectors/parse/namespaces.js';

describe('network namespace discovery', () => {
  it('reads inodes from ns links and nsfs mounts, and names ip netns mounts by name', () => {
    expect(parseNetNsLink('net:[4026531840]')).toBe(4026531840);
    expect(parseNetNsLink('mnt:[4026531841]')).toBeUndefined();
    const mountinfo = [
      '24 29 0:22 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=811364k',
      '48 42 0:4 net:[4026532522] /run/netns/blue rw shared:2 - nsfs nsfs rw',
      '49 42 0:4 net:[4026532522] /var/run/netns/blue rw shared:2 - nsfs nsfs rw',
      '50 24 0:4 net:[4026532600] /var/lib/cni/netns/cni-1a2b\\040c rw - nsfs nsfs rw',
      '51 24 0:4 mnt:[4026532700] /run/mntns/x rw - nsfs nsfs rw',
      'garbage',
    ].join('\n');
    expect(parseNsfsMounts(mountinfo)).toEqual([
      { name: 'blue', inode: 4026532522 },
      { name: 'blue', inode: 4026532522 },
      { name: '/var/lib/cni/netns/cni-1a2b c', inode: 4026532600 },
    ]);
  });

  it('groups processes and names by inode, the host first, a name nothing runs in kept', () => {
    const grouped = groupNamespaces(
      [
        { pid: 1, inode: 100 },
        { pid: 2, inode: 100 },
        { pid: 900, inode: 200 },
        { pid: 850, inode: 200 },
        { pid: 700, inode: 300 },
      ],
      [
        { name: 'blue', inode: 200 },
        { name: 'blue', inode: 200 },
        { name: 'empty', inode: 400 },
      ],
      100,
    );
    expect(grouped).toEqual([
      { inode: 100, names: [], processes: 2, representative: 1, host: true },
      { inode: 200, names: ['blue'], processes: 2, representative: 850, host: false },
      { inode: 400, names: ['empty'], processes: 0, host: false },
      { inode: 300, names: [], processes: 1, representative: 700, host: false },
    ]);
  });
});

describe('the fleet', () => {
  it('keeps every counter a rule over counters judges', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { FLEET_COUNTERS, FLEET_RULES } = await import('../../src/fleet/fleet.js');
    const dir = new URL('../../src/alerts/rules/', import.meta.url);
    const named = readdirSync(dir).flatMap((f) => [...readFileSync(new URL(f, dir), 'utf8').matchAll(/'((?:Tcp|Udp|Ip)[A-Za-z0-9]+)'/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(FLEET_COUNTERS.has(name!), name).toBe(true);
    expect(FLEET_RULES.map((r) => r.id)).toContain('close-wait-climbing');
  });
});
