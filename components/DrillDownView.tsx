import { Box, Text } from 'ink';
import type { DrillData } from '../src/drilldown/controller.js';
import { type DrillView, topFrame } from '../src/drilldown/navigation.js';
import type { ContainerRef } from '../src/drilldown/processInfo.js';
import { type DrillRow, drillCommands, levelLabel } from '../src/drilldown/rows.js';
import { endpointText } from '../src/endpoint.js';
import { formatBytes, formatCount, formatInterval, truncate } from '../src/format.js';
import { scrollStart, innerWidth } from '../src/panels/common.js';
import { safeText } from '../src/sanitize.js';
import { Panel } from './Panel.js';
import { type FitColumn, type TableColumn, columnLine, fitColumns, marker } from './Table.js';
import { socketColumns } from './drillColumns.js';

export interface DrillDownViewProps {
  view: DrillView;
  data: DrillData | undefined;
  rows: DrillRow[];
  width: number;
  height: number;
  refreshMs: number;
  /** `nsenter ...` prefix for commands when the target is a namespace. */
  nsenter: string;
  /** Usable ephemeral ports, for the per-destination share. */
  usablePorts?: number;
  /** Who connects to each destination, as the connect() tracer saw (escaped); `note`: why nobody is traced. */
  connecting?: { byPeer: Record<string, string>; note?: string };
}

/** `pod 5c2a7e10/3f2a1b9c8d7e` for a pod's container, `docker 3f2a1b9c8d7e` otherwise. */
function container(c: ContainerRef | undefined): string {
  if (!c) return '';
  if (c.podUid) return `pod ${c.podUid.slice(0, 8)}${c.id ? `/${c.id}` : ''}`;
  return c.id ? `${c.runtime} ${c.id}` : c.runtime;
}

type OwnerRowOf = Extract<DrillRow, { kind: 'owner' }>;
type Destination = Extract<DrillRow, { kind: 'destination' }>['destination'];

type Column = FitColumn<OwnerRowOf>;

/**
 * The owners table's columns, least important dropped first until they fit;
 * the top peers take whatever width is left.
 */
function ownerColumnsFor(width: number, showCmdline: boolean, containers: boolean, longestCommand: number): Column[] {
  // As wide as the longest command on screen (escaping makes a hostile name longer than 15
  // characters), up to 28 for names and 60% of the width for command lines.
  const commandW = Math.max(16, Math.min(longestCommand, showCmdline ? Math.floor(width * 0.6) : 28));
  const all: Column[] = [
    { header: 'PID', width: 7, align: 'right', priority: 0, cell: (r) => String(r.owner.pid) },
    { header: 'USER', width: 9, priority: 3, cell: (r) => safeText(r.owner.details?.user ?? '?') },
    {
      header: showCmdline ? 'COMMAND LINE' : 'COMMAND',
      width: commandW,
      priority: 0,
      cell: (r) => safeText((showCmdline ? r.owner.details?.cmdline : undefined) ?? r.owner.details?.comm ?? r.owner.name),
    },
    { header: 'SOCKETS', width: 8, align: 'right', priority: 0, cell: (r) => formatCount(r.owner.count) },
    { header: 'SHARE', width: 5, align: 'right', priority: 3, cell: (r) => `${Math.round(r.owner.share * 100)}%` },
    { header: 'CPU%', width: 6, align: 'right', priority: 2, cell: (r) => (r.owner.details?.cpuPercent === undefined ? '?' : r.owner.details.cpuPercent.toFixed(1)) },
    { header: 'RSS', width: 9, align: 'right', priority: 1, cell: (r) => (r.owner.details?.rssBytes === undefined ? '?' : formatBytes(r.owner.details.rssBytes)) },
    {
      header: 'RSS/min',
      width: 11,
      align: 'right',
      priority: 2,
      cell: (r) => (r.owner.rssPerMin === undefined ? '·' : `${r.owner.rssPerMin >= 0 ? '+' : ''}${formatBytes(r.owner.rssPerMin)}`),
    },
    {
      header: 'FDS/LIMIT',
      width: 15,
      align: 'right',
      priority: 1,
      cell: (r) => {
        const d = r.owner.details;
        return d?.fds === undefined ? '?' : `${formatCount(d.fds)}/${d.fdLimit === undefined ? '∞' : formatCount(d.fdLimit)}`;
      },
    },
    ...(containers ? [{ header: 'CONTAINER', width: 25, priority: 1, cell: (r: OwnerRowOf) => safeText(container(r.owner.details?.container)) }] : []),
  ];
  const kept = fitColumns(all, width - 8);
  const used = () => kept.reduce((n, c) => n + c.width + 1, 0);
  const peersW = Math.max(0, width - used());
  kept.push({
    header: 'TOP PEERS',
    width: peersW,
    priority: 0,
    cell: (r) => safeText(r.owner.peers.map((p) => `${p.endpoint}${p.count > 1 ? ` ×${p.count}` : ''}`).join(', ')),
  });
  return kept;
}

type OwnerOf = OwnerRowOf['owner'];

/**
 * The selected process in full, under the list: who and where it is, then
 * its whole command line (up to three lines) — two `python3` owners told
 * apart. Every part is escaped.
 */
function ownerDetail(owner: OwnerOf, width: number): string[] {
  const d = owner.details;
  const parts = [`pid ${owner.pid}`];
  if (d?.user) parts.push(`user ${safeText(d.user)}`);
  // A time, not an age: the view changes when the data does, not every second.
  if (d?.startedMs !== undefined) parts.push(`started ${startTime(d.startedMs)}`);
  if (d?.cwd) parts.push(`cwd ${safeText(d.cwd)}`);
  if (d?.container) parts.push(container(d.container));
  const command = safeText(d?.cmdline ?? d?.comm ?? owner.name);
  // Cut at the width, not at spaces: a long path is one word.
  const chars = [...`$ ${command}`];
  const commandLines: string[] = [];
  for (let i = 0; i < chars.length && commandLines.length < 3; i += width) commandLines.push(chars.slice(i, i + width).join(''));
  if (chars.length > 3 * width) commandLines[2] = truncate(`${commandLines[2] ?? ''}…`, width);
  return [truncate(parts.join(' · '), width), ...commandLines];
}

/** `14:02:11` today, `2026-11-25 14:02` before. */
function startTime(ms: number): string {
  const at = new Date(ms);
  const today = new Date().toDateString() === at.toDateString();
  if (today) return at.toTimeString().slice(0, 8);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

const states = (d: Destination): string =>
  Object.entries(d.byState)
    .map(([s, n]) => `${s} ${formatCount(n ?? 0)}`)
    .join(', ');

function destinationColumns(usable: number | undefined, connecting: Record<string, string> = {}): TableColumn<Destination>[] {
  return [
    { header: 'LOCAL IP', width: 22, cell: (d) => d.localAddress },
    { header: 'DESTINATION', width: 28, cell: (d) => d.peer },
    { header: 'SOCKETS', width: 8, align: 'right', cell: (d) => formatCount(d.count) },
    { header: 'OF PORTS', width: 9, align: 'right', cell: (d) => (usable ? `${((d.count / usable) * 100).toFixed(1)}%` : '?') },
    { header: ' STATES', width: 30, cell: (d) => ` ${states(d)}` },
    // TIME-WAIT has no owner: who connects comes from the connect() calls the kernel traced.
    { header: 'WHO CONNECTS', width: Number.POSITIVE_INFINITY, cell: (d) => connecting[d.peer] ?? '·' },
  ];
}

type SocketRowOf = Extract<DrillRow, { kind: 'socket' }>;

/** A row of ownerless sockets among the owners, in the owners' first columns. */
const UNOWNED_COLUMNS = [{ width: 7, align: 'right' as const }, { width: 9 }, { width: 16 }, { width: 8, align: 'right' as const }];

function rowText(row: DrillRow, columns: Column[], sockets: TableColumn<SocketRowOf>[], usable: number | undefined, connecting: Record<string, string> | undefined): string {
  const line = <R,>(cols: readonly TableColumn<R>[], r: R) => columnLine(cols, cols.map((c) => c.cell(r)));
  switch (row.kind) {
    case 'owner':
      return line(columns, row);
    case 'unowned':
      return `${columnLine(UNOWNED_COLUMNS, ['–', '', '(no owner)', formatCount(row.count)])}   Enter: group by destination`;
    case 'destination':
      return line(destinationColumns(usable, connecting), row.destination);
    case 'socket':
      return line(sockets, row);
  }
}

function headerFor(levelKind: string, columns: Column[], sockets: TableColumn<SocketRowOf>[]): string {
  const cols: readonly Pick<TableColumn<unknown>, 'header' | 'width' | 'align'>[] =
    levelKind === 'owners' ? columns : levelKind === 'destinations' ? destinationColumns(undefined) : sockets;
  return columnLine(cols, cols.map((c) => c.header));
}

/** Where the health figures come from and how fresh; or why there are none. */
function healthNote(health: NonNullable<DrillData['health']>, sockets: number): { text: string; color: string } {
  if (health.problem) return { text: `⚠ TCP health (ss -i): ${health.problem}`, color: 'red' };
  const at = new Date(health.atMs).toTimeString().slice(0, 8);
  return { text: `TCP health of ${formatCount(health.byKey.size)} of ${formatCount(sockets)} sockets from ss -i at ${at} · RETR now/in all · s sorts`, color: 'gray' };
}

/**
 * A socket state's drill-down: owners, then one owner's sockets; or, for
 * sockets without an owner (TIME-WAIT), destinations and their sockets.
 * Only the rows that fit are rendered, so 50,000 sockets scroll like 5.
 */
export function DrillDownView({ view, data, rows, width, height, refreshMs, nsenter, usablePorts, connecting }: DrillDownViewProps) {
  const inner = innerWidth(width);
  const frame = topFrame(view);
  const crumbs = [view.state, ...view.stack.map((f) => levelLabel(f.level))].join(' › ');
  // The time of the refresh, not its age: the view changes when the data does, not every second.
  const age = data ? `refreshed ${new Date(data.atMs).toTimeString().slice(0, 8)} · every ${formatInterval(refreshMs)}` : 'querying…';
  const commands = drillCommands(data, frame.level, nsenter).map((c) => `$ ${c}`);
  const level = frame.level;
  const health = level.kind === 'sockets' && level.pid !== undefined && data?.health?.pid === level.pid ? data.health : undefined;
  const notes: { text: string; color: string }[] = [];
  if (health) notes.push(healthNote(health, rows.length));
  if (data?.problem) notes.push({ text: `⚠ ${data.problem}`, color: 'red' });
  if (data?.notRoot && data.withOwners) notes.push({ text: 'run as root to see all owners: ss -p shows only your own processes', color: 'yellow' });
  if (data?.skippedLines) notes.push({ text: `${data.skippedLines} unparseable lines skipped`, color: 'yellow' });
  if (level.kind === 'destinations' && connecting?.note) notes.push({ text: connecting.note, color: 'yellow' });
  if (level.kind === 'sockets' && level.destination !== undefined) {
    const who = connecting?.byPeer[level.destination.split('>')[1] ?? ''];
    if (who) notes.push({ text: `who connects here (traced connect() calls): ${who}`, color: 'cyan' });
    else if (connecting?.note) notes.push({ text: connecting.note, color: 'yellow' });
  }
  const showFilter = view.editingFilter || frame.filter !== '';
  const selectedRow = rows[frame.selected];
  const detail = selectedRow?.kind === 'owner' ? ownerDetail(selectedRow.owner, inner) : [];
  // Borders, breadcrumb, filter, column header, the selected owner's detail, notes and commands around the rows.
  const fixedLines = 2 + 1 + (showFilter ? 1 : 0) + 1 + detail.length + commands.length + notes.length;
  const visible = Math.max(1, height - fixedLines);
  const start = scrollStart(rows.length, frame.selected, visible);
  const shown = rows.slice(start, start + visible);
  // The container column only when some process on screen lives in one.
  const containers = shown.some((r) => r.kind === 'owner' && r.owner.details?.container !== undefined);
  const commandOf = (r: DrillRow) => (r.kind === 'owner' ? safeText((view.showCmdline ? r.owner.details?.cmdline : undefined) ?? r.owner.details?.comm ?? r.owner.name) : '');
  const longestCommand = Math.max(0, ...shown.map((r) => [...commandOf(r)].length));
  const columns = ownerColumnsFor(inner - 2, view.showCmdline, containers, longestCommand);
  const longestEndpoint = Math.max(0, ...shown.flatMap((r) => (r.kind === 'socket' ? [endpointText(r.socket.local).length, endpointText(r.socket.peer).length] : [])));
  // The timer takes what is left; keep it room for `keepalive 1m`.
  const sockets = socketColumns(inner - 2 - 14, health !== undefined, Math.max(12, Math.min(longestEndpoint, 46)));
  const position =
    (rows.length === 0 ? 'nothing here' : `${formatCount(frame.selected + 1)} of ${formatCount(rows.length)}`) +
    (frame.level.kind === 'owners' ? ` · sort: ${view.sort}` : health ? ` · sort: ${view.socketSort}` : '');
  return (
    <Panel title={`${view.state} drill-down`} width={width} height={height} focused concern="none">
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          {truncate(crumbs, Math.max(10, inner - age.length - position.length - 6))}
        </Text>
        <Text dimColor>{`  ${position} · ${age}`}</Text>
      </Text>
      {showFilter ? (
        <Text color={view.editingFilter ? 'cyan' : 'yellow'} wrap="truncate-end">
          {truncate(`filter: ${safeText(frame.filter)}${view.editingFilter ? '▏ (Enter keeps, Esc clears)' : ''}`, inner)}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate-end">
        {truncate(`  ${headerFor(frame.level.kind, columns, sockets)}`, inner)}
      </Text>
      <Box flexDirection="column" height={visible} overflow="hidden">
        {shown.map((row, i) => {
          const isSelected = start + i === frame.selected;
          return (
            <Text key={row.key} inverse={isSelected} wrap="truncate-end">
              {truncate(`${marker(isSelected)}${rowText(row, columns, sockets, usablePorts, connecting?.byPeer)}`, inner)}
            </Text>
          );
        })}
        {rows.length === 0 ? <Text dimColor>{data ? (frame.filter ? 'no row matches the filter' : 'no sockets in this state right now') : 'querying…'}</Text> : null}
      </Box>
      {detail.map((line, i) => (
        <Text key={`detail-${i}`} color={i === 0 ? undefined : 'cyan'} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {notes.map((n) => (
        <Text key={n.text} color={n.color} wrap="truncate-end">
          {truncate(n.text, inner)}
        </Text>
      ))}
      {commands.map((c) => (
        <Text key={c} color="cyan" wrap="truncate-end">
          {truncate(safeText(c), inner)}
        </Text>
      ))}
    </Panel>
  );
}
