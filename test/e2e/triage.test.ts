import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';

const netnsOk = await canCreateNetns();

/**
 * The triage checklist as a user drives it: a namespace whose default
 * gateway does not answer ARP, clients that keep trying an address behind
 * it; `t` opens the checklist, the route layer is marked where to start,
 * Enter opens it, Esc and `t` come back. Its nameserver, on the link,
 * answers: the L7 line is ✓ above the broken L3.
 */
describe.runIf(hasTmux && netnsOk)('the triage checklist in a terminal', () => {
  let ns: TestNetns;
  let peer: TestNetns;
  let session: TmuxSession | undefined;
  let nameserver: { kill(signal?: NodeJS.Signals): unknown } | undefined;

  beforeAll(async () => {
    ns = await TestNetns.create('triage');
    peer = await TestNetns.create('triage-p');
    await ns.linkTo(peer, 77);
    await ns.exec(['ip', 'route', 'add', 'default', 'via', '10.77.0.77']);
    await ns.incident('dial', { to: '10.99.77.1', port: 443, count: 240, perBatch: 2, everyMs: 500 });
    // The namespace's resolver is on the link, and answers: DNS works while the gateway does not.
    mkdirSync(`/etc/netns/${ns.name}`, { recursive: true });
    writeFileSync(`/etc/netns/${ns.name}/resolv.conf`, 'nameserver 10.77.0.2\n');
    const server = execa('ip', ['netns', 'exec', peer.name, 'python3', join(import.meta.dirname, '../helpers/dns-server.py'), '10.77.0.2', 'ok', '150'], { reject: false });
    nameserver = server;
    await new Promise<void>((resolve) => server.stdout?.once('data', () => resolve()));
  });
  afterAll(async () => {
    nameserver?.kill('SIGKILL');
    if (ns) rmSync(`/etc/netns/${ns.name}`, { recursive: true, force: true });
    await ns?.destroy();
    await peer?.destroy();
  });
  afterEach(async () => {
    await session?.kill();
    session = undefined;
  });

  for (const [columns, rows] of [
    [100, 30],
    [200, 60],
  ] as const) {
    it(`marks the lowest broken layer, opens it with Enter and comes back, at ${columns}x${rows}`, async () => {
      session = await TmuxSession.start(`node ${BIN} --netns ${ns.name}`, { label: `triage-${columns}`, columns, rows });
      await session.waitFor(/gateway-unreachable/, 30_000);
      await session.keys('t');
      // The checklist asks the nameserver while it is open: the L7 line is judged within a probe.
      const checklist = await session.waitFor(/✓ L7 DNS and the application\s+DNS 10\.77\.0\.2 NOERROR \d+ ms/, 15_000);
      const lines = checklist.split('\n');
      const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
      // Bottom-up, one line a layer; the route layer broken and marked where to start.
      expect(at(/✓ L1\/2 link and NIC/)).toBeGreaterThan(0);
      expect(at(/✕ L3 route, neighbour, IP\s+▶ start here — gateway-unreachable/)).toBeGreaterThan(at(/L1\/2 link and NIC/));
      expect(at(/L4 sockets, queues, conntrack/)).toBeGreaterThan(at(/L3 route/));
      expect(at(/✓ L7 DNS and the application/)).toBeGreaterThan(at(/L4 sockets/));
      expect(checklist).toMatch(/stop at the first layer that is broken: L3 route, neighbour, IP/);
      // The next command, run inside the namespace (cut at 100 columns, where the namespace's name decides how much shows).
      expect(checklist).toMatch(/\$ nsenter --net=\/run\/netns\/nt-triage-\d+ ip neigh show /);
      // The selection starts at the bottom layer; down once is the route layer.
      await session.keys('j', 'Enter');
      // Enter on the route layer opens its alert's subject: the NIC panel, focused (alone where it has no room), at the gateway's interface.
      const opened = await session.waitFor(/╭─ NICs[^\n]*\n[^\n]*vt77a/);
      expect(opened).toMatch(/╭─ NICs[^\n]*\n[^\n]*vt77a/);
      expect(opened).not.toMatch(/Triage, bottom-up/);
      if (columns === 100) expect(opened).toMatch(/NICs shown alone/);
      await session.keys('t');
      await session.waitFor(/Triage, bottom-up/);
      await session.keys('Escape');
      const back = await session.waitFor(/╭─ TCP sockets/);
      expect(back).not.toMatch(/Triage, bottom-up/);
    }, 60_000);
  }
});
