import { Text } from 'ink';
import { createElement } from 'react';
import type { PanelView } from '../src/panels/types.js';
import { truncate } from '../src/format.js';
import { type AlertPanelModel, alertLines } from '../src/panels/alerts.js';
import { cutMarker, innerWidth, listWindow, worst } from '../src/panels/common.js';
import { type DashboardPanelProps, Panel } from './Panel.js';

export type AlertsPanelProps = DashboardPanelProps<AlertPanelModel>;

export function AlertsPanel({ model, width, height, focused, selected }: AlertsPanelProps) {
  const inner = innerWidth(width);
  const expanded = focused ? selected : undefined;
  const lines = alertLines(model, expanded, inner);
  // The "no alerts" line, when there is one, takes a row of its own.
  const visible = Math.max(0, height - 2 - (model.alerts.length === 0 ? 1 : 0));
  const firstOfSelected = lines.findIndex((l) => l.alert === selected);
  const lastOfSelected = lines.findLastIndex((l) => l.alert === selected);
  // The selected alert whole (why and commands included) when it fits; what is cut is said.
  const window = focused && firstOfSelected >= 0 ? listWindow(lines.length, visible, firstOfSelected, lastOfSelected) : listWindow(lines.length, visible, 0);
  const how = focused ? '↑↓ select · z zoom' : 'focus it to read';
  const concern = worst(...model.alerts.map((a) => (a.severity === 'critical' ? 'bad' : 'watch')), model.blindRules > 0 ? 'watch' : 'none');
  const counts = model.alerts.length === 0 ? [] : [`${model.critical} critical`, `${model.warning} warning`];
  if (model.blindRules > 0) counts.push(`${model.blindRules} rule${model.blindRules === 1 ? '' : 's'} blind`);
  const title = ['Alerts', ...counts].join(' · ');
  return (
    <Panel title={title} width={width} height={height} focused={focused} concern={concern}>
      {model.alerts.length === 0 ? (
        <Text color={model.quiet.color} wrap="truncate-end">
          {truncate(model.quiet.text, inner)}
        </Text>
      ) : null}
      {window.above > 0 ? (
        <Text dimColor wrap="truncate-end">
          {truncate(cutMarker(window.above, 'above', how), inner)}
        </Text>
      ) : null}
      {lines.slice(window.start, window.end).map((l) => (
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
      {window.below > 0 ? (
        <Text dimColor wrap="truncate-end">
          {truncate(cutMarker(window.below, 'below', how), inner)}
        </Text>
      ) : null}
    </Panel>
  );
}

/** How the dashboard draws this panel (loaded with the screen, never by --json). */
export const alertsView: PanelView<AlertPanelModel> = {
  render: (model, box) => ({ element: createElement(AlertsPanel, { model, ...box }) }),
};
