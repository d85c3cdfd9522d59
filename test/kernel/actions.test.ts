import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionId, type ActionPlan, type ActionSubject, planAction } from '../../src/actions/plans.js';
import { installedOnPath, runAction, typedCommand, unplannableText } from '../../src/actions/run.js';
import { defaultRoots, netnsCommandPrefix } from '../../src/target.js';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { until } from '../helpers/wait.js';

const available = await canCreateNetns();
const DNS_SERVER = join(import.meta.dirname, '../helpers/dns-server.py');
const SERVER = '10.65.0.2';

/**
 * client — router — server: every action runs in the client's namespace
 * toward the server's address, two hops away. Nothing is sent anywhere else.
 */
describe.runIf(available)('actions on a selected row, inside the watched namespace', () => {
  let client: TestNetns;
  let router: TestNetns;
  let server: TestNetns;
  let prefix: string[];
  const children: { kill(signal?: NodeJS.Signals): unknown }[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'nt-actions-'));

  beforeAll(async () => {
    client = await TestNetns.create('act-c');
    router = await TestNetns.create('act-r');
    server = await TestNetns.create('act-s');
    await client.linkTo(router, 64);
    await router.linkTo(server, 65);
    await router.exec(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await client.exec(['ip', 'route', 'add', '10.65.0.0/24', 'via', '10.64.0.2']);
    await server.exec(['ip', 'route', 'add', '10.64.0.0/24', 'via', '10.65.0.1']);
    // Port 7000's SYNs vanish: what a firewall that drops looks like.
    await server.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '7000', '-j', 'DROP']);
    const start = async (argv: string[], ready: RegExp, cwd = scratch) => {
      const child = execa('ip', ['netns', 'exec', server.name, ...argv], { reject: false, cwd, all: true });
      children.push(child);
      await new Promise<void>((resolve) => {
        let seen = '';
        child.all?.on('data', (d: Buffer) => {
          seen += d.toString();
          if (ready.test(seen)) resolve();
        });
      });
    };
    await start(['python3', '-u', '-m', 'http.server', '--bind', SERVER, '8080'], /Serving HTTP/);
    // A self-signed certificate that expires in 3 days.
    await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3', '-subj', '/CN=shop.test', '-keyout', join(scratch, 'key.pem'), '-out', join(scratch, 'cert.pem')]);
    await start(['openssl', 's_server', '-accept', `${SERVER}:8443`, '-cert', join(scratch, 'cert.pem'), '-key', join(scratch, 'key.pem'), '-www'], /ACCEPT/);
    await start(['python3', DNS_SERVER, SERVER, 'ok', '120'], /ready/);
    prefix = netnsCommandPrefix({ kind: 'netns', name: client.name }, defaultRoots);
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const ns of [client, router, server]) await ns?.destroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  const plan = (id: ActionId, subject: ActionSubject, nameserver?: string): ActionPlan => {
    const p = planAction(id, subject, (tool) => installedOnPath(tool), nameserver);
    if (!('steps' in p)) throw new Error(unplannableText(p));
    return p;
  };
  const run = (p: ActionPlan, signal = new AbortController().signal) => runAction(p, prefix, signal);

  it('tests a TCP connect to an open port and to a closed one, with its time', async () => {
    const open = await run(plan('connect', { address: SERVER, port: 8080 }));
    expect(open.typed).toBe(`nsenter --net=/run/netns/${client.name} -- nc -zv -w 3 ${SERVER} 8080`);
    expect(open.summary[0]).toMatch(new RegExp(`^${SERVER}:8080: open in \\d+ ms$`));
    const closed = await run(plan('connect', { address: SERVER, port: 9 }));
    expect(closed.summary[0]).toMatch(/: refused \(nothing listens, or a RST on the way\) in \d+ ms$/);
  });

  it('stops a connect whose SYNs are dropped at its time bound, and Esc stops one at once', async () => {
    const dropped = await run(plan('connect', { address: SERVER, port: 7000 }));
    expect(dropped.summary[0]).toMatch(/: no answer \(dropped on the way, or filtered\) in \d+ ms$/);
    expect(dropped.durationMs).toBeLessThan(5000 + 2500);
    const stop = new AbortController();
    const pending = run(plan('connect', { address: SERVER, port: 7000 }), stop.signal);
    setTimeout(() => stop.abort(), 300);
    const cancelled = await pending;
    expect(cancelled.cancelled).toBe(true);
    expect(cancelled.summary.at(-1)).toBe('cancelled (Esc)');
    expect(cancelled.durationMs).toBeLessThan(2500);
  });

  it('shows the path to a server two hops away, and asks first', async () => {
    const p = plan('path', { address: SERVER });
    expect(p.confirm).toMatch(/sends up to \d+ packets toward 10\.65\.0\.2/);
    const path = await run(p);
    expect(path.output.join('\n')).toContain('10.64.0.2');
    expect(path.output.join('\n')).toContain(SERVER);
    expect(path.summary[0]).toMatch(/^(mtr|tracepath): 2 hops$/);
  }, 70_000);

  it('times an HTTP request phase by phase, the URL said first', async () => {
    const p = plan('http', { address: SERVER, port: 8080 });
    expect(p.confirm).toBe(`curl sends GET http://${SERVER}:8080/`);
    const http = await run(p);
    expect(http.summary[0]).toMatch(new RegExp(`^GET http://${SERVER.replace(/\./g, '\\.')}:8080/: HTTP 200 — DNS \\d+ ms, connect \\d+ ms, TLS \\d+ ms, first byte \\d+ ms, total \\d+ ms$`));
  });

  it('summarises a TLS server: protocol, cipher, subject, issuer, expiry in 3 days, and the verify error of a self-signed certificate', async () => {
    const tls = await run(plan('tls', { address: SERVER, port: 8443, name: 'shop.test' }));
    expect(tls.typed).toBe(`nsenter --net=/run/netns/${client.name} -- openssl s_client -connect ${SERVER}:8443 -servername shop.test -showcerts </dev/null | openssl x509 -noout -subject -issuer -enddate`);
    expect(tls.summary[0]).toMatch(/^TLSv1\.[23] \S+$/);
    expect(tls.summary).toContain('subject CN = shop.test');
    expect(tls.summary).toContain('issuer CN = shop.test');
    expect(tls.summary.find((l) => l.startsWith('expires'))).toMatch(/^expires \d{4}-\d\d-\d\d \(in 3 days\)$/);
    expect(tls.summary.find((l) => l.startsWith('verify'))).toMatch(/^verify: self[- ]signed certificate \(18\)$/);
  });

  it('asks the namespace’s nameserver for the name behind an address, and whether that name points back', async () => {
    const dns = await run(plan('dns', { address: SERVER }, SERVER));
    const enter = `nsenter --net=/run/netns/${client.name} --`;
    expect(dns.typed).toBe(`${enter} dig +tries=1 +time=2 @${SERVER} -x ${SERVER} ; ${enter} dig +tries=1 +time=2 @${SERVER} host.test. A`);
    // The test's nameserver gives host.test. for every address, and 192.0.2.10 for every name.
    expect(dns.summary).toEqual([`reverse ${SERVER}: NOERROR host.test.`, `forward host.test.: NOERROR 192.0.2.10 — does not point back to ${SERVER}`]);
  });

  it('captures a connection’s packets and stops at the packet cap', async () => {
    const p = plan('capture', { address: SERVER, port: 8080 });
    const capture = run(p);
    // Traffic on that 4-tuple's port until the capture ends: curl, again and again, bounded.
    let done = false;
    void capture.then(() => (done = true));
    await until('the capture to stop at its cap', 9000, async () => {
      if (!done) await client.exec(['curl', '-s', '-o', '/dev/null', '--max-time', '2', `http://${SERVER}:8080/`]);
      return done;
    }, 50);
    const outcome = await capture;
    expect(outcome.summary[0]).toBe(`50 packets of tcp and host ${SERVER} and port 8080 (at most 50, 10 s)`);
    expect(outcome.timedOut).toBe(false);
  }, 20_000);

  it('names the package of a tool that is missing, and says when the row has no port', () => {
    const missing = planAction('path', { address: SERVER }, () => false);
    expect('steps' in missing ? '' : unplannableText(missing)).toBe('path: mtr, tracepath, ping: none installed — install the mtr-tiny (RHEL: mtr) package');
    const noPort = planAction('tls', { address: SERVER }, () => true);
    expect('steps' in noPort ? '' : unplannableText(noPort)).toBe('TLS: the selected row has no port');
    expect(typedCommand(plan('connect', { address: 'fd00::1', port: 443 }), [])).toBe('nc -zv -w 3 fd00::1 443');
  });
});
