import { Text } from 'ink';
import { createElement } from 'react';
import type { PanelView } from '../src/panels/types.js';
import { formatCount, truncate } from '../src/format.js';
import { concernColor, worst, innerWidth } from '../src/panels/common.js';
import type { MemoryRowModel, SocketMemoryPanelModel } from '../src/panels/socketMemory.js';
import { type DashboardPanelProps, Panel } from './Panel.js';
import { SourceStatus } from './SourceStatus.js';
import { Table, type TableColumn } from './Table.js';

export type SocketMemoryPanelProps = DashboardPanelProps<SocketMemoryPanelModel>;

const COLUMNS: TableColumn<MemoryRowModel>[] = [
  { header: '', width: 3, cell: (r) => r.protocol },
  { header: '', width: 8, align: 'right', cell: (r) => formatCount(r.pages) },
  { header: '', width: 4, align: 'right', cell: (r) => `${Math.round(r.share * 100)}%` },
  { header: '', width: Number.POSITIVE_INFINITY, cell: (r) => `of max ${formatCount(r.max)} pages · pressure from ${formatCount(r.pressure)}` },
];

/** Socket buffer memory (host-wide) against tcp_mem / udp_mem, one line a protocol. */
export function SocketMemoryPanel({ model, width, height, focused, selected }: SocketMemoryPanelProps) {
  const inner = innerWidth(width);
  const statusLines = Math.min(2, model.status.lines.length);
  return (
    <Panel title="Socket memory (host)" width={width} height={height} focused={focused} concern={worst(...model.rows.map((r) => r.concern))}>
      {model.rows.length === 0 && statusLines === 0 ? <Text dimColor>{truncate('waiting for the first sample', inner)}</Text> : null}
      <Table
        columns={COLUMNS}
        rows={model.rows}
        rowKey={(r) => r.protocol}
        selected={selected}
        focused={focused}
        visible={Math.max(0, height - 2 - statusLines)}
        width={inner}
        header={false}
        rowStyle={(r) => ({ color: concernColor[r.concern], bold: r.concern === 'bad' })}
      />
      <SourceStatus status={model.status} width={inner} maxLines={statusLines} />
    </Panel>
  );
}

/** How the dashboard draws this panel (loaded with the screen, never by --json). */
export const socketMemoryView: PanelView<SocketMemoryPanelModel> = {
  render: (model, box) => ({ element: createElement(SocketMemoryPanel, { model, ...box }) }),
};
