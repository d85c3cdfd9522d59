import { scrollStart, type PanelLine, concernColor, worst } from '../src/panels/common.js';
import { Text } from 'ink';
import { formatRate, truncate, formatBig } from '../src/format.js';
import type { NicsPanelModel, NicRowModel } from '../src/panels/nics.js';
import { safeText } from '../src/sanitize.js';

import { type DashboardPanelProps, Panel, innerWidth } from './Panel.js';

export type NicsPanelProps = DashboardPanelProps<NicsPanelModel>;

function speed(mbps: number | undefined): string {
  if (mbps === undefined) return '';
  return mbps >= 1000 ? `${+(mbps / 1000).toFixed(1)}G` : `${mbps}M`;
}

/** Name, state and traffic first; what the device is comes last, where truncation takes it. */
function nicHeadline(r: NicRowModel, nameWidth: number): string {
  const state = r.operstate === 'UP' && r.carrier === false ? 'NO-CARRIER' : r.operstate;
  const traffic = r.rxPps === undefined ? '' : `rx ${formatRate(r.rxPps)}/s tx ${formatRate(r.txPps ?? 0)}/s pkts`;
  const kind = r.kind ?? (r.physical ? 'device' : '');
  const what = [kind, r.driver !== kind ? (r.driver ?? '') : '', speed(r.speedMbps), r.mtu !== undefined ? `mtu ${r.mtu}` : '']
    .filter(Boolean)
    .join(' ');
  return `${safeText(r.name).padEnd(nameWidth)} ${state.padEnd(7)} ${traffic.padEnd(24)} ${what}`;
}

/** One line per interface, then one per error counter that is non-zero or moving. */
export function nicLines(model: NicsPanelModel): PanelLine[] {
  const lines: PanelLine[] = [];
  const nameWidth = Math.min(15, Math.max(6, ...model.rows.map((r) => safeText(r.name).length)));
  for (const r of model.rows) {
    lines.push({ key: `if-${r.name}`, text: nicHeadline(r, nameWidth), color: concernColor[r.concern], bold: r.concern === 'bad' });
    for (const e of r.errors) {
      const queues = e.queues ? ` (${e.queues} queues)` : '';
      const rate = e.perSec === undefined ? '' : `  ${formatRate(e.perSec)}/s`;
      lines.push({
        key: `if-${r.name}-${e.source}-${e.name}`,
        text: `    ${e.source === 'driver' ? 'ethtool ' : ''}${safeText(e.name)}${queues}: ${formatBig(e.value)}${rate}`,
        color: e.moved ? 'red' : 'yellow',
        dim: !e.moved,
      });
    }
    if (r.driverProblem) lines.push({ key: `if-${r.name}-problem`, text: `    ethtool -S: ${safeText(r.driverProblem)}`, dim: true });
  }
  if (model.hiddenQuiet > 0) lines.push({ key: 'hidden', text: `… ${model.hiddenQuiet} more virtual interfaces with nothing to report`, dim: true });
  return lines;
}

export function NicsPanel({ model, width, height, focused, selected }: NicsPanelProps) {
  const inner = innerWidth(width);
  const status = [...model.status.lines, ...model.ethtoolStatus.lines];
  const statusLines = Math.min(2, status.length);
  const lines = nicLines(model);
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
