import { Text } from 'ink';
import type { FleetState } from '../src/fleet/fleet.js';
import { type OverviewRow, namespaceLabel } from '../src/fleet/overview.js';
import type { OverviewView } from '../src/fleet/overviewView.js';
import { formatCount, formatRate, padEnd, sparkline, truncate } from '../src/format.js';
import { innerWidth, listWindow, cutMarker } from '../src/panels/common.js';
import { safeText } from '../src/sanitize.js';
import { Panel } from './Panel.js';
import { type TableColumn, columnLine, marker } from './Table.js';

export interface NamespacesViewProps {
  view: OverviewView;
  rows: OverviewRow[];
  state: FleetState | undefined;
  width: number;
  height: number;
}

/** Ticks of the trouble sparkline: retransmits + overflows + resets per second. */
const SPARK_W = 10;
const count = (n: number | undefined) => (n === undefined ? '?' : formatCount(n));
const rate = (n: number | undefined) => (n === undefined ? '·' : formatRate(n));

function columns(width: number, rows: OverviewRow[]): TableColumn<OverviewRow>[] {
  const fixed: TableColumn<OverviewRow>[] = [
    { header: 'PROCS', width: 6, align: 'right', cell: (r) => formatCount(r.processes) },
    { header: 'ESTAB', width: 7, align: 'right', cell: (r) => count(r.estab) },
    { header: 'CLOSE-WAIT', width: 10, align: 'right', cell: (r) => count(r.closeWait) },
    { header: 'TIME-WAIT', width: 9, align: 'right', cell: (r) => count(r.timeWait) },
    { header: 'SYN-SENT', width: 8, align: 'right', cell: (r) => count(r.synSent) },
    { header: 'RETR/s', width: 7, align: 'right', cell: (r) => rate(r.retransPerSec) },
    { header: 'OVERFL/s', width: 8, align: 'right', cell: (r) => rate(r.overflowsPerSec) },
    { header: 'RST/s', width: 6, align: 'right', cell: (r) => rate(r.resetsPerSec) },
    { header: ' TROUBLE', width: SPARK_W + 1, cell: (r) => ` ${padEnd(sparkline(r.trouble, SPARK_W), SPARK_W)}` },
  ];
  const longest = Math.max(9, ...rows.map((r) => [...r.label].length));
  // On a narrow screen the columns least needed to tell which namespace is sick go first.
  const dropOrder = ['PROCS', 'RST/s', ' TROUBLE', 'OVERFL/s'];
  let kept = fixed;
  const used = () => kept.reduce((n, c) => n + c.width + 1, 0);
  for (const header of dropOrder) if (used() + Math.min(longest, 20) + 12 > width) kept = kept.filter((c) => c.header !== header);
  // As wide as the longest label (up to 40), the alerts column taking what is left.
  const labelW = Math.max(9, Math.min(longest, 40, width - used() - 1));
  return [
    { header: 'NAMESPACE', width: labelW, cell: (r) => r.label },
    ...kept,
    { header: ' ALERTS', width: Number.POSITIVE_INFINITY, cell: (r) => (r.alerts > 0 ? ` ${r.alerts} · ${r.remark}` : r.remark ? ` ${r.remark}` : '') },
  ];
}

/**
 * Every network namespace of the host, one row each, worst first: the
 * namespace's name, container or pod, its socket piles and the rates that
 * say trouble, and its alerts. Namespaces that just went are said under it.
 */
export function NamespacesView({ view, rows, state, width, height }: NamespacesViewProps) {
  const inner = innerWidth(width);
  const cols = columns(inner - 2, rows);
  const gone = (state?.gone ?? []).map((g) => {
    const closed = g.alerts.length === 0 ? '' : ` — ${g.alerts.length} alert${g.alerts.length === 1 ? '' : 's'} closed with it (${g.alerts.map((a) => a.id).join(', ')})`;
    return `gone: ${namespaceLabel(g.ns)} at ${new Date(g.atMs).toTimeString().slice(0, 8)}${closed}`;
  });
  const showFilter = view.editingFilter || view.filter !== '';
  // Borders, the summary line, the filter, the column header, the gone lines.
  const room = Math.max(1, height - 2 - 1 - (showFilter ? 1 : 0) - 1 - Math.min(3, gone.length));
  const window = listWindow(rows.length, room, view.selected);
  const total = state?.namespaces.length;
  const alerting = state?.namespaces.filter((w) => w.alerts.length > 0).length ?? 0;
  const summary =
    total === undefined
      ? 'reading every namespace…'
      : `${formatCount(total)} namespaces · ${alerting} with alerts · worst first · read from /proc/PID/net of a process in each, no process started`;
  return (
    <Panel title="Network namespaces" width={width} height={height} focused concern={alerting > 0 ? 'bad' : 'none'}>
      <Text dimColor wrap="truncate-end">
        {truncate(summary, inner)}
      </Text>
      {showFilter ? (
        <Text color={view.editingFilter ? 'cyan' : 'yellow'} wrap="truncate-end">
          {truncate(`filter: ${safeText(view.filter)}${view.editingFilter ? '▏ (Enter keeps, Esc clears)' : ''}`, inner)}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {truncate(`  ${columnLine(cols, cols.map((c) => c.header))}`, inner)}
      </Text>
      {window.above > 0 ? <Text dimColor>{truncate(`  ${cutMarker(window.above, 'above', '↑↓ scroll')}`, inner)}</Text> : null}
      {rows.slice(window.start, window.end).map((row, i) => {
        const selected = window.start + i === view.selected;
        const color = row.worst === 'critical' ? 'red' : row.worst === 'warning' ? 'yellow' : undefined;
        return (
          <Text key={row.key} color={color} bold={row.worst === 'critical'} inverse={selected} wrap="truncate-end">
            {truncate(`${marker(selected)}${columnLine(cols, cols.map((c) => c.cell(row)))}`, inner)}
          </Text>
        );
      })}
      {window.below > 0 ? <Text dimColor>{truncate(`  ${cutMarker(window.below, 'below', '↑↓ scroll')}`, inner)}</Text> : null}
      {rows.length === 0 && total !== undefined ? <Text dimColor>{view.filter ? 'no namespace matches the filter' : 'no namespace found'}</Text> : null}
      {gone.slice(0, 3).map((line) => (
        <Text key={line} dimColor wrap="truncate-end">
          {truncate(line, inner)}
        </Text>
      ))}
    </Panel>
  );
}
