import { Text } from 'ink';
import { truncate } from '../src/format.js';
import type { ProbePane as ProbePaneModel } from '../src/hooks/useProbes.js';
import { innerWidth } from '../src/panels/common.js';
import { safeText } from '../src/sanitize.js';
import { Panel } from './Panel.js';

export interface ProbePaneProps {
  pane: ProbePaneModel;
  scroll: number;
  width: number;
  height: number;
  nowMs?: number;
}

interface Line {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
}

/** The scrolled part: what it means first, then every line the commands printed. */
export function probePaneLines(pane: ProbePaneModel): Line[] {
  if (pane.phase === 'unplannable') return [{ text: pane.reason ?? '', color: 'yellow' }];
  if (!pane.outcome) return [];
  return [...pane.outcome.summary.map((text) => ({ text, bold: true })), { text: ' ' }, ...pane.outcome.output.map((text) => ({ text, dim: false }))];
}

function statusLine(pane: ProbePaneModel, nowMs: number): Line {
  switch (pane.phase) {
    case 'confirm':
      return { text: `${pane.confirm ?? ''}: y to send, Esc to cancel`, color: 'yellow', bold: true };
    case 'running':
      return { text: `running… ${Math.max(0, Math.round((nowMs - (pane.startedMs ?? nowMs)) / 1000))} s — Esc stops it`, color: 'cyan' };
    case 'done':
      return { text: `done in ${pane.outcome?.durationMs ?? 0} ms${pane.outcome?.cancelled ? ' (stopped)' : ''} — kept for the next bundle (b); Esc closes`, color: 'green' };
    case 'unplannable':
      return { text: 'cannot run here', color: 'yellow' };
  }
}

/**
 * A probe of the selected row's peer: the command exactly as a person would
 * type it (nsenter included), what is asked before anything is sent, then
 * what it found and everything it printed, scrolled with ↑↓ PgUp PgDn.
 */
export function ProbePane({ pane, scroll, width, height, nowMs = Date.now() }: ProbePaneProps) {
  const inner = innerWidth(width);
  const lines = probePaneLines(pane);
  // The command whole, wrapped (to be copied), at most 4 rows.
  const typed = pane.typed ? `$ ${safeText(pane.typed)}` : '';
  const typedRows = Array.from({ length: Math.min(4, Math.ceil(typed.length / Math.max(1, inner))) }, (_, i) => typed.slice(i * inner, (i + 1) * inner));
  const room = Math.max(1, height - 4 - Math.max(1, typedRows.length));
  const shown = lines.slice(scroll, scroll + room);
  const more = lines.length - scroll - shown.length;
  const status = statusLine(pane, nowMs);
  return (
    <Panel title={`Probe: ${safeText(pane.title)}`} width={width} height={height} focused concern={pane.phase === 'unplannable' ? 'watch' : 'none'}>
      {typedRows.map((row, i) => (
        <Text key={`typed-${i}`} color="cyan" wrap="truncate-end">
          {row}
        </Text>
      ))}
      <Text color={status.color} bold={status.bold} wrap="truncate-end">
        {truncate(status.text, inner)}
      </Text>
      {shown.map((l, i) => (
        <Text key={`${scroll + i}`} color={l.color} bold={l.bold} wrap="truncate-end">
          {truncate(l.text, inner)}
        </Text>
      ))}
      {more > 0 ? <Text dimColor>{truncate(`↓ ${more} more lines`, inner)}</Text> : null}
    </Panel>
  );
}
