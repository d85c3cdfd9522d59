import { Text } from 'ink';
import { truncate } from '../src/format.js';
import type { SourceStatusModel } from '../src/panels/common.js';
import { safeText } from '../src/sanitize.js';

/** What is wrong with a panel's source, in at most `maxLines` lines (worded by the model). */
export function SourceStatus({ status, width, maxLines }: { status: SourceStatusModel; width: number; maxLines: number }) {
  const lines = status.lines.slice(0, Math.max(0, maxLines));
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
