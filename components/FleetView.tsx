import { Box, Text } from 'ink';
import { padEnd, truncate } from '../src/format.js';
import { type FleetModel, type FleetRow, commandsFor, formatActive, trendOf } from '../src/fleetView/model.js';
import { Footer } from './Footer.js';

export interface FleetViewProps {
  url: string;
  model?: FleetModel;
  /** Why Prometheus gave nothing (unreachable, no nettriage series); the last rows stay beneath it. */
  problem?: string;
  /** The rows the filter keeps. */
  rows: FleetRow[];
  selected: number;
  filter: string;
  filtering: boolean;
  detail: boolean;
  updatedAt?: Date;
  width: number;
  height: number;
  hints: string[];
}

type Columns = { node: number; netns: number; pod: number };
const FIXED = { crit: 5, warn: 5, trend: 6 } as const;
/** Each name column as wide as its longest name (a CNI's namespace names run to 40 characters), within these. */
const LIMITS: Record<keyof Columns, [number, number]> = { node: [6, 32], netns: [7, 44], pod: [5, 40] };

const podOf = (row: FleetRow) => (row.pod !== undefined ? `${row.namespace ?? ''}/${row.pod}` : '');
const netnsOf = (row: FleetRow) => row.netns ?? '(watched)';

function columnsFor(rows: FleetRow[]): Columns {
  const fit = (key: keyof Columns, texts: string[]) => Math.min(LIMITS[key][1], Math.max(LIMITS[key][0], ...texts.map((t) => t.length + 2)));
  return { node: fit('node', rows.map((r) => r.node)), netns: fit('netns', rows.map(netnsOf)), pod: fit('pod', rows.map(podOf)) };
}

const cell = (text: string, w: number) => padEnd(truncate(text, w - 1), w);

function header(c: Columns, width: number): string {
  return truncate(`  ${cell('crit', FIXED.crit)}${cell('warn', FIXED.warn)}${cell('trend', FIXED.trend)}${cell('node', c.node)}${cell('netns', c.netns)}${cell('pod', c.pod)}alerts`, width);
}

function rowText(row: FleetRow, c: Columns, width: number): string {
  const alerts = row.alerts.map((a) => `${a.name.replace(/^Nettriage/, '')}${a.activeSec !== undefined ? ` ${formatActive(a.activeSec)}` : ''}`).join(', ');
  return truncate(`${cell(String(row.critical), FIXED.crit)}${cell(String(row.warning), FIXED.warn)}${cell(trendOf(row), FIXED.trend)}${cell(row.node, c.node)}${cell(netnsOf(row), c.netns)}${cell(podOf(row), c.pod)}${alerts}`, width - 2);
}

/** `nettriage fleet`: every node and pod with nettriage alerts firing, worst first; Enter, what to run there. */
export function FleetView(props: FleetViewProps) {
  const { width, height, rows, selected, model } = props;
  const row = rows[selected];
  const detailLines = props.detail && row ? [...row.alerts.map((a) => `${a.severity === 'critical' ? '●' : '○'} ${a.name} (${a.severity}${a.activeSec !== undefined ? `, ${formatActive(a.activeSec)}` : ''})`), '', `What to run on ${row.node}:`, ...commandsFor(row).map((c) => `  ${c}`)] : [];
  // Title, status, header, footer, and the detail pane with its rule.
  const listHeight = Math.max(1, height - 4 - (detailLines.length > 0 ? detailLines.length + 1 : 0) - (props.filtering || props.filter ? 1 : 0));
  const first = Math.max(0, Math.min(selected - listHeight + 1, rows.length - listHeight));
  const shown = rows.slice(first, first + listHeight);
  const columns = columnsFor(rows);
  const status = model
    ? `${model.endpoints} nettriage endpoint${model.endpoints === 1 ? '' : 's'} · ${model.nodes} node${model.nodes === 1 ? '' : 's'} with alerts · ${model.rows.length} row${model.rows.length === 1 ? '' : 's'}${rows.length !== model.rows.length ? ` (${rows.length} shown)` : ''}${props.updatedAt ? ` · updated ${props.updatedAt.toISOString().slice(11, 19)} UTC` : ''}`
    : 'asking Prometheus…';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate-end">
        {truncate(`nettriage fleet · ${props.url}`, width)}
      </Text>
      {props.problem ? (
        <Text color="red" wrap="truncate-end">
          {truncate(props.problem, width)}
        </Text>
      ) : (
        <Text dimColor wrap="truncate-end">
          {truncate(status, width)}
        </Text>
      )}
      {props.filtering || props.filter ? <Text wrap="truncate-end">{truncate(`/${props.filter}${props.filtering ? '▏' : ''}`, width)}</Text> : null}
      <Text dimColor wrap="truncate-end">
        {header(columns, width)}
      </Text>
      <Box flexDirection="column" height={listHeight}>
        {model && rows.length === 0 && !props.problem ? <Text color="green">{truncate(props.filter ? 'no row matches the filter' : 'no nettriage alert firing anywhere', width)}</Text> : null}
        {shown.map((r, i) => {
          const at = first + i === selected;
          return (
            <Text key={r.key} wrap="truncate-end" inverse={at} color={r.critical > 0 ? 'red' : 'yellow'}>
              {`${at ? '›' : ' '} ${rowText(r, columns, width)}`}
            </Text>
          );
        })}
      </Box>
      {detailLines.length > 0 ? (
        <Box flexDirection="column" borderStyle="single" borderLeft={false} borderRight={false} borderBottom={false} width={width}>
          {detailLines.map((l, i) => (
            <Text key={i} wrap="truncate-end">
              {truncate(l, width)}
            </Text>
          ))}
        </Box>
      ) : null}
      <Footer hints={props.hints} width={width} />
    </Box>
  );
}
