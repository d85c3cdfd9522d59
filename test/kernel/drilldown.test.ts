import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillController } from '../../src/drilldown/controller.js';
import { OwnersService } from '../../collectors/socketOwners.js';
import { defaultRoots } from '../../src/target.js';
import { createTargetIO } from '../../src/targetIO.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';

const available = await canCreateNetns();

describe.runIf(available)('drill-down on the real kernel', () => {
  let ns: TestNetns;
  let leakPid = 0;

  beforeAll(async () => {
    ns = await TestNetns.create('drill');
    // 7 connections the process leaves in CLOSE-WAIT, 9 short ones to :9102 left in TIME-WAIT.
    leakPid = (await ns.incident('states', { port: 9100, established: 2, closeWait: 7, timeWait: 9, clientClose: 'destroy' })).pid;
  });
  afterAll(async () => ns?.destroy());

  const controller = () => {
    const io = createTargetIO({ kind: 'netns', name: ns.name }, defaultRoots);
    return new DrillController(io, new OwnersService(io), { refreshMs: 1000, timeoutMs: 5000 });
  };

  it('shows the process that leaks CLOSE-WAIT with its pid, name and exact count', async () => {
    const drill = controller();
    drill.open('CLOSE-WAIT');
    await drill.refreshNow();
    const data = drill.current();
    drill.close();
    expect(data?.problem).toBeUndefined();
    expect(data?.owners).toHaveLength(1);
    const owner = data!.owners[0]!;
    expect(owner).toMatchObject({ pid: leakPid, name: 'node', count: 7, share: 1 });
    expect(owner.details).toMatchObject({ comm: 'node', user: 'root', gone: false });
    expect(owner.details?.fds).toBeGreaterThan(7);
    expect(owner.details?.fdLimit).toBeGreaterThan(0);
    expect(owner.details?.rssBytes).toBeGreaterThan(1_000_000);
    expect(owner.peers).toEqual([{ endpoint: '127.0.0.1:*', count: 7 }]);
    expect(data?.unowned).toHaveLength(0);
  });

  it('groups a TIME-WAIT burst under its destination with the right count', async () => {
    const drill = controller();
    drill.open('TIME-WAIT');
    await drill.refreshNow();
    const data = drill.current();
    drill.close();
    expect(data?.withOwners).toBe(false);
    expect(data?.destinations).toEqual([{ localAddress: '127.0.0.1', peer: '127.0.0.1:9102', count: 9, byState: { 'TIME-WAIT': 9 } }]);
  });
});
