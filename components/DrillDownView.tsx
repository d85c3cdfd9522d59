import { Box, Text } from 'ink';
import React from 'react';
import type { ContainerRef } from '../collectors/processInfo.js';
import { endpointText } from '../collectors/socketSummary.js';
import type { DrillData } from '../src/drilldown/controller.js';
import { type DrillRow, drillCommands, levelLabel } from '../src/drilldown/rows.js';
import { type DrillView, topFrame } from '../src/drilldown/view.js';
import { formatAge, formatBytes, formatCount, formatInterval, padEnd, padStart, truncate } from '../src/format.js';
import { safeText } from '../src/sanitize.js';
import { scrollStart } from '../src/viewState.js';
import { Panel, innerWidth } from './Panel.js';

export interface DrillDownViewProps {
  view: DrillView;
  data: DrillData | undefined;
  rows: DrillRow[];
  width: number;
  height: number;
  nowMs: number;
  refreshMs: number;
  /** `nsenter ...` prefix for commands when the target is a namespace. */
  nsenter: string;
  /** Usable ephemeral ports, for the per-destination share. */
  usablePorts?: number;
}

function container(c: ContainerRef | undefined): string {
  if (!c) return '';
  const pod = c.podUid ? `pod ${c.podUid.slice(0, 8)}` : '';
  const id = c.id ? `${c.runtime} ${c.id}` : c.runtime;
  return [pod, id].filter(Boolean).join(' / ');
}

function ownerColumns(row: Extract<DrillRow, { kind: 'owner' }>, showCmdline: boolean, width: number, containers: boolean): string {
  const o = row.owner;
  const d = o.details;
  const commandW = showCmdline ? Math.max(16, width - 96) : 16;
  const command = safeText((showCmdline ? d?.cmdline : undefined) ?? d?.comm ?? o.name);
  const rssTrend = o.rssPerMin === undefined ? '·' : `${o.rssPerMin >= 0 ? '+' : ''}${formatBytes(o.rssPerMin)}`;
  const fds = d?.fds === undefined ? '?' : `${formatCount(d.fds)}/${d.fdLimit === undefined ? '∞' : formatCount(d.fdLimit)}`;
  const peers = o.peers.map((p) => `${p.endpoint}${p.count > 1 ? ` ×${p.count}` : ''}`).join(', ');
  return [
    padStart(String(o.pid), 7),
    padEnd(safeText(d?.user ?? '?'), 9),
    padEnd(command, commandW),
    padStart(formatCount(o.count), 8),
    padStart(`${Math.round(o.share * 100)}%`, 5),
    padStart(d?.cpuPercent === undefined ? '?' : d.cpuPercent.toFixed(1), 6),
    padStart(d?.rssBytes === undefined ? '?' : formatBytes(d.rssBytes), 9),
    padStart(rssTrend, 11),
    padStart(fds, 15),
    ...(containers ? [` ${padEnd(safeText(container(d?.container)), 22)}`] : []),
    safeText(peers),
  ].join(' ');
}

const OWNER_HEADER = (showCmdline: boolean, width: number, containers: boolean) =>
  [
    padStart('PID', 7),
    padEnd('USER', 9),
    padEnd(showCmdline ? 'COMMAND LINE' : 'COMMAND', showCmdline ? Math.max(16, width - 96) : 16),
    padStart('SOCKETS', 8),
    padStart('SHARE', 5),
    padStart('CPU%', 6),
    padStart('RSS', 9),
    padStart('RSS/min', 11),
    padStart('FDS/LIMIT', 15),
    ...(containers ? [` ${padEnd('CONTAINER', 22)}`] : []),
    'TOP PEERS',
  ].join(' ');

function rowText(row: DrillRow, view: DrillView, width: number, usable: number | undefined, containers: boolean): string {
  switch (row.kind) {
    case 'owner':
      return ownerColumns(row, view.showCmdline, width, containers);
    case 'unowned':
      return `${padStart('–', 7)} ${padEnd('', 9)} ${padEnd('(no owner)', 16)} ${padStart(formatCount(row.count), 8)}   Enter: group by destination`;
    case 'destination': {
      const d = row.destination;
      const share = usable ? d.count / usable : undefined;
      const states = Object.entries(d.byState)
        .map(([s, n]) => `${s} ${formatCount(n ?? 0)}`)
        .join(', ');
      return [
        padEnd(d.localAddress, 22),
        padEnd(d.peer, 28),
        padStart(formatCount(d.count), 8),
        padStart(share === undefined ? '?' : `${(share * 100).toFixed(1)}%`, 9),
        ` ${states}`,
      ].join(' ');
    }
    case 'socket': {
      const s = row.socket;
      const timer = s.timer ? `${s.timer.name}${s.timer.expiresMs !== undefined ? ` ${formatAge(s.timer.expiresMs)}` : ''}` : '';
      return [padEnd(endpointText(s.local), 30), padEnd(endpointText(s.peer), 30), padStart(String(s.recvQ), 8), padStart(String(s.sendQ), 8), ` ${timer}`].join(' ');
    }
  }
}

function headerFor(row: DrillRow | undefined, view: DrillView, width: number, levelKind: string, containers: boolean): string {
  if (levelKind === 'owners' || row?.kind === 'owner') return OWNER_HEADER(view.showCmdline, width, containers);
  if (levelKind === 'destinations') return [padEnd('LOCAL IP', 22), padEnd('DESTINATION', 28), padStart('SOCKETS', 8), padStart('OF PORTS', 9), ' STATES'].join(' ');
  return [padEnd('LOCAL', 30), padEnd('PEER', 30), padStart('RECV-Q', 8), padStart('SEND-Q', 8), ' TIMER'].join(' ');
}

/**
 * A socket state's drill-down: owners, then one owner's sockets; or, for
 * sockets without an owner (TIME-WAIT), destinations and their sockets.
 * Only the rows that fit are rendered, so 50,000 sockets scroll like 5.
 */
export function DrillDownView({ view, data, rows, width, height, nowMs, refreshMs, nsenter, usablePorts }: DrillDownViewProps) {
  const inner = innerWidth(width);
  const frame = topFrame(view);
  const crumbs = [view.state, ...view.stack.map((f) => levelLabel(f.level))].join(' › ');
  const age = data ? `refreshed ${formatAge(nowMs - data.atMs)} ago · every ${formatInterval(refreshMs)}` : 'querying…';
  const commands = drillCommands(data, frame.level, nsenter).map((c) => `$ ${c}`);
  const notes: { text: string; color: string }[] = [];
  if (data?.problem) notes.push({ text: `⚠ ${data.problem}`, color: 'red' });
  if (data?.notRoot && data.withOwners) notes.push({ text: 'run as root to see all owners: ss -p shows only your own processes', color: 'yellow' });
  if (data?.skippedLines) notes.push({ text: `${data.skippedLines} unparseable lines skipped`, color: 'yellow' });
  const showFilter = view.editingFilter || frame.filter !== '';
  // Borders, breadcrumb, filter, column header, notes and commands around the rows.
  const fixedLines = 2 + 1 + (showFilter ? 1 : 0) + 1 + commands.length + notes.length;
  const visible = Math.max(1, height - fixedLines);
  const start = scrollStart(rows.length, frame.selected, visible);
  const shown = rows.slice(start, start + visible);
  // The container column only when some process on screen lives in one.
  const containers = shown.some((r) => r.kind === 'owner' && r.owner.details?.container !== undefined);
  const position = rows.length === 0 ? 'nothing here' : `${frame.selected + 1} of ${formatCount(rows.length)}`;
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
        {truncate(`  ${headerFor(shown[0], view, inner, frame.level.kind, containers)}${frame.level.kind === 'owners' ? `   sort: ${view.sort}` : ''}`, inner)}
      </Text>
      <Box flexDirection="column" height={visible} overflow="hidden">
        {shown.map((row, i) => {
          const isSelected = start + i === frame.selected;
          return (
            <Text key={row.key} inverse={isSelected} wrap="truncate-end">
              {truncate(`${isSelected ? '› ' : '  '}${rowText(row, view, inner, usablePorts, containers)}`, inner)}
            </Text>
          );
        })}
        {rows.length === 0 ? <Text dimColor>{data ? (frame.filter ? 'no row matches the filter' : 'no sockets in this state right now') : 'querying…'}</Text> : null}
      </Box>
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
