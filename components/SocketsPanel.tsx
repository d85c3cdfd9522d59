import { Box, Text } from 'ink';
import { createElement } from 'react';
import type { PanelView } from '../src/panels/types.js';
import { formatCount, formatSpan, formatTrend, logBar, padEnd, padStart, sparkline, truncate } from '../src/format.js';
import { concernColor, worst } from '../src/panels/common.js';
import { type SocketsPanelModel, type StateRowModel, shownStateRows } from '../src/panels/sockets.js';
import type { TextBlock } from '../src/screen/screen.js';
import { paint } from './paint.js';
import { Panel } from './Panel.js';
import { SourceStatus } from './SourceStatus.js';
import { columnLine, marker } from './Table.js';

export interface SocketsPanelProps {
  /** The rows without their histories: the sparklines are drawn by the screen (`socketSparklines`). */
  model: Omit<SocketsPanelModel, 'histories'>;
  selected: number;
  width: number;
  height?: number;
  focused: boolean;
  /** The sampling interval, for the time span the sparklines cover. */
  intervalMs?: number;
}

const STATE_W = 11;
const COUNT_W = 8;
const TREND_W = 10;
const REMARK_W = 18;
/** The state and its count, the columns every row starts with. */
const NAME_COLUMNS = [{ width: STATE_W }, { width: COUNT_W, align: 'right' as const }];


function layout(width: number) {
  const inner = Math.max(20, width - 4);
  const barW = Math.max(6, Math.min(24, Math.floor(inner * 0.18)));
  const fixed = 2 + STATE_W + 1 + COUNT_W + 1 + barW + 1 + TREND_W + 1;
  const rest = Math.max(0, inner - fixed);
  // The remark says why a row is red; it wins over sparkline width.
  const remarkW = rest >= REMARK_W + 8 ? REMARK_W : 0;
  return { inner, barW, sparkW: Math.max(0, rest - remarkW - (remarkW ? 1 : 0)), remarkW };
}

function StateRow({ row, maxCount, isSelected, cols }: { row: StateRowModel; maxCount: number; isSelected: boolean; cols: ReturnType<typeof layout> }) {
  const color = concernColor[row.concern];
  const bar = logBar(row.count ?? 0, maxCount, cols.barW);
  const trend = formatTrend(row.trendPerMinute);
  const trendColor =
    trend.direction === 'up' && row.concern !== 'none' ? color : trend.direction === 'none' || trend.direction === 'flat' ? 'gray' : undefined;
  return (
    <Box>
      <Text inverse={isSelected} color={color} bold={row.concern === 'bad'}>
        {marker(isSelected)}
        {columnLine(NAME_COLUMNS, [row.state, row.count === undefined ? '–' : formatCount(row.count)])}{' '}
      </Text>
      <Text color={color ?? 'green'}>{bar.filled}</Text>
      <Text color="gray">{bar.empty}</Text>
      <Text color={trendColor}> {padStart(trend.text, TREND_W)} </Text>
      <Text>{' '.repeat(cols.sparkW)}</Text>
      {cols.remarkW > 0 ? <Text color={color}> {padEnd(row.remark ?? '', cols.remarkW)}</Text> : null}
    </Box>
  );
}

/** Border and padding on the left, the marker, state, count, bar and trend: where the sparklines start. */
const sparkX = (cols: ReturnType<typeof layout>) => 2 + 2 + STATE_W + 1 + COUNT_W + 1 + cols.barW + 1 + TREND_W + 1;

/**
 * The sparkline column, placed over the panel (relative to its corner) and
 * drawn by the screen: it scrolls every tick, the rest of the panel does not.
 */
export function socketSparklines(model: SocketsPanelModel, width: number, height?: number, selected?: number): TextBlock | undefined {
  const cols = layout(width);
  if (cols.sparkW <= 0) return undefined;
  const { shown } = rowsLayout(model, height, selected);
  const lines = shown.map((i) => paint(padEnd(sparkline(model.histories[i] ?? [], cols.sparkW), cols.sparkW), concernColor[model.rows[i]?.concern ?? 'none'] ?? 'cyan'));
  // Below the top border and the column header.
  return { x: sparkX(cols), y: 2, width: cols.sparkW, lines };
}

function summaryLine(model: Omit<SocketsPanelModel, 'histories'>): string {
  const parts: string[] = [];
  if (model.udp !== undefined) parts.push(`UDP ${formatCount(model.udp)}`);
  if (model.orphans !== undefined) parts.push(`orphans ${formatCount(model.orphans)} (host-wide)`);
  if (model.portRange) {
    const r = model.portRange;
    parts.push(`ephemeral ports ${r.low}–${r.high} (${formatCount(r.usable)} usable)`);
  }
  if (model.method) parts.push(model.method === 'ss' ? `ss read ${formatCount(model.dumpedSockets ?? 0)} unusual sockets` : `read ${formatCount(model.dumpedSockets ?? 0)} sockets from /proc/net/tcp`);
  return parts.join(' · ');
}

/**
 * Inside the borders: the header, the states, the summary, then status
 * lines, as far as they fit. When not every state fits, the ones that
 * matter stay and one line names the rest.
 */
function rowsLayout(model: Omit<SocketsPanelModel, 'histories'>, height: number | undefined, selected: number | undefined) {
  const room = height === undefined ? Number.POSITIVE_INFINITY : Math.max(0, height - 2);
  const { shown, hidden } = shownStateRows(model.rows, Math.max(0, room - 1), selected);
  const used = 1 + shown.length + (hidden.length > 0 ? 1 : 0);
  const summaryShown = room - used >= 1;
  const statusRoom = Math.min(3, Math.max(0, room - used - 1));
  return { shown, hidden, summaryShown, statusRoom };
}

export function SocketsPanel({ model, selected, width, height, focused, intervalMs }: SocketsPanelProps) {
  const cols = layout(width);
  const { shown, hidden, summaryShown, statusRoom } = rowsLayout(model, height, focused ? selected : undefined);
  const maxCount = Math.max(1, ...model.rows.map((r) => r.count ?? 0));
  const panelConcern = worst(...model.rows.map((r) => r.concern));
  const header = `  ${columnLine(
    [...NAME_COLUMNS, { width: cols.barW }, { width: TREND_W, align: 'right' }, { width: cols.sparkW }],
    ['STATE', 'COUNT', '(log)', 'Δ/min', cols.sparkW > 0 ? (intervalMs ? `last ${formatSpan(cols.sparkW, intervalMs)}` : 'history') : ''],
  )}`;
  return (
    <Panel title="TCP sockets" width={width} {...(height !== undefined ? { height } : {})} focused={focused} concern={panelConcern}>
      <Text dimColor wrap="truncate-end">
        {truncate(header, cols.inner)}
      </Text>
      {shown.map((i) => {
        const row = model.rows[i];
        return row ? <StateRow key={row.state} row={row} maxCount={maxCount} isSelected={focused && i === selected} cols={cols} /> : null;
      })}
      {hidden.length > 0 ? (
        <Text dimColor wrap="truncate-end">
          {truncate(`  + ${hidden.length} not shown: ${hidden.join(', ')} · z zoom`, cols.inner)}
        </Text>
      ) : null}
      {summaryShown ? (
        <Text dimColor wrap="truncate-end">
          {truncate(summaryLine(model), cols.inner)}
        </Text>
      ) : null}
      <SourceStatus status={model.status} width={cols.inner} maxLines={statusRoom} />
    </Panel>
  );
}

/** How the dashboard draws this panel (loaded with the screen, never by --json). */
export const socketsView: PanelView<SocketsPanelModel> = {
  render: (model, box) => {
    const { histories: _h, ...table } = model;
    return { element: createElement(SocketsPanel, { model: table, ...box }), sparklines: socketSparklines(model, box.width, box.height, box.focused ? box.selected : undefined) };
  },
};
