import { Box, Text } from 'ink';
import { truncate } from '../src/format.js';

/**
 * The hints that fit, in order. When they do not all fit, the last two
 * (help, and quit or back) stay and hints before them go from the end: the
 * way out and the way to every other key are never cut.
 */
export function fittingHints(hints: string[], width: number): string {
  const line = (h: string[]) => h.join('  ');
  if (line(hints).length <= width || hints.length <= 2) return truncate(line(hints), width);
  const kept = hints.slice(0, -2);
  const tail = hints.slice(-2);
  while (kept.length > 0 && line([...kept, '…', ...tail]).length > width) kept.pop();
  return truncate(line([...kept, '…', ...tail]), width);
}

export function Footer({ hints, width }: { hints: string[]; width: number }) {
  return (
    <Box width={width} height={1}>
      <Text dimColor wrap="truncate-end">
        {fittingHints(hints, width)}
      </Text>
    </Box>
  );
}
