import { scrollStart, concernColor, worst } from '../src/panels/common.js';
import { Text } from 'ink';
import { formatCount, formatRate, padEnd, padStart, sparkline, truncate, formatBig } from '../src/format.js';
import type { ConntrackPanelModel } from '../src/panels/conntrack.js';

import { type DashboardPanelProps, Panel, innerWidth } from './Panel.js';
import { SourceStatus } from './SourceStatus.js';
import { paint } from './paint.js';
import type { TextBlock } from '../src/screen/screen.js';

/** The model without its fill history: the sparkline is drawn by the screen (`conntrackSparkline`). */
export type ConntrackPanelProps = DashboardPanelProps<Omit<ConntrackPanelModel, 'fillHistory'>>;

/** Rows the panel wants: gauge, source, header, stats, status. */
export function conntrackPanelHeight(model: Omit<ConntrackPanelModel, 'fillHistory'>): number {
  return 2 + (model.count === undefined ? 0 : 2 + model.stats.length) + Math.min(2, model.status.lines.length);
}

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
  return { x: 2 + label.length + gaugeW + pct.length + 1, y: 1, width: sparkW, lines: [paint(padEnd(sparkline(model.fillHistory, sparkW), sparkW), 'cyan')] };
}

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
  const start = scrollStart(model.stats.length, selected, visible);
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
      <Text dimColor wrap="truncate-end">
        {truncate(
          `  ${padEnd('EVENT (all CPUs)', 18)} ${padStart('VALUE', 10)} ${padStart('/s', 8)} ${padStart('1m avg/s', 9)}   via ${model.source === 'conntrack' ? 'conntrack -C/-S' : '/proc'}`,
          inner,
        )}
      </Text>
      {model.stats.slice(start, start + visible).map((s, i) => {
        const isSelected = focused && start + i === selected;
        return (
          <Text key={s.name} wrap="truncate-end" color={concernColor[s.concern]} bold={s.concern === 'bad'} dimColor={!s.moved}>
            <Text inverse={isSelected}>{isSelected ? '› ' : '  '}{padEnd(s.name, 18)}</Text> {padStart(formatBig(s.value), 10)}{' '}
            {padStart(s.perSec === undefined ? '·' : formatRate(s.perSec), 8)} {padStart(s.perSecMinute === undefined ? '·' : formatRate(s.perSecMinute), 9)}
          </Text>
        );
      })}
      <SourceStatus status={model.status} width={inner} maxLines={statusLines} />
    </Panel>
  );
}
