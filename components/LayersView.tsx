import { Text } from 'ink';
import { truncate, wrapWords } from '../src/format.js';
import type { LayerCheck } from '../src/layers.js';
import { innerWidth } from '../src/panels/common.js';
import { Panel } from './Panel.js';

export interface LayersViewProps {
  layers: LayerCheck[];
  selected: number;
  width: number;
  height: number;
}

const MARK: Record<LayerCheck['status'], { mark: string; color?: string }> = {
  ok: { mark: '✓', color: 'green' },
  broken: { mark: '✕', color: 'red' },
  degraded: { mark: '!', color: 'yellow' },
  unknown: { mark: '?', color: 'yellow' },
  unchecked: { mark: '·' },
};

/**
 * The triage checklist: one line per layer, bottom-up, ✓ or its worst
 * finding, and under a layer that is not ok the next command; the lowest
 * broken layer is marked "start here". The selected line is inverse; Enter
 * opens what it summarises.
 */
export function LayersView({ layers, selected, width, height }: LayersViewProps) {
  const inner = innerWidth(width);
  const first = layers.find((l) => l.first);
  const summary = first ? `stop at the first layer that is broken: ${first.title}` : layers.some((l) => l.status === 'unknown') ? 'no layer is broken that nettriage can see; some cannot be judged' : 'no layer is broken: link, route and sockets check out';
  const titleWidth = Math.max(...layers.map((l) => l.title.length), 10);
  const lines = layers.flatMap((l, i) => {
    const { mark, color } = MARK[l.status];
    const head = `${i === selected ? '›' : ' '} ${mark} ${l.title.padEnd(titleWidth)}  `;
    const text = `${l.first ? '▶ start here — ' : ''}${l.finding}`;
    const wrapped = wrapWords(text, Math.max(10, inner - head.length)).slice(0, 3);
    const rows = wrapped.map((w, k) => ({ key: `${l.layer}-${k}`, text: k === 0 ? `${head}${w}` : `${' '.repeat(head.length)}${w}`, color, inverse: i === selected && k === 0, bold: l.first === true }));
    if (l.next && l.status !== 'ok') rows.push({ key: `${l.layer}-next`, text: `${' '.repeat(head.length)}$ ${l.next}`, color: 'cyan', inverse: false, bold: false });
    for (const [k, d] of (l.details ?? []).slice(0, 3).entries()) rows.push({ key: `${l.layer}-d${k}`, text: `${' '.repeat(head.length)}${d}`, color: 'gray', inverse: false, bold: false });
    return rows;
  });
  const room = Math.max(1, height - 4);
  return (
    <Panel title="Triage, bottom-up — Enter opens a layer, t or Esc closes" width={width} height={height} focused concern={first ? 'bad' : 'none'}>
      <Text color={first ? 'red' : 'green'} wrap="truncate-end">
        {truncate(summary, inner)}
      </Text>
      <Text dimColor wrap="truncate-end">
        {truncate('  link and NIC → route and neighbour → sockets and queues → DNS and the application', inner)}
      </Text>
      {lines.slice(0, room).map((l) => (
        <Text key={l.key} color={l.color} bold={l.bold} inverse={l.inverse} wrap="truncate-end">
          {truncate(l.text, inner)}
        </Text>
      ))}
    </Panel>
  );
}
