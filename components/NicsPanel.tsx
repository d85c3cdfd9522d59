import { Text } from 'ink';
import { createElement } from 'react';
import type { PanelView } from '../src/panels/types.js';
import { truncate } from '../src/format.js';
import { scrollStart, worst, innerWidth } from '../src/panels/common.js';
import type { NicsPanelModel } from '../src/panels/nics.js';
import { safeText } from '../src/sanitize.js';
import { type DashboardPanelProps, Panel } from './Panel.js';

export type NicsPanelProps = DashboardPanelProps<NicsPanelModel>;

export function NicsPanel({ model, width, height, focused, selected }: NicsPanelProps) {
  const inner = innerWidth(width);
  const status = [...model.status.lines, ...model.ethtoolStatus.lines];
  const statusLines = Math.min(2, status.length);
  const lines = model.lines;
  const visible = Math.max(0, height - 2 - statusLines);
  const start = scrollStart(lines.length, selected, visible);
  const concern = worst(...model.rows.map((r) => r.concern));
  return (
    <Panel title="NICs" width={width} height={height} focused={focused} concern={concern}>
      {lines.slice(start, start + visible).map((l, i) => {
        const isSelected = focused && start + i === selected;
        return (
          <Text key={l.key} wrap="truncate-end" color={l.color} bold={l.bold} dimColor={l.dim} inverse={isSelected}>
            {truncate(l.text, inner)}
          </Text>
        );
      })}
      {status.slice(0, statusLines).map((s, i) => (
        <Text key={`s${i}`} color={s.color} wrap="truncate-end">
          {truncate(safeText(s.text), inner)}
        </Text>
      ))}
    </Panel>
  );
}

/** How the dashboard draws this panel (loaded with the screen, never by --json). */
export const nicsView: PanelView<NicsPanelModel> = {
  render: (model, box) => ({ element: createElement(NicsPanel, { model, ...box }) }),
};
