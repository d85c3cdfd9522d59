import type { AlertsState } from '../alerts/engine.js';
import { type Alert, type ClosedAlert, causes } from '../alerts/types.js';
import { formatAge, wrapWords } from '../format.js';
import { safeText } from '../sanitize.js';
import { type PanelLine, innerWidth } from './common.js';
import { definePanel } from './types.js';

declare module '../panelId.js' {
  interface PanelIds {
    alerts: true;
  }
}

export interface AlertRow extends Alert {
  /** `since 06:24:18, 4m10s`: worded when the model is built, once a tick. */
  sinceText: string;
}

/** A source that cannot be read, and the rules it leaves blind. */
export interface BlindSource {
  source: string;
  why: string;
  rules: string[];
}

export interface AlertPanelModel {
  alerts: AlertRow[];
  disabled: AlertsState['disabled'];
  watching: number;
  /** Rules whose verdict is unknown, by the source they cannot read. */
  blind: BlindSource[];
  blindRules: number;
  /** Alerts that closed without clearing, with how long ago: `closed 12s ago`. */
  closed: (ClosedAlert & { agoText: string })[];
  /** What the panel says when no alert is up: all clear only when every rule can see. */
  quiet: { text: string; color: string };
  critical: number;
  warning: number;
}

const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

function blindSources(state: AlertsState): BlindSource[] {
  const bySource = new Map<string, BlindSource>();
  for (const rule of state.blind) {
    for (const { source, why } of rule.sources) {
      const entry = bySource.get(source) ?? { source, why, rules: [] };
      entry.rules.push(rule.id);
      bySource.set(source, entry);
    }
  }
  return [...bySource.values()];
}

export function buildAlertPanel(state: AlertsState, nowMs = Date.now()): AlertPanelModel {
  const blindRules = state.blind.length;
  return {
    alerts: state.alerts.map((a) => ({ ...a, sinceText: `since ${clock(a.sinceMs)}, ${formatAge(nowMs - a.sinceMs)}` })),
    disabled: state.disabled,
    watching: state.watching,
    blind: blindSources(state),
    blindRules,
    closed: (state.closed ?? []).map((c) => ({ ...c, agoText: `${formatAge(nowMs - c.atMs)} ago` })),
    quiet:
      blindRules === 0
        ? { text: `✓ no alerts — ${state.watching} rules watching`, color: 'green' }
        : { text: `? no alert from the ${state.watching} rules that can see; ${blindRules} cannot: their sources give no data`, color: 'yellow' },
    critical: causes(state.alerts).filter((a) => a.severity === 'critical').length,
    warning: causes(state.alerts).filter((a) => a.severity === 'warning').length,
  };
}

/** An alert's summary takes at most this many rows. */
const SUMMARY_LINES = 3;

export interface AlertLine extends PanelLine {
  /** Index of the alert this line belongs to. */
  alert: number;
}

/**
 * Two lines an alert or more — what and since when, then the summary with
 * the numbers, wrapped (up to three rows); the selected one (when the panel has the keyboard) also shows why
 * and the commands to run next. Everything is escaped: subjects carry
 * process and interface names.
 */
export function alertLines(model: AlertPanelModel, expanded: number | undefined, width = 200): AlertLine[] {
  const lines: AlertLine[] = [];
  model.alerts.forEach((a: AlertRow, i) => {
    const color = a.severity === 'critical' ? 'red' : 'yellow';
    // A symptom sits indented under its cause, and does not shout.
    const indent = a.causedBy ? '    ' : '';
    const mark = a.causedBy ? '↳' : a.severity === 'critical' ? '●' : '▲';
    lines.push({
      key: `${a.id}|${a.subject}|h`,
      text: `${indent}${mark} ${a.causedBy ? 'symptom ' : a.severity.toUpperCase().padEnd(8)} ${a.id}  ${safeText(a.subject)}  · ${a.sinceText}`,
      color,
      bold: !a.causedBy,
      alert: i,
    });
    // The summary whole, up to SUMMARY_LINES: its end says who (the client, the process and what it has left).
    const summary = wrapWords(safeText(a.summary), Math.max(20, width - 2 - indent.length));
    if (summary.length > SUMMARY_LINES) summary.splice(SUMMARY_LINES - 1, Infinity, `${summary[SUMMARY_LINES - 1]}…`);
    summary.forEach((text, k) => lines.push({ key: `${a.id}|${a.subject}|s${k}`, text: `${indent}  ${text}`, alert: i }));
    if (expanded === i) {
      wrapWords(`why: ${safeText(a.why)}`, Math.max(20, width - 2 - indent.length)).forEach((text, k) =>
        lines.push({ key: `${a.id}|${a.subject}|w${k}`, text: `${indent}  ${text}`, alert: i }),
      );
      for (const [k, cmd] of a.next.entries()) lines.push({ key: `${a.id}|${a.subject}|n${k}`, text: `${indent}  $ ${safeText(cmd)}`, color: 'cyan', alert: i });
      lines.push({ key: `${a.id}|${a.subject}|e`, text: `${indent}  Enter: go to it`, dim: true, alert: i });
    }
  });
  for (const d of model.disabled) lines.push({ key: `off-${d.id}`, text: `rule ${d.id} disabled after an error: ${safeText(d.reason)}`, color: 'yellow', alert: -1 });
  for (const b of model.blind) {
    lines.push({ key: `blind-${b.source}`, text: `blind: ${b.source} — ${safeText(b.why)}; unknown: ${b.rules.join(', ')}`, color: 'yellow', alert: -1 });
  }
  for (const c of model.closed) {
    lines.push({ key: `closed-${c.id}|${c.subject}`, text: `✕ closed   ${c.id}  ${safeText(c.subject)}  · ${c.why} ${c.agoText}`, dim: true, alert: -1 });
  }
  return lines;
}

/** Rows the panel wants: a quiet line, or its alerts (the selected one expanded). */
export function alertsPanelHeight(model: AlertPanelModel, expanded: number | undefined, width: number): number {
  // The quiet line, when no alert is up, takes a row of its own above the rest.
  return 2 + (model.alerts.length === 0 ? 1 : 0) + alertLines(model, expanded, innerWidth(width)).length;
}


export const alertsPanel = definePanel<AlertPanelModel>({
  id: 'alerts',
  title: 'alerts',
  focusKey: '1',
  area: 'top',
  maxShare: 1 / 3,
  focusedShare: 0.6,
  build: (ctx) => buildAlertPanel(ctx.alerts, ctx.nowMs),
  rowCount: (model) => model.alerts.length,
  naturalHeight: (model, width, expanded) => alertsPanelHeight(model, expanded, width),
  // An alert leads to its subject.
  enter: (model, row) => {
    const link = model.alerts[row]?.link;
    return link ? { link } : undefined;
  },
});
