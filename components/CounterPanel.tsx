import { Text } from 'ink';
import { formatCount, formatRate, padEnd, padStart, sparkline, truncate } from '../src/format.js';
import { type CounterPanelModel, retransConcern } from '../src/models/counters.js';
import { scrollStart } from '../src/viewState.js';
import { type DashboardPanelProps, Panel, concernColor, innerWidth, worstConcern } from './Panel.js';
import { SourceStatus } from './SourceStatus.js';

export type CounterPanelProps = DashboardPanelProps<CounterPanelModel>;

/** Counter values past 2^53 lose digits in Number(), which the compact form drops anyway. */
export function formatBig(value: bigint | undefined): string {
  return value === undefined ? '–' : formatCount(Number(value));
}

export function CounterPanel({ model, width, height, focused, selected }: CounterPanelProps) {
  const inner = innerWidth(width);
  const labelW = model.mode === 'curated' ? 18 : Math.min(32, Math.max(18, Math.floor(inner * 0.4)));
  const valueW = 9;
  const rateW = 8;
  const sparkW = Math.max(0, inner - 2 - labelW - valueW - rateW * 2 - 4);
  const status = model.status.lines;
  const statusLines = Math.min(2, status.length);
  const summary =
    model.mode === 'curated'
      ? `${model.movedCount} of ${model.total} counters moved in the last minute · a: show them`
      : `${model.movedCount} of ${model.total} counters moved in the last minute · a: curated set`;
  const retrans =
    model.retransPercent === undefined ? 'retransmits: –' : `retransmits ${model.retransPercent.toFixed(2)}% of segments sent (1 min)`;
  const visible = Math.max(0, height - 2 - 3 - statusLines);
  const start = scrollStart(model.rows.length, selected, visible);
  const rows = model.rows.slice(start, start + visible);
  const title = model.mode === 'curated' ? 'Kernel counters' : 'Kernel counters · all that moved';
  const worstRow = worstConcern(model.rows.map((r) => r.concern));
  return (
    <Panel title={title} width={width} height={height} focused={focused} concern={worstRow}>
      <Text color={concernColor[retransConcern(model.retransPercent)]} wrap="truncate-end">
        {truncate(retrans, inner)}
      </Text>
      <Text dimColor wrap="truncate-end">
        {truncate(`  ${padEnd('COUNTER', labelW)} ${padStart('VALUE', valueW)} ${padStart('/s', rateW)} ${padStart('1m /s', rateW)} history`, inner)}
      </Text>
      {model.rows.length === 0 && !model.status.problem ? (
        <Text dimColor>{model.mode === 'moved' ? 'nothing moved in the last minute' : 'waiting for counters'}</Text>
      ) : null}
      {rows.map((row, i) => {
        const isSelected = focused && start + i === selected;
        const color = concernColor[row.concern];
        return (
          <Text key={row.name} wrap="truncate-end" color={color} bold={row.concern === 'bad'} dimColor={!row.moved && row.concern === 'none'}>
            <Text inverse={isSelected}>{isSelected ? '› ' : '  '}{padEnd(row.label, labelW)}</Text> {padStart(formatBig(row.value), valueW)}{' '}
            {padStart(row.perSec === undefined ? '·' : formatRate(row.perSec), rateW)} {padStart(row.perSecMinute === undefined ? '·' : formatRate(row.perSecMinute), rateW)}{' '}
            {sparkW > 0 ? sparkline(row.history, sparkW) : ''}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate-end">
        {truncate(summary, inner)}
      </Text>
      <SourceStatus status={model.status} width={inner} maxLines={statusLines} />
    </Panel>
  );
}
