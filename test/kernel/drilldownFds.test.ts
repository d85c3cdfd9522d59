import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillController } from '../../src/drilldown/controller.js';
import { OwnersService } from '../../collectors/socketOwners.js';
import { defaultRoots } from '../../src/target.js';
import { createTargetIO } from '../../src/targetIO.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';

const available = await canCreateNetns();
const ownFds = () => readdirSync('/proc/self/fd').length;

describe.runIf(available)('the drill-down does not leak file descriptors', () => {
  let ns: TestNetns;
  beforeAll(async () => {
    ns = await TestNetns.create('fds');
    await ns.incident('slam', { port: 9800 });
  });
  afterAll(async () => ns?.destroy());

  it('keeps its own open-fd count flat over 1,000 owner refreshes while owners come and go', async () => {
    // Short-lived bash processes, each holding a socket the server already closed (CLOSE-WAIT).
    const churn = execa(
      'ip',
      ['netns', 'exec', ns.name, 'bash', '-c', 'for i in $(seq 1 2500); do (exec 3<>/dev/tcp/127.0.0.1/9800; sleep 0.2) 2>/dev/null & sleep 0.01; done; wait'],
      { reject: false },
    );
    const io = createTargetIO({ kind: 'netns', name: ns.name }, defaultRoots);
    // Paced by nothing but its own duration: every refresh asks ss -p again.
    const drill = new DrillController(io, new OwnersService(io), { refreshMs: 20, timeoutMs: 5000, share: 1 });
    drill.open('CLOSE-WAIT');
    // The first refresh starts the first child process, which sets up what Node keeps for all of them.
    await drill.refreshNow();
    const baseline = ownFds();
    const pids = new Set<number>();
    const samples: number[] = [];
    for (let i = 1; i <= 1000; i++) {
      await drill.refreshNow();
      for (const o of drill.current()?.owners ?? []) pids.add(o.pid);
      if (i % 100 === 0) samples.push(ownFds());
    }
    drill.close();
    churn.kill('SIGKILL');
    await churn;
    expect(pids.size).toBeGreaterThan(100); // processes really came and went
    // Every /proc file is closed once read: between refreshes nothing is left open,
    // however many processes were looked at.
    expect(Math.max(...samples)).toBeLessThanOrEqual(baseline + 2);
  }, 120_000);
});
