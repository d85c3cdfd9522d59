import { Text } from 'ink';
import { truncate, wrapWords } from '../src/format.js';
import type { AlertPanelModel, AlertRow } from '../src/panels/alerts.js';
import { scrollStart, type PanelLine, worst } from '../src/panels/common.js';
import { safeText } from '../src/sanitize.js';
import { type DashboardPanelProps, Panel, innerWidth } from './Panel.js';

export type AlertsPanelProps = DashboardPanelProps<AlertPanelModel>;

interface Line extends PanelLine {
  /** Index of the alert this line belongs to. */
  alert: number;
}

/**
 * Two lines an alert — what and since when, then the summary with the
 * numbers; the selected one (when the panel has the keyboard) also shows why
 * and the commands to run next. Everything is escaped: subjects carry
 * process and interface names.
 */
export function alertLines(model: AlertPanelModel, expanded: number | undefined, width = 200): Line[] {
  const lines: Line[] = [];
  model.alerts.forEach((a: AlertRow, i) => {
    const color = a.severity === 'critical' ? 'red' : 'yellow';
    const mark = a.severity === 'critical' ? '●' : '▲';
    lines.push({
      key: `${a.id}|${a.subject}|h`,
      text: `${mark} ${a.severity.toUpperCase().padEnd(8)} ${a.id}  ${safeText(a.subject)}  · ${a.sinceText}`,
      color,
      bold: true,
      alert: i,
    });
    lines.push({ key: `${a.id}|${a.subject}|s`, text: `  ${safeText(a.summary)}`, alert: i });
    if (expanded === i) {
      wrapWords(`why: ${safeText(a.why)}`, Math.max(20, width - 2)).forEach((text, k) =>
        lines.push({ key: `${a.id}|${a.subject}|w${k}`, text: `  ${text}`, dim: true, alert: i }),
      );
      for (const [k, cmd] of a.next.entries()) lines.push({ key: `${a.id}|${a.subject}|n${k}`, text: `  $ ${safeText(cmd)}`, color: 'cyan', alert: i });
      lines.push({ key: `${a.id}|${a.subject}|e`, text: '  Enter: go to it', dim: true, alert: i });
    }
  });
  for (const d of model.disabled) lines.push({ key: `off-${d.id}`, text: `rule ${d.id} disabled after an error: ${safeText(d.reason)}`, color: 'yellow', alert: -1 });
  return lines;
}

/** Rows the panel wants: a quiet line, or its alerts (the selected one expanded). */
export function alertsPanelHeight(model: AlertPanelModel, expanded: number | undefined, width: number): number {
  return 2 + Math.max(1, alertLines(model, expanded, innerWidth(width)).length);
}

export function AlertsPanel({ model, width, height, focused, selected }: AlertsPanelProps) {
  const inner = innerWidth(width);
  const expanded = focused ? selected : undefined;
  const lines = alertLines(model, expanded, inner);
  // The "no alerts" line, when there is one, takes a row of its own.
  const visible = Math.max(0, height - 2 - (model.alerts.length === 0 ? 1 : 0));
  const firstOfSelected = lines.findIndex((l) => l.alert === selected);
  const start = scrollStart(lines.length, Math.max(0, firstOfSelected + 1), visible);
  const concern = worst(...model.alerts.map((a) => (a.severity === 'critical' ? 'bad' : 'watch')));
  const title = model.alerts.length === 0 ? 'Alerts' : `Alerts · ${model.critical} critical · ${model.warning} warning`;
  return (
    <Panel title={title} width={width} height={height} focused={focused} concern={concern}>
      {model.alerts.length === 0 ? (
        <Text color="green" wrap="truncate-end">
          {truncate(`✓ no alerts — ${model.watching} rules watching`, inner)}
        </Text>
      ) : null}
      {lines.slice(start, start + visible).map((l) => (
        <Text
          key={l.key}
          wrap="truncate-end"
          color={l.color}
          bold={l.bold}
          dimColor={l.dim}
          inverse={focused && l.alert === selected && l.key.endsWith('|h')}
        >
          {truncate(l.text, inner)}
        </Text>
      ))}
    </Panel>
  );
}
