import { Box, Text } from 'ink';
import { truncate } from '../src/format.js';

export function Footer({ hints, width }: { hints: string[]; width: number }) {
  return (
    <Box width={width} height={1}>
      <Text dimColor wrap="truncate-end">
        {truncate(hints.join('  '), width)}
      </Text>
    </Box>
  );
}
