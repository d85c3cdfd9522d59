import { Box, Text } from 'ink';

export interface TooSmallProps {
  columns: number;
  rows: number;
  needColumns: number;
  needRows: number;
}

export function TooSmall({ columns, rows, needColumns, needRows }: TooSmallProps) {
  const lines = [`terminal too small: need ${needColumns}x${needRows}`, `have ${columns}x${rows}`, 'q quits'];
  return (
    <Box flexDirection="column" width={columns} height={Math.max(1, rows - 1)} overflow="hidden">
      {lines.slice(0, Math.max(1, rows - 1)).map((line) => (
        <Text key={line} color={line.startsWith('terminal') ? 'yellow' : undefined} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}
