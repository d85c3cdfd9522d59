import { retransmitted } from '../prometheus/rules.js';

/**
 * The Grafana dashboard of `nettriage mixin`: the dashboard's questions
 * across a fleet. Every query is scoped by the job and instance variables
 * (and the namespace and pod ones where it is per namespace), every rate is
 * over `$__rate_interval`, every panel has a unit and a description: the
 * test lints the generated JSON for each.
 */

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const SCOPE = 'job=~"$job", instance=~"$instance"';
const NS_SCOPE = `${SCOPE}, netns=~"$netns"`;
const WITH_POD = `on(job, instance, netns) group_left(namespace, pod) nettriage_netns_info{${SCOPE}, pod=~"$pod"}`;
const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;
const retransmits = retransmitted((name) => `sum by (job, instance) (${rate(`nettriage_netstat_total{${SCOPE}, name="${name}"}`)})`);

interface Target {
  expr: string;
  legend: string;
}

interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  targets: Target[];
  kind?: 'timeseries' | 'table';
  max?: number;
}

const PANELS: PanelSpec[] = [
  {
    title: 'TCP sockets by state',
    description: 'The socket states of the namespace each nettriage watches (in a DaemonSet, the node\'s own). A climbing CLOSE-WAIT is an application that never closes its sockets; a SYN-SENT pile, SYNs nobody answers.',
    unit: 'short',
    targets: [{ expr: `sum by (instance, state) (nettriage_tcp_sockets{${SCOPE}})`, legend: '{{instance}} {{state}}' }],
  },
  {
    title: 'Namespaces with the most CLOSE-WAIT',
    description: 'The 10 namespaces (pods) holding the most CLOSE-WAIT sockets: each is a socket the peer closed and the application never did. From --all-netns, the worst namespaces of each node (--netns-series).',
    unit: 'short',
    targets: [{ expr: `topk(10, nettriage_namespace_tcp_sockets{${NS_SCOPE}, state="CLOSE-WAIT"} * ${WITH_POD})`, legend: '{{instance}} {{netns}} {{namespace}}/{{pod}}' }],
  },
  {
    title: 'CLOSE-WAIT growth',
    description: 'How fast CLOSE-WAIT grows, per minute (the least-squares slope over 5 minutes, recording rules of rules.yml): a steady climb is a leak, whatever the count.',
    unit: 'suffix:/min',
    targets: [
      { expr: `topk(10, instance_netns:nettriage_tcp_close_wait_growth_per_minute:deriv5m{${NS_SCOPE}, pod=~"$pod"})`, legend: '{{instance}} {{netns}} {{namespace}}/{{pod}}' },
      { expr: `instance:nettriage_tcp_close_wait_growth_per_minute:deriv5m{${SCOPE}}`, legend: '{{instance}} (watched)' },
    ],
  },
  {
    title: 'Ephemeral ports in use per destination',
    description: 'Local ports in use toward one destination (local address > peer) against the usable ephemeral range: at 100% connect() to it fails with EADDRNOTAVAIL. Counted only while one could near the limit.',
    unit: 'percentunit',
    max: 1,
    targets: [{ expr: `topk(10, nettriage_destination_ephemeral_ports{${SCOPE}} / ignoring(local, peer) group_left nettriage_ephemeral_ports_usable{${SCOPE}})`, legend: '{{instance}} {{local}} > {{peer}}' }],
  },
  {
    title: 'conntrack fill',
    description: 'conntrack entries against nf_conntrack_max: when full, new connections are dropped before they reach any socket.',
    unit: 'percentunit',
    max: 1,
    targets: [{ expr: `nettriage_conntrack_entries{${SCOPE}} / nettriage_conntrack_entries_limit{${SCOPE}}`, legend: '{{instance}}' }],
  },
  {
    title: 'Drops by layer',
    description: 'Packets lost per second at each layer a packet meets (NIC, softnet backlog, conntrack, IP, TCP, UDP, qdisc, transmit): the layer that loses them is where to look.',
    unit: 'pps',
    targets: [{ expr: `sum by (instance, layer) (${rate(`nettriage_drop_path_packets_total{${SCOPE}}`)})`, legend: '{{instance}} {{layer}}' }],
  },
  {
    title: 'TCP retransmit share',
    description: 'TCP data segments retransmitted (SYN retransmits apart) as a share of all sent. Loss on the path, a lossy NIC, conntrack drops or a full accept queue at a local listener.',
    unit: 'percentunit',
    targets: [{ expr: `${retransmits.data} / ${retransmits.sent}`, legend: '{{instance}}' }],
  },
  {
    title: 'Active nettriage alerts',
    description: 'nettriage alerts firing in Prometheus (alerts.yml), with the node, namespace and pod they name. Each has a runbook_url; symptoms of a firing cause are inhibited in Alertmanager, not here.',
    unit: 'short',
    kind: 'table',
    targets: [{ expr: `ALERTS{${SCOPE}, alertstate="firing", nettriage_rule!=""}`, legend: '' }],
  },
];

const variable = (name: string, label: string, query: string) => ({
  name,
  label,
  type: 'query',
  datasource: DATASOURCE,
  query: { query, refId: `${name}-variable` },
  definition: query,
  refresh: 2,
  includeAll: true,
  multi: true,
  // Matches a missing label too: the watched namespace has no netns, a namespace of no pod no pod.
  allValue: '.*',
  current: { selected: true, text: ['All'], value: ['$__all'] },
  sort: 1,
});

/** The dashboard as Grafana's JSON model. */
export function grafanaDashboard(version: string): Record<string, unknown> {
  const panels = PANELS.map((p, i) => ({
    id: i + 1,
    type: p.kind ?? 'timeseries',
    title: p.title,
    description: p.description,
    datasource: DATASOURCE,
    gridPos: p.kind === 'table' ? { x: 0, y: Math.ceil(i / 2) * 8, w: 24, h: 8 } : { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
    fieldConfig: { defaults: { unit: p.unit, ...(p.max !== undefined ? { min: 0, max: p.max } : {}) }, overrides: [] },
    options: p.kind === 'table' ? { showHeader: true } : { legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: p.targets.map((t, j) => ({ datasource: DATASOURCE, expr: t.expr, legendFormat: t.legend, refId: String.fromCharCode(65 + j), ...(p.kind === 'table' ? { instant: true, format: 'table' } : {}) })),
  }));
  return {
    uid: 'nettriage-fleet',
    title: 'nettriage / fleet',
    description: `Sockets, conntrack, drops and alerts of every node nettriage ${version} watches.`,
    tags: ['nettriage', 'network'],
    editable: true,
    schemaVersion: 39,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    timezone: 'utc',
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: { selected: true, text: 'default', value: 'default' } },
        variable('job', 'job', 'label_values(nettriage_up, job)'),
        variable('instance', 'instance', 'label_values(nettriage_up{job=~"$job"}, instance)'),
        variable('netns', 'network namespace', `label_values(nettriage_netns_info{${SCOPE}}, netns)`),
        variable('pod', 'pod', `label_values(nettriage_netns_info{${SCOPE}}, pod)`),
      ],
    },
    panels,
  };
}
