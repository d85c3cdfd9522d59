import { type ResultPromise, execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns, kernelTestsRequired } from '../helpers/netns.js';
import { BIN } from '../helpers/tmux.js';

const netnsOk = await canCreateNetns();
const promtool = (await execa('promtool', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;

/** Scrapes until `ready` holds of the text, with a deadline. */
async function scrape(port: number, ready: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < until) {
    text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => (r.ok ? r.text() : ''), () => '');
    if (ready(text)) return text;
    await new Promise((r) => setTimeout(r, 200));
  }
  return text;
}

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('the Prometheus endpoint', () => {
  it.runIf(kernelTestsRequired)('has promtool to check it with (CI installs Debian\'s prometheus)', () => {
    expect(promtool).toBe(true);
  });

  describe.runIf(netnsOk && promtool)('of a namespace with a CLOSE-WAIT leak', () => {
    let ns: TestNetns;
    let child: ResultPromise | undefined;
    const port = 19_000 + (process.pid % 1000);

    beforeAll(async () => {
      ns = await TestNetns.create('metrics');
      await ns.incident('states', { port: 9100, established: 3, closeWait: 7, clientClose: 'destroy' });
    }, 30_000);
    afterAll(async () => {
      child?.kill('SIGTERM');
      await child?.catch(() => undefined);
      await ns?.destroy();
    });

    it('serves exact counts on loopback only, that promtool accepts', async () => {
      // A bare port: 127.0.0.1, never every address.
      child = execa('node', [BIN, '--headless', '--netns', ns.name, '--metrics', String(port)], { reject: false });
      const text = await scrape(port, (t) => /nettriage_tcp_sockets\{state="CLOSE-WAIT"\} 7/.test(t));
      expect(value(text, 'nettriage_tcp_sockets{state="CLOSE-WAIT"}')).toBe(7);
      expect(value(text, 'nettriage_tcp_sockets{state="ESTAB"}')).toBe(6);
      expect(value(text, 'nettriage_up')).toBe(1);
      expect(text).toMatch(/^nettriage_netstat_total\{name="TcpActiveOpens"\} \d+$/m);
      expect(text).toMatch(/^nettriage_self_resident_memory_bytes \d+/m);
      const listening = (await execa('ss', ['-Htln', `sport = :${port}`])).stdout;
      // State, Recv-Q, Send-Q, local address: only 127.0.0.1.
      expect(listening.split('\n').map((l) => l.trim().split(/\s+/)[3])).toEqual([`127.0.0.1:${port}`]);
      const check = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
      expect(check.stdout + check.stderr).toBe('');
      expect(check.exitCode).toBe(0);
      // Anything else than /metrics: 404.
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      child.kill('SIGTERM');
      expect((await child).exitCode).toBe(0);
      child = undefined;
    }, 40_000);

    it('labels every namespace with --all-netns, says who lives there once, and refuses an address it cannot have', async () => {
      // Enough namespaces for this one (the worst first: its CLOSE-WAIT pile ranks it high) on a machine running other tests.
      child = execa('node', [BIN, '--headless', '--all-netns', '--netns-series', '8', '--metrics', `127.0.0.1:${port + 1}`], { reject: false });
      const series = `nettriage_namespace_tcp_sockets{netns="${ns.name}",state="CLOSE-WAIT"}`;
      const text = await scrape(port + 1, (t) => t.includes(series));
      expect(value(text, series)).toBe(7);
      // Pod identity once per namespace, not on its series; the host's namespace is the watched one.
      expect(value(text, `nettriage_netns_info{netns="${ns.name}",namespace="",pod="",container="",watched="false"}`)).toBe(1);
      expect(value(text, 'nettriage_netns_info{netns="host",namespace="",pod="",container="",watched="true"}')).toBe(1);
      const infos = text.split('\n').filter((l) => l.startsWith('nettriage_netns_info{'));
      expect(infos.length).toBeGreaterThan(1);
      expect(infos.length).toBeLessThanOrEqual(8);
      expect(text).not.toMatch(/^nettriage_namespace_\w+\{[^}]*pod=/m);
      const check = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
      expect(check.exitCode, check.stdout + check.stderr).toBe(0);
      // The port is taken: said, exit 2.
      const second = await execa('node', [BIN, '--headless', '--metrics', `127.0.0.1:${port + 1}`], { reject: false });
      expect(second.exitCode).toBe(2);
      expect(second.stderr).toMatch(/--metrics 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    }, 40_000);
  });
});
