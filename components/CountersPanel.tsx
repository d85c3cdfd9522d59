import { Text } from 'ink';
import { createElement } from 'react';
import type { PanelView } from '../src/panels/types.js';
import { formatBig, formatRate, formatSpan, padEnd, sparkline, truncate } from '../src/format.js';
import { concernColor, innerWidth, listWindow, worst } from '../src/panels/common.js';
import type { CounterRowModel, CountersPanelModel } from '../src/panels/counters.js';
import type { TextBlock } from '../src/screen/screen.js';
import { paint } from './paint.js';
import { type DashboardPanelProps, Panel } from './Panel.js';
import { SourceStatus } from './SourceStatus.js';
import { Table, type TableColumn } from './Table.js';

/** Columns and the window of rows on screen: one computation for the panel and its sparklines. */
function counterLayout(model: Omit<CountersPanelModel, 'histories'>, width: number, height: number, selected: number) {
  const inner = innerWidth(width);
  const labelW = model.mode === 'curated' ? 18 : Math.min(32, Math.max(18, Math.floor(inner * 0.4)));
  const valueW = 9;
  const rateW = 8;
  const sparkW = Math.max(0, inner - 2 - labelW - valueW - rateW * 2 - 4);
  const statusLines = Math.min(2, model.status.lines.length);
  const visible = Math.max(0, height - 2 - 3 - statusLines);
  const window = listWindow(model.rows.length, visible, selected);
  return { inner, labelW, valueW, rateW, sparkW, statusLines, visible, window };
}

/**
 * The sparklines of the rows on screen, placed over the panel (relative to
 * its corner) and drawn by the screen: they scroll every tick, the rest of
 * the panel does not.
 */
export function counterSparklines(model: CountersPanelModel, width: number, height: number, selected: number): TextBlock | undefined {
  const { labelW, valueW, rateW, sparkW, window } = counterLayout(model, width, height, selected);
  if (sparkW <= 0 || model.rows.length === 0) return undefined;
  const { start, end, above } = window;
  const lines = model.rows.slice(start, end).map((row, i) => {
    const text = padEnd(sparkline(model.histories[start + i] ?? [], sparkW), sparkW);
    return paint(text, concernColor[row.concern], !row.moved && row.concern === 'none');
  });
  // Border and padding, marker, label, value and two rates; below the border, the retransmit line, the header and a marker row.
  return { x: 2 + 2 + labelW + 1 + valueW + 1 + rateW + 1 + rateW + 1, y: 3 + (above > 0 ? 1 : 0), width: sparkW, lines };
}

export type CountersPanelProps = DashboardPanelProps<Omit<CountersPanelModel, 'histories'>>;

export function CountersPanel({ model, width, height, focused, selected, intervalMs }: CountersPanelProps) {
  const { inner, labelW, valueW, rateW, sparkW, statusLines, visible, window } = counterLayout(model, width, height, selected);
  const summary =
    model.mode === 'curated'
      ? `${model.movedCount} of ${model.total} counters moved in the last minute · a: show them`
      : `${model.movedCount} of ${model.total} counters moved in the last minute · a: curated set`;
  const retrans =
    model.retransPercent === undefined ? 'retransmits: –' : `retransmits ${model.retransPercent.toFixed(2)}% of data segments sent (1 min, SYNs apart)`;
  const columns: TableColumn<CounterRowModel>[] = [
    { header: 'COUNTER', width: labelW, cell: (r) => r.label },
    { header: 'VALUE', width: valueW, align: 'right', cell: (r) => formatBig(r.value) },
    { header: '/s', width: rateW, align: 'right', cell: (r) => (r.perSec === undefined ? '·' : formatRate(r.perSec)) },
    { header: '1m /s', width: rateW, align: 'right', cell: (r) => (r.perSecMinute === undefined ? '·' : formatRate(r.perSecMinute)) },
  ];
  const title = model.mode === 'curated' ? 'Kernel counters' : 'Kernel counters · all that moved';
  const worstRow = worst(...model.rows.map((r) => r.concern));
  return (
    <Panel title={title} width={width} height={height} focused={focused} concern={worstRow}>
      <Text color={concernColor[model.retransConcern]} wrap="truncate-end">
        {truncate(retrans, inner)}
      </Text>
      <Table
        columns={columns}
        rows={model.rows}
        rowKey={(r) => r.name}
        selected={selected}
        focused={focused}
        visible={visible}
        window={window}
        more={focused ? '↑↓ scroll · z zoom' : 'focus it to scroll'}
        width={inner}
        trailing={sparkW}
        headerSuffix={intervalMs && sparkW > 0 ? ` last ${formatSpan(sparkW, intervalMs)}` : ' history'}
        rowStyle={(r) => ({ color: concernColor[r.concern], bold: r.concern === 'bad', dim: !r.moved && r.concern === 'none' })}
      />
      {model.rows.length === 0 && !model.status.problem ? (
        <Text dimColor>{model.mode === 'moved' ? 'nothing moved in the last minute' : 'waiting for counters'}</Text>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {truncate(summary, inner)}
      </Text>
      <SourceStatus status={model.status} width={inner} maxLines={statusLines} />
    </Panel>
  );
}

/** How the dashboard draws this panel (loaded with the screen, never by --json). */
export const countersView: PanelView<CountersPanelModel> = {
  render: (model, box) => {
    const { histories: _h, ...table } = model;
    return {
      element: createElement(CountersPanel, { model: table, ...box }),
      sparklines: counterSparklines(model, box.width, box.height, box.selected),
    };
  },
};
