import { type ResultPromise, execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillController } from '../../src/drilldown/controller.js';
import { drillRows } from '../../src/drilldown/rows.js';
import { OwnersService } from '../../collectors/socketOwners.js';
import { defaultRoots } from '../../src/target.js';
import { createTargetIO } from '../../src/targetIO.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { until } from '../helpers/wait.js';

const available = await canCreateNetns();

/** Reads whatever arrives on :9300 for at most `seconds`. */
const SINK = (seconds: number) =>
  `import socket,threading,time\nl=socket.socket()\nl.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\nl.bind(("0.0.0.0",9300))\nl.listen(16)\ndef drain(c):\n  while c.recv(65536): pass\nend=time.time()+${seconds}\nl.settimeout(1)\nwhile time.time()<end:\n  try:\n    c,_=l.accept()\n    threading.Thread(target=drain,args=(c,),daemon=True).start()\n  except socket.timeout: pass`;
/** Three connections to the sink, 16 KiB every 10 ms each, for at most `seconds`. */
const SENDER = (to: string, seconds: number) =>
  `import socket,time\ncs=[socket.create_connection(("${to}",9300)) for _ in range(3)]\nend=time.time()+${seconds}\nwhile time.time()<end:\n  for c in cs: c.send(b"x"*16384)\n  time.sleep(0.01)`;

describe.runIf(available)('per-socket TCP health: loss on a veth', () => {
  let a: TestNetns;
  let b: TestNetns;
  let link: Awaited<ReturnType<TestNetns['linkTo']>>;
  const children: ResultPromise[] = [];

  beforeAll(async () => {
    a = await TestNetns.create('hl-a');
    b = await TestNetns.create('hl-b');
    link = await a.linkTo(b, 79);
    // One segment in five toward the sink is lost on its way in.
    await b.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '9300', '-m', 'statistic', '--mode', 'random', '--probability', '0.2', '-j', 'DROP']);
    children.push(execa('ip', ['netns', 'exec', b.name, 'python3', '-c', SINK(60)], { reject: false }));
    await until('the sink listens', 10_000, async () => ((await b.exec(['ss', '-tlnH', 'sport', '= :9300'])).stdout.trim() ? true : undefined));
  }, 30_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.allSettled(children);
    await a?.destroy();
    await b?.destroy();
  });

  it("shows the sending process's sockets retransmitting, worst first", async () => {
    const sender = execa('ip', ['netns', 'exec', a.name, 'python3', '-c', SENDER(link.addrB, 60)], { reject: false });
    children.push(sender);
    const io = createTargetIO({ kind: 'netns', name: a.name }, defaultRoots);
    const drill = new DrillController(io, new OwnersService(io), { refreshMs: 200, timeoutMs: 5000, share: 1 });
    try {
      drill.open('ESTAB');
      const owner = await until('the sender owns 3 established sockets', 15_000, async () => {
        await drill.refreshNow();
        return drill.current()?.owners.find((o) => o.pid === sender.pid && o.count === 3);
      });
      expect(owner.name).toBe('python3');
      drill.watchHealth(sender.pid);
      const data = await until('its sockets show retransmits', 20_000, async () => {
        await drill.refreshNow();
        const d = drill.current();
        const health = d?.health;
        return health && health.pid === sender.pid && [...health.byKey.values()].filter((h) => (h.retransTotal ?? 0) > 0).length === 3 ? d : undefined;
      });
      expect(data.health?.problem).toBeUndefined();
      // Only the sender's three sockets, matched by both ends.
      expect(data.health?.byKey.size).toBe(3);
      const rows = drillRows(data, { kind: 'sockets', pid: sender.pid! }, 'sockets', '', 'retrans');
      expect(rows).toHaveLength(3);
      const totals = rows.map((r) => (r.kind === 'socket' ? (r.health?.retransTotal ?? -1) : -1));
      expect(totals).toEqual([...totals].sort((x, y) => y - x));
      for (const r of rows) {
        if (r.kind !== 'socket') throw new Error('a socket row');
        expect(r.socket.peer).toEqual({ address: link.addrB, port: '9300' });
        expect(r.health?.rttMs).toBeGreaterThan(0);
        expect(r.health?.cwnd).toBeGreaterThan(0);
      }
    } finally {
      drill.close();
      sender.kill('SIGKILL');
      await io.close();
    }
  }, 60_000);
});
