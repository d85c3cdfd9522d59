import { execa } from 'execa';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parseCli } from '../../src/cli.js';
import { DEFAULT_NETSTAT, DEFAULT_NIC_STATS } from '../../src/metrics/exposition.js';
import { RULES } from '../../src/registry.js';
import { kernelTestsRequired } from '../helpers/netns.js';
import { BIN } from '../helpers/tmux.js';

const ROOT = join(import.meta.dirname, '..', '..');
const has = async (tool: string, args = ['--version']) => (await execa(tool, args, { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
const promtool = await has('promtool');
const amtool = await has('amtool');
const kubectl = await has('kubectl', ['version', '--client']);

/** Every file under a directory, by its path relative to it. */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('nettriage mixin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nt-mixin-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes what deploy/mixin holds, file for file: the committed files are the generated ones', async () => {
    const out = await execa('node', [BIN, 'mixin', dir]);
    expect(out.stdout).toMatch(/wrote \d+ files/);
    const generated = filesUnder(dir);
    const committed = filesUnder(join(ROOT, 'deploy', 'mixin'));
    expect([...committed.keys()].sort(), 'run `nettriage mixin deploy/mixin` after changing a rule').toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) expect(committed.get(name), `deploy/mixin/${name} differs: run \`nettriage mixin deploy/mixin\``).toBe(text);
    // A runbook per rule, and every alert points at its own.
    for (const r of RULES) expect(generated.has(`runbooks/Nettriage${r.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}.md`), r.id).toBe(true);
    const alerts = parseYaml(generated.get('alerts.yml') as string) as { groups: { rules: { alert: string; annotations: Record<string, string> }[] }[] };
    for (const rule of alerts.groups.flatMap((g) => g.rules)) {
      expect(rule.annotations.runbook_url).toBe(`runbooks/${rule.alert}.md`);
      expect(generated.has(rule.annotations.runbook_url as string)).toBe(true);
    }
  });

  it('says its usage, and refuses a directory it cannot write', async () => {
    expect(parseCli(['mixin'])).toMatchObject({ kind: 'error', message: expect.stringContaining('usage: nettriage mixin DIR') });
    expect(parseCli(['mixin', 'out', '--runbook-url', 'https://runbooks.example/nettriage/'])).toEqual({ kind: 'mixin', dir: 'out', runbookBase: 'https://runbooks.example/nettriage/' });
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const refused = await execa('node', [BIN, 'mixin', join(file, 'sub')], { reject: false });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^nettriage: mixin: .*(ENOTDIR|EEXIST)/);
  });

  it('reads only kernel counters and interface statistics the endpoint serves by default', () => {
    const exprs = [
      ...['alerts.yml', 'rules.yml'].flatMap((f) => (parseYaml(readFileSync(join(ROOT, 'deploy/mixin', f), 'utf8')) as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.expr))),
      ...(JSON.parse(readFileSync(join(ROOT, 'deploy/mixin/dashboards/nettriage-fleet.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] }).panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ];
    const named = (metric: string, label: string) =>
      exprs.flatMap((e) => [...e.matchAll(new RegExp(`${metric}\\{[^}]*\\b${label}(=~?)"([^"]+)"`, 'g'))].flatMap((m) => (m[1] === '=~' ? (m[2] as string).split('|') : [m[2] as string])));
    const netstat = new Set(named('nettriage_(?:namespace_)?netstat_total', 'name'));
    const nicStats = new Set(named('nettriage_nic_stat_total', 'stat'));
    expect(netstat.size).toBeGreaterThan(5);
    expect(nicStats).toContain('carrier_changes');
    for (const n of netstat) expect(DEFAULT_NETSTAT, n).toContain(n);
    for (const n of nicStats) expect(DEFAULT_NIC_STATS, n).toContain(n);
  });

  it('has one inhibit rule per cause → symptom pair the engine knows, equal on instance and netns', () => {
    const inhibit = parseYaml(readFileSync(join(ROOT, 'deploy/mixin/alertmanager-inhibit.yml'), 'utf8')) as { inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[] };
    const pairs = RULES.flatMap((r) => (r.causes ?? []).map((c) => `${c} → ${r.id}`));
    expect(pairs).toContain('accept-queue-overflow → syn-sent-stuck');
    expect(inhibit.inhibit_rules).toHaveLength(pairs.length);
    expect(inhibit.inhibit_rules).toContainEqual({ source_matchers: ['alertname="NettriageAcceptQueueOverflow"'], target_matchers: ['alertname="NettriageSynSentStuck"'], equal: ['instance', 'netns'] });
  });
});

describe.runIf(promtool || kernelTestsRequired)('the mixin\'s rules in promtool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nt-mixin-prom-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check rules', async () => {
    const check = await execa('promtool', ['check', 'rules', join(ROOT, 'deploy/mixin/alerts.yml'), join(ROOT, 'deploy/mixin/rules.yml')], { reject: false });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found[\s\S]*SUCCESS: 11 rules found/);
  });

  it('fires CLOSE-WAIT in a pod\'s namespace with the pod joined once, not for the watched namespace, and records per pod', async () => {
    // Two namespaces of one node climbing by 20 a minute from 10: a pod's, and the watched one (seen without netns too).
    const node = 'job="nettriage", instance="node-a:9464"';
    const test = {
      rule_files: [join(ROOT, 'deploy/mixin/alerts.yml'), join(ROOT, 'deploy/mixin/rules.yml')],
      evaluation_interval: '15s',
      tests: [
        {
          interval: '15s',
          input_series: [
            { series: `nettriage_namespace_tcp_sockets{${node}, netns="cni-7", state="CLOSE-WAIT"}`, values: '10+5x40' },
            { series: `nettriage_netns_info{${node}, netns="cni-7", namespace="shop", pod="web-0", container="web", watched="false"}`, values: '1x40' },
            { series: `nettriage_namespace_tcp_sockets{${node}, netns="host", state="CLOSE-WAIT"}`, values: '10+5x40' },
            { series: `nettriage_netns_info{${node}, netns="host", namespace="", pod="", container="", watched="true"}`, values: '1x40' },
            { series: `nettriage_tcp_sockets{${node}, state="CLOSE-WAIT"}`, values: '10+5x40' },
            { series: `nettriage_tcp_close_wait_held_sockets{${node}, min_seconds="60"}`, values: '0x40' },
          ],
          alert_rule_test: [
            {
              eval_time: '5m',
              alertname: 'NettriageCloseWaitClimbing',
              exp_alerts: [
                { exp_labels: { severity: 'warning', nettriage_rule: 'close-wait-climbing', job: 'nettriage', instance: 'node-a:9464', state: 'CLOSE-WAIT' }, exp_annotations: alertAnnotations('warning', 'node-a:9464') },
                { exp_labels: { severity: 'warning', nettriage_rule: 'close-wait-climbing', job: 'nettriage', instance: 'node-a:9464', state: 'CLOSE-WAIT', netns: 'cni-7', namespace: 'shop', pod: 'web-0' }, exp_annotations: alertAnnotations('warning', 'node-a:9464 netns cni-7 pod shop/web-0') },
              ],
            },
          ],
          promql_expr_test: [
            { expr: 'namespace_pod:nettriage_tcp_close_wait:sum', eval_time: '5m', exp_samples: [{ labels: 'namespace_pod:nettriage_tcp_close_wait:sum{namespace="shop", pod="web-0"}', value: 110 }] },
            { expr: 'round(namespace_pod:nettriage_tcp_close_wait_growth_per_minute:sum)', eval_time: '5m', exp_samples: [{ labels: '{namespace="shop", pod="web-0"}', value: 20 }] },
            { expr: 'instance:nettriage_tcp_close_wait:sum', eval_time: '5m', exp_samples: [{ labels: `instance:nettriage_tcp_close_wait:sum{${node}}`, value: 220 }] },
          ],
        },
      ],
    };
    const file = join(dir, 'namespaces.test.yml');
    writeFileSync(file, JSON.stringify(test));
    const run = await execa('promtool', ['test', 'rules', file], { reject: false });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  });
});

function alertAnnotations(severity: string, where: string) {
  const rule = RULES.find((r) => r.id === 'close-wait-climbing');
  return { summary: `close-wait-climbing (${severity}) on ${where}`, description: rule?.fires ?? '', runbook_url: 'runbooks/NettriageCloseWaitClimbing.md' };
}

describe.runIf(amtool || kernelTestsRequired)('the inhibit rules in Alertmanager', () => {
  it('pass amtool check-config inside a whole configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nt-am-'));
    try {
      const inhibit = readFileSync(join(ROOT, 'deploy/mixin/alertmanager-inhibit.yml'), 'utf8');
      const config = `route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n${inhibit}`;
      writeFileSync(join(dir, 'alertmanager.yml'), config);
      const check = await execa('amtool', ['check-config', join(dir, 'alertmanager.yml')], { reject: false });
      expect(check.exitCode, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toMatch(new RegExp(`- ${RULES.flatMap((r) => r.causes ?? []).length} inhibit rules`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Grafana dashboard', () => {
  interface Panel {
    title: string;
    description?: string;
    datasource?: { uid?: string };
    fieldConfig?: { defaults?: { unit?: string } };
    targets: { expr: string; datasource?: { uid?: string } }[];
  }
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/mixin/dashboards/nettriage-fleet.json'), 'utf8')) as { templating: { list: { name: string; type: string; query: unknown }[] }; panels: Panel[] };

  it('has a datasource variable and job, instance, netns and pod variables', () => {
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const name of ['job', 'instance', 'netns', 'pod']) expect(vars.get(name)?.type, name).toBe('query');
  });

  it('lints: every panel has a unit and a description and queries through $datasource; every rate is over $__rate_interval; every selector has job and instance matchers', () => {
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    const problems: string[] = [];
    for (const p of dashboard.panels) {
      if (!p.description) problems.push(`${p.title}: no description`);
      if (!p.fieldConfig?.defaults?.unit) problems.push(`${p.title}: no unit`);
      if (p.datasource?.uid !== '${datasource}') problems.push(`${p.title}: not on $datasource`);
      for (const t of p.targets) {
        if (t.datasource?.uid !== '${datasource}') problems.push(`${p.title}: a query not on $datasource`);
        for (const m of t.expr.matchAll(/\b(rate|irate|increase)\(([^()]|\([^()]*\))*?\[([^\]]+)\]/g)) if (m[3] !== '$__rate_interval') problems.push(`${p.title}: ${m[1]} over [${m[3]}]`);
        // Each selector of a series (nettriage's, its recording rules', ALERTS): scoped by job and instance.
        for (const m of t.expr.matchAll(/\b((?:[a-z_]+:)?nettriage_[a-z_]+(?::[a-z0-9_]+)?|ALERTS)(\{[^}]*\})?/g)) {
          const matchers = m[2] ?? '';
          if (!matchers.includes('job=~"$job"') || !matchers.includes('instance=~"$instance"')) problems.push(`${p.title}: ${m[0]} without job and instance matchers`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('catches what the lint is for: a fixed rate window and a selector without matchers', () => {
    const bad = 'sum(rate(nettriage_netstat_total{name="TcpOutSegs"}[5m]))';
    expect([...bad.matchAll(/\b(rate|irate|increase)\(([^()]|\([^()]*\))*?\[([^\]]+)\]/g)].map((m) => m[3])).toEqual(['5m']);
    expect([...bad.matchAll(/\b((?:[a-z_]+:)?nettriage_[a-z_]+(?::[a-z0-9_]+)?|ALERTS)(\{[^}]*\})?/g)].map((m) => m[2])).toEqual(['{name="TcpOutSegs"}']);
  });
});

describe('deploy/kubernetes', () => {
  const daemonsetText = readFileSync(join(ROOT, 'deploy/kubernetes/daemonset.yaml'), 'utf8');

  it.runIf(kernelTestsRequired)('has kubectl to render it with (CI installs Debian\'s kubectl)', () => {
    expect(kubectl).toBe(true);
  });

  it.runIf(kubectl || kernelTestsRequired)('renders offline with kubectl kustomize: a least-privilege DaemonSet on every node, its Service, ServiceMonitor and the mixin\'s PrometheusRule', async () => {
    const out = await execa('kubectl', ['kustomize', join(ROOT, 'deploy/kubernetes')]);
    const docs = parseAllDocuments(out.stdout).map((d) => d.toJSON() as { kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> });
    expect(docs.map((d) => d.kind).sort()).toEqual(['DaemonSet', 'Namespace', 'PrometheusRule', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    const ds = docs.find((d) => d.kind === 'DaemonSet') as unknown as { metadata: { namespace: string }; spec: { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[]; tolerations: unknown[] } } } };
    expect(ds.metadata.namespace).toBe('nettriage');
    const pod = ds.spec.template.spec;
    expect(pod).toMatchObject({ hostNetwork: true, hostPID: true, automountServiceAccountToken: false });
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    const [container] = pod.containers as { image: string; args: string[]; securityContext: { privileged: boolean; readOnlyRootFilesystem: boolean; capabilities: { drop: string[]; add: string[] } }; resources: { requests: Record<string, string>; limits: Record<string, string> } }[];
    expect(container?.image).toBe('nettriage:0.1.0');
    expect(container?.securityContext).toMatchObject({ privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container?.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container?.resources.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    // Each capability added is justified by a comment right above it.
    const lines = daemonsetText.split('\n');
    for (const cap of container?.securityContext.capabilities.add ?? []) {
      const at = lines.findIndex((l) => l.trim() === `- ${cap}`);
      expect(lines[at - 1]?.trim(), cap).toMatch(/^#/);
    }
    expect(container?.securityContext.capabilities.add).not.toContain('NET_RAW');
    // The command line is one nettriage takes.
    const parsed = parseCli(container?.args ?? []);
    expect(parsed).toMatchObject({ kind: 'run', options: { headless: true, allNetns: true, metrics: { host: '0.0.0.0', port: 9464 } } });
    // The PrometheusRule carries alerts.yml and rules.yml, group for group.
    const rule = docs.find((d) => d.kind === 'PrometheusRule') as unknown as { spec: { groups: unknown[] } };
    const groups = ['alerts.yml', 'rules.yml'].flatMap((f) => (parseYaml(readFileSync(join(ROOT, 'deploy/mixin', f), 'utf8')) as { groups: unknown[] }).groups);
    expect(rule.spec.groups).toEqual(groups);
  });

  it('builds its image from the one-file build on Node 20 with the tools nettriage runs', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.every((f) => f?.startsWith('node:20'))).toBe(true);
    // The RUN that installs, its continuation lines joined: the words after `apt-get install`.
    const run = dockerfile.replace(/\\\n/g, ' ').split('\n').find((l) => l.includes('apt-get install')) ?? '';
    const installed = run.slice(run.indexOf('apt-get install')).split('&&')[0]?.split(/\s+/) ?? [];
    for (const pkg of ['iproute2', 'procps', 'conntrack', 'ethtool', 'iptables', 'tcpdump', 'util-linux']) expect(installed, pkg).toContain(pkg);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(dockerfile).toContain(`COPY --from=build /src/${pkg.bin.nettriage} /usr/local/bin/nettriage`);
  });
});
