import { type ResultPromise, execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns, kernelTestsRequired } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';

const ROOT = join(import.meta.dirname, '..', '..');
const netnsOk = await canCreateNetns();
const has = async (tool: string) => (await execa(tool, ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
const engines = (await has('prometheus')) && (await has('prometheus-alertmanager'));

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}
interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}
interface FleetJson {
  endpoints: number;
  problem?: string;
  rows: { node: string; netns?: string; critical: number; warning: number; alerts: { name: string; severity: string }[]; commands: string[] }[];
}

const getJson = async <T,>(url: string): Promise<T | undefined> => {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return r.ok ? ((await r.json()) as T) : undefined;
  } catch {
    return undefined;
  }
};

describe.runIf((netnsOk && engines) || kernelTestsRequired)('the fleet on real engines: Prometheus and Alertmanager on 127.0.0.1', () => {
  // Ports of this run only: nothing else on the machine is asked or told.
  const base = 21_000 + (process.pid % 500) * 8;
  const port = { prometheus: base, alertmanager: base + 1, watched: base + 2, every: base + 3, empty: base + 4, closed: base + 5 };
  const prometheusUrl = `http://127.0.0.1:${port.prometheus}`;
  const dir = mkdtempSync(join(tmpdir(), 'nt-fleet-'));
  const started: ResultPromise[] = [];
  let leak: TestNetns;
  let queue: TestNetns;
  let session: TmuxSession | undefined;
  const start = (command: string, args: string[]) => {
    const child = execa(command, args, { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', cleanup: true });
    started.push(child);
    return child;
  };
  const firing = async () => (await getJson<{ data: { alerts: PromAlert[] } }>(`${prometheusUrl}/api/v1/alerts`))?.data.alerts.filter((a) => a.state === 'firing') ?? [];

  beforeAll(async () => {
    leak = await TestNetns.create('fl-leak');
    queue = await TestNetns.create('fl-queue');
    const inhibit = readFileSync(join(ROOT, 'deploy/mixin/alertmanager-inhibit.yml'), 'utf8');
    writeFileSync(join(dir, 'alertmanager.yml'), `route:\n  receiver: nobody\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: nobody\n${inhibit}`);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(ROOT, 'deploy/mixin/alerts.yml'), join(ROOT, 'deploy/mixin/rules.yml')],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${port.alertmanager}`] }] }] },
        scrape_configs: [{ job_name: 'nettriage', static_configs: [{ targets: [`127.0.0.1:${port.watched}`, `127.0.0.1:${port.every}`] }] }],
      }),
    );
    start('prometheus-alertmanager', [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${port.alertmanager}`, '--cluster.listen-address=']);
    start('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port.prometheus}`, '--storage.tsdb.retention.time=1h']);
    // A Prometheus that scrapes no nettriage: the fleet view must not call that calm.
    writeFileSync(join(dir, 'empty.yml'), JSON.stringify({ global: { scrape_interval: '1s' } }));
    start('prometheus', [`--config.file=${join(dir, 'empty.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb-empty')}`, `--web.listen-address=127.0.0.1:${port.empty}`]);
    // One nettriage watches the namespace of the listener; the other every namespace of the host.
    start('node', [BIN, '--headless', '--netns', queue.name, '--metrics', `127.0.0.1:${port.watched}`]);
    start('node', [BIN, '--headless', '--all-netns', '--netns-series', '50', '--metrics', `127.0.0.1:${port.every}`]);
    const ready = (url: string) => fetch(url, { signal: AbortSignal.timeout(3000) }).then((r) => r.ok, () => false);
    await until('Prometheus and Alertmanager ready', 30_000, async () => (await ready(`${prometheusUrl}/-/ready`)) && (await ready(`http://127.0.0.1:${port.empty}/-/ready`)) && (await ready(`http://127.0.0.1:${port.alertmanager}/-/ready`)));
  }, 60_000);

  afterAll(async () => {
    await session?.kill();
    for (const child of started) child.kill('SIGTERM');
    await Promise.allSettled(started);
    await leak?.destroy();
    await queue?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('fires NettriageCloseWaitClimbing for a leak in a test namespace, with the namespace\'s labels', async () => {
    await leak.incident('serve', { port: 9100, halfOpen: 'true' });
    await leak.incident('churn', { port: 9100, count: 3, parallel: 3, forever: 'true', everyMs: 1000 });
    const alert = await until('the CLOSE-WAIT alert firing in Prometheus', 90_000, async () => (await firing()).find((a) => a.labels.alertname === 'NettriageCloseWaitClimbing' && a.labels.netns === leak.name));
    expect(alert.labels).toMatchObject({ job: 'nettriage', instance: `127.0.0.1:${port.every}`, netns: leak.name, nettriage_rule: 'close-wait-climbing', state: 'CLOSE-WAIT' });
    // The namespace has no pod: no pod label, and the watched namespace of that nettriage (the host) does not fire.
    expect(alert.labels.pod).toBeUndefined();
    expect((await firing()).filter((a) => a.labels.alertname === 'NettriageCloseWaitClimbing' && a.labels.instance === `127.0.0.1:${port.every}` && a.labels.netns !== leak.name)).toEqual([]);
  }, 100_000);

  it('answers every query of the Grafana dashboard, and the recording rules see the leak grow', async () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/mixin/dashboards/nettriage-fleet.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const asGrafana = (expr: string) => expr.replaceAll('$__rate_interval', '1m').replace(/\$(job|instance|netns|pod)\b/g, '.*');
    for (const panel of dashboard.panels) {
      for (const t of panel.targets) {
        const answer = await getJson<{ status: string }>(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(asGrafana(t.expr))}`);
        expect(answer?.status, `${panel.title}: ${t.expr}`).toBe('success');
      }
    }
    const growth = await until('the CLOSE-WAIT growth recorded for the leaking namespace', 30_000, async () => {
      const answer = await getJson<{ data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(`instance_netns:nettriage_tcp_close_wait_growth_per_minute:deriv5m{netns="${leak.name}"}`)}`);
      const v = Number(answer?.data.result[0]?.value[1]);
      return v > 0 ? v : undefined;
    });
    // Three a second: 180 a minute, give or take the samples' edges.
    expect(growth).toBeGreaterThan(60);
  }, 60_000);

  it('nettriage fleet --prometheus lists the sick namespace first, with what to run there', async () => {
    const out = await execa('node', [BIN, 'fleet', '--prometheus', prometheusUrl, '--json'], { reject: false, timeout: 20_000 });
    expect(out.exitCode, out.stderr).toBe(0);
    const fleet = JSON.parse(out.stdout) as FleetJson;
    expect(fleet.endpoints).toBe(2);
    expect(fleet.problem).toBeUndefined();
    expect(fleet.rows[0]).toMatchObject({ netns: leak.name, node: '127.0.0.1', critical: 1 });
    expect(fleet.rows[0]?.alerts.map((a) => a.name)).toContain('NettriageCloseWaitClimbing');
    expect(fleet.rows[0]?.commands[0]).toBe(`ssh 127.0.0.1 sudo nettriage --netns ${leak.name}`);
  }, 30_000);

  it('says when Prometheus scrapes no nettriage, and when it cannot be reached', async () => {
    const empty = await execa('node', [BIN, 'fleet', '--prometheus', `http://127.0.0.1:${port.empty}`, '--json'], { reject: false, timeout: 20_000 });
    expect(empty.exitCode, empty.stderr).toBe(0);
    expect(JSON.parse(empty.stdout)).toMatchObject({ endpoints: 0, rows: [], problem: expect.stringContaining('Prometheus has no nettriage series') });
    const closed = await execa('node', [BIN, 'fleet', '--prometheus', `http://127.0.0.1:${port.closed}`, '--json'], { reject: false, timeout: 20_000 });
    expect(closed.exitCode).toBe(1);
    expect(closed.stderr).toBe(`nettriage: fleet: cannot reach Prometheus at http://127.0.0.1:${port.closed}: ECONNREFUSED`);
    // Not Prometheus: an answer that is not its API is said as such.
    const alertmanager = await execa('node', [BIN, 'fleet', '--prometheus', `http://127.0.0.1:${port.alertmanager}`, '--json'], { reject: false, timeout: 20_000 });
    expect(alertmanager.exitCode).toBe(1);
    expect(alertmanager.stderr).toMatch(/nettriage: fleet: (http:\/\/127\.0\.0\.1:\d+ answered HTTP \d+ with something that is not Prometheus' API|Prometheus refused the query)/);
  }, 60_000);

  it.runIf(hasTmux)('shows the same on screen: / filters, Enter says what to run, q gives the terminal back', async () => {
    session = await TmuxSession.start(`node ${BIN} fleet --prometheus ${prometheusUrl} --interval 2s`, { label: 'fleet', columns: 120, rows: 30 });
    let screen = await session.waitFor(new RegExp(`127\\.0\\.0\\.1\\s+${leak.name}`), 20_000);
    expect(screen).toMatch(/nettriage fleet · http:\/\/127\.0\.0\.1:\d+\//);
    expect(screen).toMatch(/2 nettriage endpoints/);
    expect(screen, screen).toMatch(new RegExp(`› 1\\s+\\d+\\s+\\S+\\s+127\\.0\\.0\\.1\\s+${leak.name}\\s+CloseWaitClimbing`));
    // Each step waits for the screen to show its keys read: the filter kept has no cursor after it.
    const step = async (pattern: RegExp, ...keys: string[]) => {
      await session?.keys(...keys);
      const shown = (await session?.waitFor(pattern)) ?? '';
      expect(shown, shown).toMatch(pattern);
      return shown;
    };
    screen = await step(/^\/nomatchhere$/m, '/', ...'nomatchhere'.split(''), 'Enter');
    expect(screen).toMatch(/no row matches the filter/);
    await step(/^\/nomatchhere▏$/m, '/');
    // Esc clears it: the status no longer says how many rows are shown.
    await step(/· 1 row · updated/, 'Escape');
    await step(new RegExp(`^/${leak.name}$`, 'm'), '/', ...leak.name.split(''), 'Enter');
    screen = await step(new RegExp(`ssh 127\\.0\\.0\\.1 sudo nettriage --netns ${leak.name}`), 'Enter');
    expect(screen).toMatch(/● NettriageCloseWaitClimbing \(critical/);
    await session.keys('q');
    expect(await session.exitCode()).toBe(0);
    expect(await session.alternateScreenOn()).toBe(false);
  }, 40_000);

  it('inhibits the SYN-SENT symptom in Alertmanager while the accept-queue cause fires', async () => {
    // A listener with backlog 1 that never accept()s, and clients that keep dialling it.
    const script = "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',9700))\ns.listen(1)\nprint('ready',flush=True)\ntime.sleep(150)";
    const listener = execa('ip', ['netns', 'exec', queue.name, 'python3', '-c', script], { reject: false });
    started.push(listener);
    await new Promise<void>((resolve) => listener.stdout?.once('data', () => resolve()));
    await queue.incident('dial', { port: 9700, count: 600, perBatch: 2, everyMs: 200, lingerMs: 60_000 });
    const am = `http://127.0.0.1:${port.alertmanager}/api/v2/alerts`;
    const watched = `127.0.0.1:${port.watched}`;
    const seen = await until('the SYN-SENT alert inhibited by the accept-queue one in Alertmanager', 90_000, async () => {
      const alerts = (await getJson<AmAlert[]>(am)) ?? [];
      const of = (name: string) => alerts.find((a) => a.labels.alertname === name && a.labels.instance === watched);
      const cause = of('NettriageAcceptQueueOverflow');
      const symptom = of('NettriageSynSentStuck');
      return cause && symptom && symptom.status.state === 'suppressed' ? { cause, symptom } : undefined;
    });
    expect(seen.cause.status).toMatchObject({ state: 'active', inhibitedBy: [] });
    expect(seen.symptom.status.inhibitedBy.length).toBeGreaterThan(0);
    // Prometheus itself fires both: the inhibition is Alertmanager's, from the generated rules.
    const names = (await firing()).filter((a) => a.labels.instance === watched).map((a) => a.labels.alertname);
    expect(names).toEqual(expect.arrayContaining(['NettriageAcceptQueueOverflow', 'NettriageSynSentStuck']));
  }, 100_000);
});
