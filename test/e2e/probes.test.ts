import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';

const netnsOk = await canCreateNetns();

/**
 * The probe keys as a user drives them: a client in a namespace holds three
 * connections to a web server on its loopback; the drill-down goes from
 * ESTAB to the client's sockets, C tests a connect to the selected socket's
 * peer, H asks before it sends a request and times it, Esc closes, and the
 * next bundle keeps what ran.
 */
describe.runIf(hasTmux && netnsOk)('probes from a selected socket, in a terminal', () => {
  let ns: TestNetns;
  let session: TmuxSession | undefined;
  let clientPid = 0;
  const children: { kill(signal?: NodeJS.Signals): unknown }[] = [];
  const cwd = mkdtempSync(join(tmpdir(), 'nt-probes-'));

  beforeAll(async () => {
    ns = await TestNetns.create('probes');
    const server = execa('ip', ['netns', 'exec', ns.name, 'python3', '-u', '-m', 'http.server', '--bind', '127.0.0.1', '8080'], { reject: false, cwd, all: true });
    children.push(server);
    await new Promise<void>((resolve) => server.all?.on('data', (d: Buffer) => /Serving HTTP/.test(d.toString()) && resolve()));
    const client = execa('ip', ['netns', 'exec', ns.name, 'python3', '-c', 'import socket,time\ns=[socket.create_connection(("127.0.0.1",8080)) for _ in range(3)]\nprint("ready",flush=True)\ntime.sleep(120)'], { reject: false });
    children.push(client);
    await new Promise<void>((resolve) => client.stdout?.once('data', () => resolve()));
    clientPid = client.pid as number;
  });
  afterAll(async () => {
    await session?.kill();
    for (const c of children) c.kill('SIGKILL');
    await ns?.destroy();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('tests a connect and times a request to the selected socket’s peer, asks first, and keeps both for the bundle', async () => {
    session = await TmuxSession.start(`cd ${cwd} && node ${BIN} --netns ${ns.name}`, { label: 'probes', columns: 120, rows: 40 });
    await session.waitFor(/ESTAB\s+6\b/, 20_000);
    // ESTAB's owners, filtered to the client, then its sockets.
    await session.keys('Enter');
    await session.waitFor(/ESTAB › owners/);
    await session.keys('/', ...String(clientPid).split(''), 'Enter', 'Enter');
    const sockets = await session.waitFor(new RegExp(`python3 \\(${clientPid}\\)[\\s\\S]*127\\.0\\.0\\.1:8080`));
    expect(sockets).toMatch(/P C R H L X probe/);
    await session.keys('C');
    const connect = await session.waitFor(/127\.0\.0\.1:8080: open in \d+ ms/);
    expect(connect).toMatch(new RegExp(`\\$ nsenter --net=/run/netns/${ns.name} -- nc -zv -w 3 127\\.0\\.0\\.1 8080`));
    expect(connect).toMatch(/Probe: TCP connect 127\.0\.0\.1:8080/);
    await session.keys('Escape', 'H');
    // Nothing is sent before y.
    const asked = await session.waitFor(/curl sends GET http:\/\/127\.0\.0\.1:8080\/: y to send, Esc to cancel/);
    expect(asked).not.toMatch(/HTTP 200/);
    expect(asked).toMatch(/y send/);
    await session.keys('y');
    const timed = await session.waitFor(/GET http:\/\/127\.0\.0\.1:8080\/: HTTP 200 — DNS \d+ ms, connect \d+ ms, TLS \d+ ms, first byte \d+ ms, total \d+ ms/);
    expect(timed).toMatch(/done in \d+ ms — kept for the next bundle/);
    // Esc closes the pane: back to the sockets.
    await session.keys('Escape');
    await session.waitFor(/P C R H L X probe/);
    await session.keys('b');
    const bundle = await until('the bundle', 30_000, () => readdirSync(cwd).find((f) => /^nettriage-bundle-.*\.tar\.gz$/.test(f)));
    await session.waitFor(/bundle .*nettriage-bundle-/, 30_000);
    const actions = (await execa('tar', ['-xzOf', join(cwd, bundle), '--wildcards', '*/actions.txt'])).stdout;
    expect(actions).toMatch(new RegExp(`\\$ nsenter --net=/run/netns/${ns.name} -- nc -zv -w 3 127\\.0\\.0\\.1 8080\\n= 127\\.0\\.0\\.1:8080: open in \\d+ ms`));
    expect(actions).toMatch(/= GET http:\/\/127\.0\.0\.1:8080\/: HTTP 200/);
  }, 90_000);
});
