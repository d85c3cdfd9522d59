import { Text } from 'ink';
import type { SourceStatusModel } from '../src/dashboardModel.js';
import { formatAge, truncate } from '../src/format.js';
import { safeText } from '../src/sanitize.js';

/**
 * What is wrong with a panel's source, in one or two lines: the problem and
 * what to do, how old the data on screen is, notes, and unparseable lines.
 * Every panel uses this, so "stale" looks the same everywhere.
 */
export function sourceStatusLines(status: SourceStatusModel, nowMs: number): { text: string; color: string }[] {
  const lines: { text: string; color: string }[] = [];
  if (status.problem) {
    const hint = status.problem.hint ? ` — ${status.problem.hint}` : '';
    const stale =
      status.sampleAtMs === undefined ? 'no data yet' : `showing data from ${formatAge(nowMs - status.sampleAtMs)} ago`;
    lines.push({ text: `⚠ ${status.problem.message}${hint}; ${stale}`, color: 'red' });
  }
  for (const note of status.notes) lines.push({ text: `• ${note}`, color: 'yellow' });
  if (status.skippedLines > 0) {
    lines.push({ text: `• ${status.skippedLines} unparseable line${status.skippedLines === 1 ? '' : 's'} skipped`, color: 'yellow' });
  }
  return lines;
}

export function SourceStatus({ status, width, maxLines, nowMs }: { status: SourceStatusModel; width: number; maxLines: number; nowMs: number }) {
  const lines = sourceStatusLines(status, nowMs).slice(0, Math.max(0, maxLines));
  return (
    <>
      {lines.map((line, i) => (
        <Text key={i} color={line.color} wrap="truncate-end">
          {truncate(safeText(line.text), width)}
        </Text>
      ))}
    </>
  );
}
