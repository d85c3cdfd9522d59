import { Text } from 'ink';
import { type DropLayer, type DropLayerState, worstLayer } from '../src/dropPath.js';
import type { DropReasonsModel } from '../src/dropReasonsModel.js';
import { formatRate, padEnd, truncate } from '../src/format.js';
import { innerWidth } from '../src/panels/common.js';
import { safeText } from '../src/sanitize.js';
import { Panel } from './Panel.js';

export interface DropPathViewProps {
  path: DropLayerState[];
  /** The kernel's own reasons, under the layers. */
  reasons?: DropReasonsModel;
  width: number;
  height: number;
}

const NAMES: Record<DropLayer, string> = {
  nic: 'NIC receive',
  softnet: 'softnet backlog',
  conntrack: 'conntrack, netfilter',
  ip: 'IP',
  tcp: 'TCP',
  udp: 'UDP',
  qdisc: 'qdisc (transmit)',
  tx: 'NIC transmit, routes',
};

const rate = (n: number | null) => (n === null ? '?' : formatRate(n));
/** A bar on a log scale: 1/s is a mark, 10,000/s fills it. */
const bar = (n: number | null, width: number) => (n === null || n <= 0 ? '' : '█'.repeat(Math.max(1, Math.min(width, Math.round((Math.log10(n) + 1) * (width / 5))))));

/**
 * Where packets die, one line per layer in the order a received packet
 * meets them, then the transmit side: drops per second now and over the
 * last minute, the counter that moves most, and what to run next. The
 * layer losing most is red, with an arrow.
 */
/** The kernel's reasons, most first, each with its layer; or why there are none. */
function reasonLines(reasons: DropReasonsModel | undefined, room: number): { key: string; text: string; color?: string; bold: boolean }[] {
  if (!reasons) return [];
  const title = { key: 'reasons-title', text: 'KERNEL DROP REASONS', bold: true };
  if (reasons.unavailable) return [title, { key: 'reasons-why', text: `  ? ${safeText(reasons.unavailable)}`, color: 'yellow', bold: false }];
  const how = { key: 'reasons-how', text: `  ${reasons.how}`, color: 'gray', bold: false };
  const moving = reasons.rates.filter((r) => (r.minute ?? 0) > 0 || (r.now ?? 0) > 0);
  if (moving.length === 0) return [title, how, { key: 'reasons-none', text: '  no packet freed with a reason in the last minute', bold: false }];
  const shown = moving.slice(0, Math.max(1, room - 2));
  return [
    title,
    how,
    ...shown.map((r) => ({
      key: `reason-${r.reason}`,
      text: `  ${padEnd(safeText(r.reason), 22)}${rate(r.now).padStart(9)}${rate(r.minute).padStart(9)}  ${r.layer ? `→ ${NAMES[r.layer]}` : '(no one layer)'}`,
      ...(r.layer ? { color: 'yellow' } : {}),
      bold: false,
    })),
  ];
}

export function DropPathView({ path, width, height, reasons }: DropPathViewProps) {
  const inner = innerWidth(width);
  const worst = worstLayer(path)?.layer;
  const barW = 12;
  const header = `  ${padEnd('LAYER', 22)}${'NOW/s'.padStart(9)}${'1m/s'.padStart(9)}  ${padEnd('', barW)}  MOVES MOST`;
  const lines = path.flatMap((l) => {
    const mark = l.layer === worst ? '▶ ' : '  ';
    const top = l.unknown ? `? ${safeText(l.unknown)}` : l.top ? `${safeText(l.top.counter)} ${formatRate(l.top.rate)}/s` : (l.dropsPerSecMinute ?? 0) === 0 ? 'nothing dropped' : '';
    const row = `${mark}${padEnd(NAMES[l.layer], 22)}${rate(l.dropsPerSec).padStart(9)}${rate(l.dropsPerSecMinute).padStart(9)}  ${padEnd(bar(l.dropsPerSecMinute, barW), barW)}  ${top}`;
    const color = l.layer === worst ? 'red' : l.unknown ? 'yellow' : (l.dropsPerSecMinute ?? 0) > 0 ? 'yellow' : undefined;
    return [{ key: l.layer, text: row, color, bold: l.layer === worst }, ...(l.layer === worst ? [{ key: `${l.layer}-next`, text: `    $ ${l.next}`, color: 'cyan', bold: false }] : [])];
  });
  const summary = worst ? `packets die at ${NAMES[worst]} most: ${rate(path.find((l) => l.layer === worst)?.dropsPerSecMinute ?? null)}/s over the last minute` : 'no layer dropped a packet in the last minute';
  const room = Math.max(1, height - 4);
  // The reasons take what the layers leave, after a blank line.
  const below = reasonLines(reasons, room - lines.length - 1);
  const all = below.length > 0 && room - lines.length - 1 >= 2 ? [...lines, { key: 'gap', text: ' ', color: undefined, bold: false }, ...below] : lines;
  return (
    <Panel title="Drop path — d or Esc closes" width={width} height={height} focused concern={worst ? 'bad' : 'none'}>
      <Text color={worst ? 'red' : 'green'} wrap="truncate-end">
        {truncate(summary, inner)}
      </Text>
      <Text dimColor wrap="truncate-end">
        {truncate(header, inner)}
      </Text>
      {all.slice(0, room).map((l) => (
        <Text key={l.key} color={l.color} bold={l.bold} wrap="truncate-end">
          {truncate(l.text, inner)}
        </Text>
      ))}
    </Panel>
  );
}
