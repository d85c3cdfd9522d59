import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { NICS } from '../../collectors/nics.js';
import { buildLayers } from '../../src/layers.js';
import { buildRecord, type SampleRecord } from '../../src/record.js';
import { ReplayPlayer } from '../../src/recording/player.js';
import { recordingHeader } from '../../src/recording/session.js';
import { defaultAlertConfig } from '../../src/alerts/config.js';
import { ROUTES } from '../../collectors/routes.js';
import type { Alert } from '../../src/alerts/types.js';
import { parseCli } from '../../src/cli.js';
import { type Runtime, createRuntime } from '../../src/runtime.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { alive } from '../helpers/process.js';

const available = await canCreateNetns();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function watch(ns: TestNetns, config?: Parameters<typeof createRuntime>[1]): Runtime {
  const cli = parseCli(['--netns', ns.name, '--json']);
  if (cli.kind !== 'run') throw new Error('bad options');
  const runtime = createRuntime(cli.options, config);
  runtime.scheduler.start();
  return runtime;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 30_000): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = probe();
    if (found !== undefined) return found;
    await sleep(200);
  }
  return probe();
}

const alertOf = (runtime: Runtime, match: (a: Alert) => boolean) => () => runtime.alerts().alerts.find(match);

/** A python3 connect() to ADDR:PORT from inside the namespace: `ok`, or the errno's name. */
async function connectResult(ns: TestNetns, address: string, port: number): Promise<string> {
  const script = `import socket,errno\ns=socket.socket();s.settimeout(2)\ntry:\n  s.connect(("${address}",${port}));print("ok")\nexcept OSError as e:\n  print(errno.errorcode.get(e.errno, "timeout"))`;
  const r = await ns.exec(['python3', '-c', script]);
  return r.stdout.trim();
}

describe.runIf(available)('below TCP: links, routes and neighbours of a real namespace', () => {
  const made: TestNetns[] = [];
  let runtime: Runtime | undefined;
  const create = async (label: string) => {
    const ns = await TestNetns.create(label);
    made.push(ns);
    return ns;
  };
  afterEach(async () => {
    runtime?.scheduler.stop();
    await runtime?.close();
    runtime = undefined;
    for (const ns of made.splice(0)) await ns.destroy();
  });

  it('names a flapping link, then says it is down while its peer stays down; a healthy link raises nothing', async () => {
    const ns = await create('lk-flap');
    const peer = await create('lk-flap-p');
    const other = await create('lk-flap-o');
    const flappy = await ns.linkTo(peer, 71);
    const healthy = await ns.linkTo(other, 72);
    runtime = watch(ns);
    const up = await waitFor(() => runtime?.store.sample(NICS)?.value.interfaces.find((n) => n.name === flappy.a && n.carrier === true));
    expect(up).toBeDefined();
    // The peer's end down and up four times in ten seconds: eight carrier changes on ours.
    for (let i = 0; i < 4; i++) {
      await peer.exec(['ip', 'link', 'set', flappy.b, 'down']);
      await sleep(1200);
      await peer.exec(['ip', 'link', 'set', flappy.b, 'up']);
      await sleep(1200);
    }
    const flapping = await waitFor(alertOf(runtime, (a) => a.id === 'link-flapping' && a.subject === flappy.a), 15_000);
    expect(flapping?.summary).toMatch(new RegExp(`^${flappy.a}: carrier changed \\d+ times in 2m`));
    expect(Number(/changed (\d+) times/.exec(flapping?.summary ?? '')?.[1])).toBeGreaterThanOrEqual(6);
    await peer.exec(['ip', 'link', 'set', flappy.b, 'down']);
    // The namespace's link monitor makes the next sample read the links again, not the tenth.
    const lost = await waitFor(() => runtime?.store.sample(NICS)?.value.interfaces.find((n) => n.name === flappy.a && n.carrier === false), 4000);
    expect(lost).toBeDefined();
    const down = await waitFor(alertOf(runtime, (a) => a.id === 'link-down' && a.subject === flappy.a), 15_000);
    expect(down?.severity).toBe('critical');
    expect(down?.summary).toMatch(/^vt71a has no carrier \((DOWN|LOWERLAYERDOWN)\) and carries 1 route \(10\.71\.0\.0\/24\)/);
    expect(runtime.alerts().alerts.filter((a) => a.subject === healthy.a)).toEqual([]);
    // The monitor is one of the target's helpers, and goes with the runtime.
    const helpers = runtime.helperPids();
    expect(helpers.length).toBeGreaterThanOrEqual(2);
    runtime.scheduler.stop();
    await runtime.close();
    runtime = undefined;
    expect(await waitFor(() => (helpers.some(alive) ? undefined : true), 5000)).toBe(true);
    // Nor is the monitor itself left behind in the namespace.
    expect((await execa('sh', ['-c', `ip netns pids ${ns.name} | xargs -r ps -o args= -p`])).stdout).not.toMatch(/monitor link/);
  });

  it('says the default route is gone, and what it was; connections beyond the local network then fail at once', async () => {
    const ns = await create('lk-route');
    const peer = await create('lk-route-p');
    await ns.linkTo(peer, 73);
    // An address of the peer that only the default route reaches.
    await peer.exec(['ip', 'addr', 'add', '10.99.73.1/32', 'dev', 'lo']);
    await ns.exec(['ip', 'route', 'add', 'default', 'via', '10.73.0.2']);
    runtime = watch(ns);
    expect(await waitFor(() => runtime?.store.sample(ROUTES)?.value.defaultRoute?.gateway)).toBe('10.73.0.2');
    expect(await connectResult(ns, '10.99.73.1', 9)).toBe('ECONNREFUSED');
    await ns.exec(['ip', 'route', 'del', 'default']);
    const gone = await waitFor(alertOf(runtime, (a) => a.id === 'no-default-route'), 10_000);
    expect(gone?.severity).toBe('critical');
    expect(gone?.summary).toMatch(/^no default route: it was via 10\.73\.0\.2 dev vt73a/);
    expect(await connectResult(ns, '10.99.73.1', 9)).toBe('ENETUNREACH');
    expect(runtime.alerts().alerts.filter((a) => a.id === 'syn-sent-stuck' && !a.causedBy)).toEqual([]);
    // The packets that now have no route ride under the route that went.
    const noRoute = await waitFor(alertOf(runtime, (a) => a.id === 'destination-unreachable'), 10_000);
    expect(noRoute?.causedBy).toEqual({ id: 'no-default-route', subject: 'default' });
  });

  it('says the default gateway does not answer ARP, and the SYN-SENT pile toward an address behind it rides under that', async () => {
    const ns = await create('lk-gw');
    const peer = await create('lk-gw-p');
    await ns.linkTo(peer, 74);
    // A gateway on the link that nobody holds: ARP asks, nobody answers. It asks for a minute rather than
    // 3 s: with the default 3 probes the entry goes FAILED, every SYN queued behind it fails at once, and
    // the SYN-SENT pile empties for a moment each time (the rule wants it present in every sample).
    await ns.exec(['sysctl', '-qw', 'net.ipv4.neigh.vt74a.mcast_solicit=60']);
    await ns.exec(['ip', 'route', 'add', 'default', 'via', '10.74.0.77']);
    runtime = watch(ns);
    await waitFor(() => runtime?.store.sample(ROUTES)?.value.defaultRoute);
    // A client that keeps trying: its SYNs wait behind the unanswered ARP.
    await ns.incident('dial', { to: '10.99.74.1', port: 443, count: 120, perBatch: 2, everyMs: 500 });
    const gateway = await waitFor(alertOf(runtime, (a) => a.id === 'gateway-unreachable'), 20_000);
    expect(gateway?.subject).toBe('10.74.0.77');
    expect(gateway?.summary).toMatch(/the default gateway 10\.74\.0\.77 on vt74a does not answer ARP/);
    const symptom = await waitFor(alertOf(runtime, (a) => a.id === 'syn-sent-stuck' && a.subject === '10.99.74.1:443'), 20_000);
    expect(symptom?.causedBy).toEqual({ id: 'gateway-unreachable', subject: '10.74.0.77' });
    expect(symptom?.why).toMatch(/through the default gateway 10\.74\.0\.77, which does not answer ARP/);
    // No other top-level critical while it lasts.
    expect(runtime.alerts().alerts.filter((a) => !a.causedBy && a.severity === 'critical').map((a) => a.id)).toEqual(['gateway-unreachable']);
    // `ip neigh` says exactly which state, and the checklist shows the route the kernel picks toward the pile.
    const exact = await waitFor(alertOf(runtime, (a) => a.id === 'gateway-unreachable' && /entry is (FAILED|INCOMPLETE)$/.test(a.summary)), 15_000);
    expect(exact).toBeDefined();
    const route = buildLayers(runtime.store, runtime.alerts().alerts).find((l) => l.layer === 'route');
    expect(route?.details).toContain('route get 10.99.74.1 via 10.74.0.77 dev vt74a src 10.74.0.1');
  }, 90_000);

  it('names a destination an unreachable route covers, and the SYN-SENT pile toward it rides under that', async () => {
    const ns = await create('lk-unr');
    const peer = await create('lk-unr-p');
    await ns.linkTo(peer, 75);
    // The peer drops the SYNs: a pile of SYN-SENT toward 10.75.0.2:443.
    await peer.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '443', '-j', 'DROP']);
    runtime = watch(ns);
    await ns.incident('dial', { to: '10.75.0.2', port: 443, count: 160, perBatch: 2, everyMs: 500 });
    const stuck = await waitFor(alertOf(runtime, (a) => a.id === 'syn-sent-stuck' && a.subject === '10.75.0.2:443'), 20_000);
    expect(stuck?.causedBy).toBeUndefined();
    // Then a route that refuses it: the SYNs already in flight can no longer leave.
    await ns.exec(['ip', 'route', 'add', 'unreachable', '10.75.0.2/32']);
    const refused = await waitFor(alertOf(runtime, (a) => a.id === 'destination-unreachable' && a.subject === '10.75.0.2'), 20_000);
    expect(refused?.severity).toBe('critical');
    expect(refused?.summary).toBe('no route to 10.75.0.2: an unreachable route covers it — `ip route get` says "No route to host"; connect() to it fails at once');
    const symptom = await waitFor(alertOf(runtime, (a) => a.id === 'syn-sent-stuck' && a.subject === '10.75.0.2:443' && a.causedBy !== undefined), 10_000);
    expect(symptom?.causedBy).toEqual({ id: 'destination-unreachable', subject: '10.75.0.2' });
    const route = buildLayers(runtime.store, runtime.alerts().alerts).find((l) => l.layer === 'route');
    expect(route?.status).toBe('broken');
    expect(route?.details?.[0]).toBe('route get 10.75.0.2: No route to host');
    // The record carries the refusal, and a replay of it judges the same destination again.
    const record = JSON.parse(JSON.stringify(buildRecord(runtime.store, { kind: 'netns', name: ns.name }, 1000, runtime.alerts()))) as SampleRecord;
    expect(record.paths && 'lookups' in record.paths ? record.paths.lookups : []).toContainEqual({ destination: '10.75.0.2', error: 'No route to host' });
    const header = recordingHeader({ version: 'x', host: 'h', kernel: 'k', target: `netns:${ns.name}`, intervalMs: 1000, config: defaultAlertConfig() });
    const player = new ReplayPlayer({ header, records: [record], problems: [] }, defaultAlertConfig());
    expect(player.alerts().alerts.find((a) => a.id === 'destination-unreachable' && a.subject === '10.75.0.2')?.summary).toBe(refused?.summary);
    player.stop();
  }, 60_000);

  it('counts the host’s neighbour table against gc_thresh3 (shared by every namespace: set low in the rule, not in the kernel)', async () => {
    const ns = await create('lk-neigh');
    const peer = await create('lk-neigh-p');
    const link = await ns.linkTo(peer, 75);
    const before = await waitFor(() => {
      runtime ??= watch(ns, { ...defaultAlertConfig(), 'neighbour-table-full': { enabled: true, params: { warnShare: 0.05, critShare: 0.9 } } });
      return runtime.store.sample(ROUTES)?.value.table4;
    });
    expect(before?.gcThresh3).toBeGreaterThan(0);
    const wanted = Math.ceil((before?.gcThresh3 ?? 1024) * 0.06) + 10;
    // Stale entries count toward gc_thresh3 (permanent ones do not); the namespace goes with its entries.
    const batch = Array.from({ length: wanted }, (_, i) => `neigh add 10.75.${1 + Math.floor(i / 250)}.${1 + (i % 250)} lladdr 02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')} dev ${link.a} nud stale`);
    await ns.exec(['ip', 'route', 'add', '10.75.0.0/16', 'dev', link.a]);
    await ns.exec(['sh', '-c', `printf '%s\\n' ${batch.map((l) => `'${l}'`).join(' ')} | ip -batch -`]);
    const full = await waitFor(alertOf(runtime as Runtime, (a) => a.id === 'neighbour-table-full' && a.subject === 'ipv4'), 10_000);
    expect(full?.severity).toBe('warning');
    expect(full?.summary).toMatch(/^ARP table: [\d,]+ of [\d,]+ entries \(net\.ipv4\.neigh\.default\.gc_thresh3\)/);
    expect(runtime?.store.sample(ROUTES)?.value.table4?.entries).toBeGreaterThanOrEqual(wanted);
  });

  it('says the two ends of a veth differ in MTU, and that it drops once large frames cross it', async () => {
    const ns = await create('lk-mtu');
    await ns.exec(['ip', 'link', 'add', 'vm1', 'type', 'veth', 'peer', 'name', 'vm2']);
    await ns.exec(['ip', 'link', 'set', 'vm1', 'mtu', '1400']);
    await ns.exec(['ip', 'link', 'set', 'vm1', 'up']);
    await ns.exec(['ip', 'link', 'set', 'vm2', 'up']);
    runtime = watch(ns);
    const mismatch = await waitFor(alertOf(runtime, (a) => a.id === 'mtu-mismatch'), 15_000);
    expect(mismatch?.subject).toBe('vm1');
    expect(mismatch?.severity).toBe('warning');
    expect(mismatch?.summary).toBe('vm1 has MTU 1400, its peer vm2 1500: frames over 1400 bytes from vm2 are dropped');
    // Full-size Ethernet frames sent out of vm2: vm1 refuses them.
    const frames = ['import socket,time', 's=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)', 's.bind(("vm2",0))', 'for _ in range(20):', '  try: s.send(bytes(6*[255])+bytes(6*[2])+bytes([8,0])+bytes(1486))', '  except OSError: pass', '  time.sleep(0.1)'].join('\n');
    await ns.exec(['python3', '-c', frames]);
    const dropping = await waitFor(alertOf(runtime, (a) => a.id === 'mtu-mismatch' && a.severity === 'critical'), 20_000);
    expect(dropping?.summary).toMatch(/— dropping now$/);
  });

  it('names the peer behind a PMTU black hole: small responses pass, large ones hang, the router\u2019s "fragmentation needed" dropped', async () => {
    const client = await create('lk-pc');
    const router = await create('lk-pr');
    const server = await create('lk-ps');
    await client.linkTo(router, 81);
    await router.linkTo(server, 82);
    // The router's link toward the client is smaller, and the ICMP that would tell the server so is dropped.
    await router.exec(['ip', 'link', 'set', 'vt81b', 'mtu', '1280']);
    await router.exec(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await router.exec(['iptables', '-A', 'OUTPUT', '-p', 'icmp', '--icmp-type', 'fragmentation-needed', '-j', 'DROP']);
    await client.exec(['ip', 'route', 'add', 'default', 'via', '10.81.0.2']);
    await server.exec(['ip', 'route', 'add', 'default', 'via', '10.82.0.1']);
    const serve = [
      'import socket,threading,time',
      's=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(("10.82.0.2",8080));s.listen(16)',
      'print("ready",flush=True)',
      'def handle(c):',
      '  req=c.recv(100)',
      '  c.sendall(b"x"*(200_000 if req.startswith(b"big") else 100))',
      '  time.sleep(90)',
      'end=time.time()+90',
      'while time.time()<end:',
      '  c,_=s.accept(); threading.Thread(target=handle,args=(c,),daemon=True).start()',
    ].join('\n');
    const serving = execa('ip', ['netns', 'exec', server.name, 'python3', '-c', serve], { reject: false });
    await new Promise<void>((resolve) => serving.stdout?.once('data', () => resolve()));
    const ask = (what: string) =>
      client.exec(['python3', '-c', `import socket\ns=socket.create_connection(("10.82.0.2",8080),timeout=3)\ns.sendall(b"${what}")\ngot=0\ntry:\n  while got<100 or "${what}"=="big":\n    d=s.recv(65536)\n    if not d: break\n    got+=len(d)\nexcept OSError: pass\nprint(got)`]);
    runtime = watch(server);
    try {
      // A small response arrives whole; a large one hangs after what fits (nothing full-size gets through).
      expect((await ask('small')).stdout.trim()).toBe('100');
      const big = ask('big');
      const hole = await waitFor(alertOf(runtime, (a) => a.id === 'pmtu-blackhole'), 40_000);
      expect(hole?.subject).toBe('10.81.0.1');
      expect(hole?.summary).toMatch(/^likely PMTU black hole toward 10\.81\.0\.1: 1 connection backing off ×\d+ with \d+ segments? of 1448 bytes unacknowledged; their requests arrived; pmtu 1500 = vt82b's MTU/);
      expect(Number((await big).stdout.trim())).toBeLessThan(200_000);
      // `ip route get` asked for the peer: the route cache holds no smaller path MTU.
      expect(await waitFor(alertOf(runtime, (a) => a.id === 'pmtu-blackhole' && a.summary.includes('no PMTU exception in the route cache')), 15_000)).toBeDefined();
      // Let the router's ICMP through: the next large response teaches the kernel the path MTU, and the exception shows.
      await router.exec(['iptables', '-D', 'OUTPUT', '-p', 'icmp', '--icmp-type', 'fragmentation-needed', '-j', 'DROP']);
      expect(Number((await ask('big')).stdout.trim())).toBeGreaterThan(0);
      const learned = await waitFor(() => buildLayers(runtime?.store as Runtime['store'], []).find((l) => l.layer === 'route')?.details?.find((d) => /PMTU 1280 cached/.test(d)), 40_000);
      expect(learned).toMatch(/^(route get|cached) 10\.81\.0\.1 via 10\.82\.0\.1 dev vt82b( src 10\.82\.0\.2)?, PMTU 1280 cached \(\d+ s\)$/);
    } finally {
      serving.kill('SIGKILL');
    }
  }, 90_000);

  it('says packets leave with no route in a namespace that never had a default route', async () => {
    const ns = await create('lk-noroute');
    runtime = watch(ns);
    await waitFor(() => runtime?.store.sample(ROUTES));
    expect(await connectResult(ns, '10.97.0.1', 443)).toBe('ENETUNREACH');
    const unreachable = await waitFor(alertOf(runtime, (a) => a.id === 'destination-unreachable'), 10_000);
    expect(unreachable?.severity).toBe('critical');
    expect(unreachable?.summary).toMatch(/packets\/s leave with no route \(IpOutNoRoutes\): there is no default route; connect\(\) to those destinations fails with ENETUNREACH$/);
    expect(runtime.alerts().alerts.filter((a) => a.id === 'no-default-route')).toEqual([]);
  });

  it('says an IPv6 address failed duplicate address detection when the other end of the link holds it', async () => {
    const ns = await create('lk-dad');
    const peer = await create('lk-dad-p');
    const link = await ns.linkTo(peer, 83);
    await peer.exec(['ip', 'addr', 'add', 'fd00:83::1/64', 'dev', link.b]);
    runtime = watch(ns);
    // The peer's address must be past its own detection before ours starts: until it is no longer tentative.
    let ready = '';
    for (let i = 0; i < 50 && !/fd00:83::1\/64 scope global\s*$/m.test(ready); i++) {
      ready = (await peer.exec(['ip', '-6', 'addr', 'show', 'dev', link.b])).stdout;
      await sleep(200);
    }
    await ns.exec(['ip', 'addr', 'add', 'fd00:83::1/64', 'dev', link.a]);
    const dad = await waitFor(alertOf(runtime, (a) => a.id === 'duplicate-address'), 15_000);
    expect(dad?.subject).toBe('fd00:83::1');
    expect(dad?.summary).toMatch(/^fd00:83::1\/64 on vt83a failed duplicate address detection/);
  });
});
