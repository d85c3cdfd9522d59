import type { Severity } from '../alerts/types.js';
import { safeText } from '../sanitize.js';
import { shellWord } from '../shellQuote.js';

/** One series of an instant query's answer. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

/** What the fleet view asks Prometheus each refresh. */
export interface FleetAnswers {
  /** `ALERTS{alertstate="firing", nettriage_rule!=""}`. */
  firing: PromSample[];
  /** `ALERTS_FOR_STATE{nettriage_rule!=""}`: each alert's activeAt, in seconds since the epoch. */
  activeAt: PromSample[];
  /** The nettriage alerts firing 10 minutes ago, per row: the trend. */
  before: PromSample[];
  /** `count(nettriage_up)`: how many nettriage endpoints Prometheus scrapes. */
  endpoints: number;
}

export interface FleetAlert {
  name: string;
  rule: string;
  severity: Severity;
  /** Seconds it has been active, when Prometheus says. */
  activeSec?: number;
}

/** A node, or one namespace (pod) of it, with nettriage alerts firing. */
export interface FleetRow {
  key: string;
  /** The node's name (a `node` label, else the instance's host). */
  node: string;
  instance: string;
  /** Absent: the namespace that node's nettriage watches (the node's own, in a DaemonSet). */
  netns?: string;
  namespace?: string;
  pod?: string;
  alerts: FleetAlert[];
  critical: number;
  warning: number;
  /** Alerts of this row firing 10 minutes ago. */
  before: number;
}

export interface FleetModel {
  rows: FleetRow[];
  endpoints: number;
  /** Nodes with at least one alert. */
  nodes: number;
}

/** Said when Prometheus answers but scrapes no nettriage: the fleet is not calm, it is unseen. */
export const NO_SERIES = 'Prometheus has no nettriage series: is it scraping `nettriage --headless --metrics` (nettriage_up)?';

/** Labels are strings from other machines: shown only once made safe for a terminal. */
const label = (m: Record<string, string>, name: string) => {
  const v = m[name];
  return v === undefined || v === '' ? undefined : safeText(v);
};
const nodeOf = (m: Record<string, string>) => label(m, 'node') ?? label(m, 'kubernetes_node') ?? (label(m, 'instance') ?? '?').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
const rowKey = (m: Record<string, string>) => [m.job ?? '', m.instance ?? '', m.netns ?? ''].join('\u0000');
const alertKey = (m: Record<string, string>) => [rowKey(m), m.alertname ?? '', m.severity ?? '', m.nettriage_rule ?? ''].join('\u0000');

/** The rows, worst first: most critical alerts, then most alerts, then the oldest. */
export function fleetModel(answers: FleetAnswers, nowSec: number): FleetModel {
  const since = new Map(answers.activeAt.map((s) => [alertKey(s.metric), s.value]));
  const before = new Map<string, number>();
  for (const s of answers.before) before.set(rowKey(s.metric), (before.get(rowKey(s.metric)) ?? 0) + s.value);
  const rows = new Map<string, FleetRow>();
  for (const s of answers.firing) {
    const m = s.metric;
    const key = rowKey(m);
    let row = rows.get(key);
    if (!row) {
      row = { key, node: nodeOf(m), instance: label(m, 'instance') ?? '?', alerts: [], critical: 0, warning: 0, before: before.get(key) ?? 0 };
      for (const name of ['netns', 'namespace', 'pod'] as const) {
        const v = label(m, name);
        if (v !== undefined) row[name] = v;
      }
      rows.set(key, row);
    }
    const severity: Severity = m.severity === 'critical' ? 'critical' : 'warning';
    const activeAt = since.get(alertKey(m));
    const alert: FleetAlert = { name: label(m, 'alertname') ?? '?', rule: label(m, 'nettriage_rule') ?? '?', severity };
    if (activeAt !== undefined && activeAt > 0) alert.activeSec = Math.max(0, Math.round(nowSec - activeAt));
    row.alerts.push(alert);
    row[severity]++;
  }
  for (const row of rows.values()) row.alerts.sort((a, b) => Number(b.severity === 'critical') - Number(a.severity === 'critical') || (b.activeSec ?? 0) - (a.activeSec ?? 0) || a.name.localeCompare(b.name));
  const oldest = (r: FleetRow) => Math.max(0, ...r.alerts.map((a) => a.activeSec ?? 0));
  const sorted = [...rows.values()].sort((a, b) => b.critical - a.critical || b.alerts.length - a.alerts.length || oldest(b) - oldest(a) || a.key.localeCompare(b.key));
  return { rows: sorted, endpoints: answers.endpoints, nodes: new Set(sorted.map((r) => r.instance)).size };
}

/** `/`: the rows whose node, namespace, pod or alerts contain the text (any case). */
export function filterRows(rows: FleetRow[], text: string): FleetRow[] {
  const needle = text.trim().toLowerCase();
  if (needle === '') return rows;
  return rows.filter((r) => [r.node, r.instance, r.netns, r.namespace, r.pod, ...r.alerts.map((a) => `${a.name} ${a.rule}`)].some((v) => v?.toLowerCase().includes(needle)));
}

/** Enter: what to run to look at that row on its node. */
export function commandsFor(row: FleetRow): string[] {
  const named = row.netns !== undefined && row.netns !== 'host' && !row.netns.startsWith('net:[');
  const target = named ? ` --netns ${shellWord(row.netns as string)}` : '';
  const pick = row.netns !== undefined && !named && row.netns !== 'host' ? `   # then n, and Enter on ${row.netns}` : '';
  const commands = [`ssh ${shellWord(row.node)} sudo nettriage${target}${pick}`];
  if (row.pod !== undefined) {
    commands.push(`kubectl debug node/${shellWord(row.node)} -it --profile=sysadmin --image=IMAGE -- nettriage${target}   # IMAGE: the DaemonSet's nettriage image`);
    commands.push(`kubectl -n ${shellWord(row.namespace ?? 'default')} describe pod ${shellWord(row.pod)}`);
  }
  return commands;
}

/** ↑ more alerts than 10 minutes ago, ↓ fewer, new: none then. */
export function trendOf(row: FleetRow): string {
  const now = row.alerts.length;
  if (row.before === 0) return 'new';
  return now > row.before ? `↑${now - row.before}` : now < row.before ? `↓${row.before - now}` : '=';
}
