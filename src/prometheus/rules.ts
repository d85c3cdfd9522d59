import { CLOSE_WAIT_HELD_SEC } from '../../collectors/sockets.js';
import type { AlertConfig, Rule } from '../alerts/types.js';
import { paramsOf } from '../alerts/types.js';
import { NIC_KERNEL_ERRORS } from '../alerts/rules/nics.js';
import { RULES } from '../registry.js';

/** One Prometheus alerting rule: a name, a severity, a PromQL expression, and how long it must hold. */
interface PromAlert {
  severity: 'warning' | 'critical';
  expr: string;
  forSec?: number;
}

interface Translation {
  alerts: PromAlert[];
  /**
   * The same judgement over `--all-netns`' per-namespace series, for the
   * rules those series can say (socket states, the curated counters).
   */
  namespaced?: PromAlert[];
  /** Where PromQL says it differently from the built-in rule. */
  differs?: string;
}

const rate = (selector: string) => `rate(${selector}[1m])`;
/** Who lives in the namespace, joined once (the series carry only `netns`); the watched namespace's own series already say it without a label. */
export const WITH_POD = 'on(job, instance, netns) group_left(namespace, pod) nettriage_netns_info';
/** An expression over the watched namespace's series, said over every other namespace's, with their pod. */
const inNamespaces = (alerts: PromAlert[]): PromAlert[] =>
  alerts.map((a) => ({
    ...a,
    expr: `(${a.expr.replaceAll('nettriage_tcp_sockets{', 'nettriage_namespace_tcp_sockets{').replaceAll('nettriage_netstat_total{', 'nettriage_namespace_netstat_total{')}) * ${WITH_POD.replace(/nettriage_netns_info$/, 'nettriage_netns_info{watched="false"}')}`,
  }));
const netstat = (names: string[]) => `nettriage_netstat_total{name${names.length === 1 ? `="${names[0]}"` : `=~"${names.join('|')}"`}}`;
/** A measure judged at two levels, one severity at a time (as the built-in rules: warning below critical). */
const levels = (measure: string, warn: number, crit: number, also = ''): PromAlert[] => [
  { severity: 'warning', expr: `(${measure}) >= ${warn} < ${crit}${also}` },
  { severity: 'critical', expr: `(${measure}) >= ${crit}${also}` },
];

/**
 * TCP data segments retransmitted (SYN retransmits apart) and all segments
 * sent, per second, from each counter's rate as the caller takes it (its
 * window and grouping): the alert, the recording rule and the dashboard say
 * the share the same way.
 */
export function retransmitted(netstatRate: (name: string) => string): { data: string; sent: string } {
  const data = `clamp_min(${netstatRate('TcpRetransSegs')} - ${netstatRate('TcpExtTCPSynRetrans')}, 0)`;
  return { data, sent: `(${netstatRate('TcpOutSegs')} + ${data})` };
}

/** A rule whose every expression is over socket states and curated counters: judged in every namespace too. */
const everyNamespace = (t: Translation): Translation => ({ ...t, namespaced: inNamespaces(t.alerts) });

/**
 * Each built-in rule in PromQL over the series `--metrics` serves, with its
 * parameters. Rates are over a minute, as the built-in rules' minute means.
 */
const TRANSLATIONS: Record<string, (p: Record<string, number>) => Translation> = {
  'close-wait-climbing': (p) => {
    const cw = 'nettriage_tcp_sockets{state="CLOSE-WAIT"}';
    const growth = `deriv(${cw}[${p.windowSec}s]) * 60`;
    const bucket = [...CLOSE_WAIT_HELD_SEC].filter((s) => s <= (p.standingSec ?? 60)).pop() ?? CLOSE_WAIT_HELD_SEC[0];
    const held = `nettriage_tcp_close_wait_held_sockets{min_seconds="${bucket}"}`;
    const growing = levels(growth, p.warnPerMin ?? 5, p.critPerMin ?? 60, ` and ${cw} >= ${p.floor}`);
    return {
      alerts: [...growing, ...levels(held, Math.max(1, p.floor ?? 10), p.critStanding ?? 100)],
      namespaced: inNamespaces(growing),
      differs: `growth is deriv() (a least-squares slope over ${p.windowSec} s) where nettriage measures the climb from the recent low and wants ${p.minRisingSteps} rises; both fire on a steady leak`,
    };
  },
  'ephemeral-port-exhaustion': (p) => {
    const usable = 'ignoring(local, peer) group_left nettriage_ephemeral_ports_usable';
    const share = `nettriage_destination_ephemeral_ports / ${usable}`;
    // Critical while there is still time to act: full within minutes at the current rate. Then not also a warning.
    const fillsSoon = `predict_linear(nettriage_destination_ephemeral_ports[5m], ${(p.critWithinMin ?? 5) * 60}) >= ${usable} and (${share}) >= ${p.clearShare}`;
    return {
      alerts: [
        { severity: 'warning', expr: `(${share}) >= ${p.warnShare ?? 0.5} < ${p.critShare ?? 0.8} unless (${fillsSoon})` },
        { severity: 'critical', expr: `(${share}) >= ${p.critShare ?? 0.8}` },
        { severity: 'critical', expr: fillsSoon },
      ],
      differs: 'the destinations are counted only while one could near the limit (the top 10)',
    };
  },
  'time-wait-overflow': (p) => everyNamespace({ alerts: levels(rate(netstat(['TcpExtTCPTimeWaitOverflow'])), p.warnPerSec ?? 0.01, p.critPerSec ?? 10) }),
  'syn-sent-stuck': (p) => everyNamespace({
    alerts: [
      { severity: 'warning', expr: `nettriage_tcp_sockets{state="SYN-SENT"} > 0 < ${p.critCount}`, forSec: p.persistSec ?? 5 },
      { severity: 'critical', expr: `nettriage_tcp_sockets{state="SYN-SENT"} >= ${p.critCount}`, forSec: p.persistSec ?? 5 },
    ],
    differs: 'nettriage judges each destination apart and names it; the metrics give the SYN-SENT total',
  }),
  'accept-queue-overflow': (p) => everyNamespace({ alerts: levels(`max without(name) (${rate(netstat(['TcpExtListenOverflows', 'TcpExtListenDrops']))})`, p.warnPerSec ?? 0.01, p.critPerSec ?? 5) }),
  'tcp-retransmits': (p) => {
    const { data, sent } = retransmitted((name) => `sum without(name) (${rate(netstat([name]))})`);
    return { alerts: levels(`100 * ${data} / ${sent}`, p.warnPercent ?? 1, p.critPercent ?? 5, ` and ${sent} >= ${p.minOutSegsPerSec}`) };
  },
  'conntrack-table-full': (p) => ({ alerts: levels('nettriage_conntrack_entries / nettriage_conntrack_entries_limit', p.warnShare ?? 0.9, p.critShare ?? 0.95) }),
  'conntrack-drops': (p) => ({ alerts: levels(`sum without(event) (${rate('nettriage_conntrack_events_total{event=~"insert_failed|drop|early_drop"}')})`, p.warnPerSec ?? 0.01, p.critPerSec ?? 10) }),
  'nic-errors': (p) => ({
    alerts: levels(`max without(stat) (${rate(`nettriage_nic_stat_total{stat=~"${NIC_KERNEL_ERRORS.join('|')}"}`)} or ${rate('nettriage_nic_driver_stat_total')})`, p.warnPerSec ?? 0.01, p.critPerSec ?? 100),
  }),
  'udp-buffer-errors': (p) => everyNamespace({
    alerts: levels(`sum without(name) (${rate(netstat(['UdpRcvbufErrors', 'UdpSndbufErrors', 'Udp6RcvbufErrors', 'Udp6SndbufErrors']))})`, p.warnPerSec ?? 0.01, p.critPerSec ?? 10),
  }),
  'orphan-sockets': (p) => ({ alerts: levels('nettriage_tcp_orphan_sockets / nettriage_tcp_orphan_sockets_limit', p.warnShare ?? 0.25, p.critShare ?? 0.5) }),
  'softnet-drops': (p) => ({ alerts: levels(`sum without(cpu) (${rate('nettriage_softnet_total{stat="dropped"}')})`, p.warnPerSec ?? 0.01, p.critPerSec ?? 10) }),
  'softnet-squeeze': (p) => ({ alerts: levels(`sum without(cpu) (${rate('nettriage_softnet_total{stat="time_squeeze"}')})`, p.warnPerSec ?? 10, p.critPerSec ?? 200) }),
  'qdisc-drops': (p) => ({ alerts: levels(`max without(qdisc) (${rate('nettriage_qdisc_total{stat="drops"}')})`, p.warnPerSec ?? 0.01, p.critPerSec ?? 100) }),
  'link-down': () => ({
    alerts: [{ severity: 'critical', expr: 'nettriage_nic_carrier == 0 and on(instance, interface) nettriage_default_route == 1' }],
    differs: 'only the interface of the default route; nettriage also names one that carries other routes and lost its carrier while watched',
  }),
  'link-flapping': (p) => ({
    alerts: levels(`increase(nettriage_nic_stat_total{stat="carrier_changes"}[${p.windowSec}s])`, (p.warnChanges ?? 2) + 1, (p.critChanges ?? 8) + 1),
    differs: 'the carrier changes between two scrapes are counted by the kernel, so none is missed; increase() extrapolates to the window edges',
  }),
  'no-default-route': () => ({
    // Without the route's labels: a default route that moved to another gateway is not one that went.
    alerts: [{ severity: 'critical', expr: 'max without(interface, gateway) (max_over_time(nettriage_default_route[15m])) == 1 unless max without(interface, gateway) (nettriage_default_route) == 1' }],
    differs: 'had one in the last 15 minutes, where nettriage says: while it watched',
  }),
  'destination-unreachable': (p) => ({
    alerts: [{ severity: 'warning', expr: `sum without(name) (${rate(netstat(['IpOutNoRoutes', 'Ip6OutNoRoutes']))}) >= ${p.noRoutePerSec ?? 0.01}` }],
  }),
  'gateway-unreachable': (p) => ({ alerts: [{ severity: 'critical', expr: 'nettriage_default_gateway_resolved == 0', forSec: p.samples ?? 3 }] }),
  'neighbour-table-full': (p) => ({
    alerts: [
      { severity: 'warning', expr: `nettriage_neighbour_entries / nettriage_neighbour_entries_limit >= ${p.warnShare ?? 0.8} < ${p.critShare ?? 0.95} unless ${rate('nettriage_neighbour_table_fulls_total')} > 0` },
      { severity: 'critical', expr: `nettriage_neighbour_entries / nettriage_neighbour_entries_limit >= ${p.critShare ?? 0.95} or ${rate('nettriage_neighbour_table_fulls_total')} > 0` },
    ],
  }),
  'mtu-mismatch': () => {
    // group_left keeps the peer's labels: a one-to-one match with on() would keep only instance and interface.
    const smaller = 'nettriage_nic_peer_mtu > on(instance, interface) group_left nettriage_nic_mtu';
    const dropping = `max without(stat) (${rate('nettriage_nic_stat_total{stat=~"rx_dropped|tx_dropped"}')}) > 0`;
    return {
      alerts: [
        { severity: 'warning', expr: `(${smaller}) unless on(instance, interface) (${dropping})` },
        { severity: 'critical', expr: `(${smaller}) and on(instance, interface) (${dropping})` },
      ],
      differs: 'critical when the smaller end drops; nettriage also counts the drops of the larger end',
    };
  },
  'pmtu-blackhole': (p) => {
    const min = p.minBackoff ?? 2;
    return {
      alerts: [
        { severity: 'warning', expr: `nettriage_tcp_full_size_stall_backoff == ${min}` },
        { severity: 'critical', expr: `nettriage_tcp_full_size_stall_backoff > ${min}` },
      ],
      differs: 'the backoff of full-size segments per peer only; nettriage also weighs the socket\'s path MTU against the interface\'s, ICMP unreachables and the route cache, and says how sure it is',
    };
  },
  'dns-unreachable': (p) => ({
    alerts: [{ severity: 'warning', expr: `nettriage_dns_probe_failures >= ${p.misses ?? 2}` }],
    differs: 'warning for each; nettriage says critical when no nameserver answers',
  }),
  'dns-slow': (p) => ({
    alerts: levels('nettriage_dns_answer_seconds', (p.warnMs ?? 500) / 1000, (p.critMs ?? 1500) / 1000),
    differs: 'the last probe; nettriage takes the median of the last 3',
  }),
  'dns-failing': () => ({ alerts: [{ severity: 'critical', expr: 'nettriage_dns_rcode{rcode=~"SERVFAIL|REFUSED"} == 1' }] }),
  'dns-conntrack-race': (p) => ({
    alerts: [{ severity: 'warning', expr: `sum without(event) (${rate('nettriage_conntrack_events_total{event="insert_failed"}')}) >= ${p.perSec ?? 0.01} and on(instance) nettriage_dns_udp_sockets > 0` }],
  }),
  'socket-memory-pressure': (p) => {
    const limit = (level: string, share: number) => `ignoring(level) (nettriage_socket_memory_limit_pages{level="${level}"} * ${share})`;
    const crit = `nettriage_socket_memory_pages >= ${limit('max', p.critShareOfMax ?? 0.95)}`;
    return {
      alerts: [
        { severity: 'warning', expr: `nettriage_socket_memory_pages >= ${limit('pressure', p.warnShareOfPressure ?? 1)} unless ${crit}` },
        { severity: 'critical', expr: crit },
      ],
    };
  },
};

/** `close-wait-climbing` -> `NettriageCloseWaitClimbing`. */
export const alertName = (id: string) => `Nettriage${id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`;

const quote = (s: string) => JSON.stringify(s);

/** How PromQL says a rule with these parameters, if it can. */
export function translationOf(config: AlertConfig, rule: Rule): Translation | undefined {
  return TRANSLATIONS[rule.id]?.(paramsOf(config, rule) as Record<string, number>);
}

/** Where each alert's `runbook_url` points: the runbook page `nettriage mixin` writes for it. */
export const runbookPath = (id: string) => `runbooks/${alertName(id)}.md`;

export interface RulesOptions {
  /** Prefix of each alert's runbook page (`nettriage mixin --runbook-url`); no `runbook_url` without one. */
  runbookBase?: string;
}

/**
 * A Prometheus alerting-rules file with nettriage's rules and thresholds
 * (the defaults, or those of --config): a fleet scraped by Prometheus is
 * judged as the dashboard judges one host. Where PromQL cannot say what a
 * rule says, the file says so in a comment.
 */
export function prometheusRules(config: AlertConfig, version: string, rules: readonly Rule[] = RULES, options: RulesOptions = {}): string {
  const lines = [
    `# Prometheus alerting rules of nettriage ${version}, over the series of \`nettriage --metrics\`.`,
    '# Generated by `nettriage rules` from its built-in rules and thresholds (and --config).',
    '# Everywhere: nettriage clears an alert below a lower level than it raises it (hysteresis);',
    '# these clear as soon as the value falls below the warning level.',
    '# Rules over socket states and the curated counters also judge every namespace of',
    '# `--all-netns` (labels netns, namespace, pod), the watched one apart: its series have no netns.',
    'groups:',
    '  - name: nettriage',
    '    rules:',
  ];
  for (const rule of rules) {
    const translation = translationOf(config, rule);
    if (config[rule.id]?.enabled === false) {
      lines.push(`      # ${rule.id}: disabled in the configuration`);
      continue;
    }
    if (!translation) {
      lines.push(`      # ${rule.id}: not expressible in PromQL over nettriage's metrics`);
      continue;
    }
    const { alerts, namespaced, differs } = translation;
    lines.push(`      # ${rule.id}: ${rule.fires}`);
    if (differs) lines.push(`      # Differs: ${differs}.`);
    // One alerting rule a severity: several conditions (growing, or held; here, or in a namespace) are one alert, as in nettriage.
    const bySeverity = new Map<string, PromAlert>();
    for (const a of [...alerts, ...(namespaced ?? [])]) {
      const key = `${a.severity}/${a.forSec ?? 0}`;
      const same = bySeverity.get(key);
      bySeverity.set(key, same ? { ...same, expr: `(${same.expr}) or (${a.expr})` } : a);
    }
    for (const a of bySeverity.values()) {
      lines.push(`      - alert: ${alertName(rule.id)}`, `        expr: ${quote(a.expr)}`);
      if (a.forSec) lines.push(`        for: ${a.forSec}s`);
      const where = namespaced ? '{{ $labels.instance }}{{ with $labels.netns }} netns {{ . }}{{ end }}{{ with $labels.pod }} pod {{ $labels.namespace }}/{{ . }}{{ end }}' : '{{ $labels.instance }}';
      lines.push('        labels:', `          severity: ${a.severity}`, `          nettriage_rule: ${rule.id}`, '        annotations:', `          summary: ${quote(`${rule.id} (${a.severity}) on ${where}`)}`, `          description: ${quote(rule.fires)}`);
      if (options.runbookBase !== undefined) lines.push(`          runbook_url: ${quote(`${options.runbookBase}${runbookPath(rule.id).replace(/^runbooks\//, '')}`)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
