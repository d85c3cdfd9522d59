import { Box, Text } from 'ink';
import { formatAge, truncate } from '../src/format.js';
import { type FleetModel, type FleetRow, commandsFor, trendOf } from '../src/fleetView/model.js';
import { Footer } from './Footer.js';
import { Table, type TableColumn } from './Table.js';

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

/** Each name column as wide as its longest name (a CNI's namespace names run to 40 characters), within these. */
const NAME_WIDTH = { node: [4, 32], netns: [5, 44], pod: [3, 40] } as const;

const podOf = (row: FleetRow) => (row.pod !== undefined ? `${row.namespace ?? ''}/${row.pod}` : '');
const netnsOf = (row: FleetRow) => row.netns ?? '(watched)';
const activeText = (sec: number | undefined) => (sec === undefined ? '' : formatAge(sec * 1000));
const alertsText = (row: FleetRow) => row.alerts.map((a) => `${a.name.replace(/^Nettriage/, '')}${a.activeSec !== undefined ? ` ${activeText(a.activeSec)}` : ''}`).join(', ');

function columnsFor(rows: FleetRow[]): TableColumn<FleetRow>[] {
  const named = (header: keyof typeof NAME_WIDTH, of: (r: FleetRow) => string): TableColumn<FleetRow> => {
    const [min, max] = NAME_WIDTH[header];
    const width = Math.min(max, Math.max(min, ...rows.map((r) => of(r).length)));
    return { header, width, cell: (r) => truncate(of(r), width) };
  };
  return [
    { header: 'crit', width: 4, cell: (r) => String(r.critical) },
    { header: 'warn', width: 4, cell: (r) => String(r.warning) },
    { header: 'trend', width: 5, cell: trendOf },
    named('node', (r) => r.node),
    named('netns', netnsOf),
    named('pod', podOf),
    { header: 'alerts', width: Infinity, cell: alertsText },
  ];
}

/** `nettriage fleet`: every node and pod with nettriage alerts firing, worst first; Enter, what to run there. */
export function FleetView(props: FleetViewProps) {
  const { width, height, rows, selected, model } = props;
  const row = rows[selected];
  const detailLines = props.detail && row ? [...row.alerts.map((a) => `${a.severity === 'critical' ? '●' : '○'} ${a.name} (${a.severity}${a.activeSec !== undefined ? `, ${activeText(a.activeSec)}` : ''})`), '', `What to run on ${row.node}:`, ...commandsFor(row).map((c) => `  ${c}`)] : [];
  // Title, status, the table's header, footer, and the detail pane with its rule.
  const listHeight = Math.max(1, height - 4 - (detailLines.length > 0 ? detailLines.length + 1 : 0) - (props.filtering || props.filter ? 1 : 0));
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
      <Box flexDirection="column" height={listHeight + 1}>
        <Table columns={columnsFor(rows)} rows={rows} rowKey={(r) => r.key} selected={selected} focused visible={listHeight} width={width} rowStyle={(r) => ({ color: r.critical > 0 ? 'red' : 'yellow' })} inverse="row" />
        {model && rows.length === 0 && !props.problem ? <Text color="green">{truncate(props.filter ? 'no row matches the filter' : 'no nettriage alert firing anywhere', width)}</Text> : null}
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
