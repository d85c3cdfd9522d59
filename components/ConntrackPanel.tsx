import { Text } from 'ink';
import { createElement } from 'react';
import type { PanelView } from '../src/panels/types.js';
import { formatCount, formatRate, padEnd, sparkline, formatBig } from '../src/format.js';
import { concernColor, worst, innerWidth } from '../src/panels/common.js';
import type { ConntrackPanelModel, ConntrackStatRow } from '../src/panels/conntrack.js';
import type { TextBlock } from '../src/screen/screen.js';
import { paint } from './paint.js';
import { type DashboardPanelProps, Panel } from './Panel.js';
import { SourceStatus } from './SourceStatus.js';
import { Table, type TableColumn } from './Table.js';

/** The model without its fill history: the sparkline is drawn by the screen (`conntrackSparkline`). */
export type ConntrackPanelProps = DashboardPanelProps<Omit<ConntrackPanelModel, 'fillHistory'>>;


function gauge(fill: number, width: number): { filled: string; empty: string } {
  const n = Math.min(width, Math.max(fill > 0 ? 1 : 0, Math.round(fill * width)));
  return { filled: '█'.repeat(n), empty: '░'.repeat(Math.max(0, width - n)) };
}

/** The gauge line's parts and widths: one computation for the panel and its sparkline. */
function gaugeLayout(count: number, max: number, fill: number, inner: number) {
  const label = `${formatCount(count)} / ${formatCount(max)} entries `;
  const pct = ` ${(fill * 100).toFixed(1)}%`;
  const gaugeW = Math.max(5, Math.min(30, inner - label.length - pct.length - 12));
  const sparkW = Math.max(0, inner - label.length - gaugeW - pct.length - 1);
  return { label, pct, gaugeW, sparkW };
}

/** The fill sparkline at the end of the gauge line, drawn by the screen over the panel (relative to its corner). */
export function conntrackSparkline(model: ConntrackPanelModel, width: number): TextBlock | undefined {
  if (model.count === undefined || model.max === undefined || model.fill === undefined) return undefined;
  const { label, pct, gaugeW, sparkW } = gaugeLayout(model.count, model.max, model.fill, innerWidth(width));
  if (sparkW <= 0) return undefined;
  return { x: 2 + label.length + gaugeW + pct.length + 1, y: 1, width: sparkW, lines: [paint(padEnd(sparkline(model.fillHistory, sparkW, 1), sparkW), 'cyan')] };
}

const STAT_COLUMNS: TableColumn<ConntrackStatRow>[] = [
  { header: 'EVENT (all CPUs)', width: 18, cell: (s) => s.name },
  { header: 'VALUE', width: 10, align: 'right', cell: (s) => formatBig(s.value) },
  { header: '/s', width: 8, align: 'right', cell: (s) => (s.perSec === undefined ? '·' : formatRate(s.perSec)) },
  { header: '1m avg/s', width: 9, align: 'right', cell: (s) => (s.perSecMinute === undefined ? '·' : formatRate(s.perSecMinute)) },
];

export function ConntrackPanel({ model, width, height, focused, selected }: ConntrackPanelProps) {
  const inner = innerWidth(width);
  const statusLines = Math.min(2, model.status.lines.length);
  const concern = worst(model.fillConcern, ...model.stats.map((s) => s.concern));
  if (model.count === undefined || model.max === undefined || model.fill === undefined) {
    return (
      <Panel title="conntrack" width={width} height={height} focused={focused}>
        {statusLines === 0 ? <Text dimColor>waiting for the first sample</Text> : null}
        <SourceStatus status={model.status} width={inner} maxLines={Math.max(1, height - 2)} />
      </Panel>
    );
  }
  const { label, pct, gaugeW, sparkW } = gaugeLayout(model.count, model.max, model.fill, inner);
  const g = gauge(model.fill, gaugeW);
  const visible = Math.max(0, height - 2 - 2 - statusLines);
  return (
    <Panel title="conntrack" width={width} height={height} focused={focused} concern={concern}>
      <Text wrap="truncate-end">
        <Text>{label}</Text>
        <Text color={concernColor[model.fillConcern] ?? 'green'}>{g.filled}</Text>
        <Text color="gray">{g.empty}</Text>
        <Text color={concernColor[model.fillConcern]} bold={model.fillConcern !== 'none'}>
          {pct}
        </Text>
        <Text> {' '.repeat(sparkW)}</Text>
      </Text>
      <Table
        columns={STAT_COLUMNS}
        rows={model.stats}
        rowKey={(s) => s.name}
        selected={selected}
        focused={focused}
        visible={visible}
        width={inner}
        headerSuffix={`   via ${model.source === 'conntrack' ? 'conntrack -C/-S' : '/proc'}`}
        rowStyle={(s) => ({ color: concernColor[s.concern], bold: s.concern === 'bad', dim: !s.moved })}
      />
      <SourceStatus status={model.status} width={inner} maxLines={statusLines} />
    </Panel>
  );
}

/** How the dashboard draws this panel (loaded with the screen, never by --json). */
export const conntrackView: PanelView<ConntrackPanelModel> = {
  render: (model, box) => {
    const { fillHistory: _h, ...table } = model;
    return { element: createElement(ConntrackPanel, { model: table, ...box }), sparklines: conntrackSparkline(model, box.width) };
  },
};
