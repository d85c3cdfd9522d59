import { Box, Text } from 'ink';
import { truncate } from '../src/format.js';

export interface HelpOverlayProps {
  width: number;
  height: number;
  /** One line per key binding of the mode on screen, then notes about the panels. */
  lines: string[];
}

export function HelpOverlay({ width, height, lines }: HelpOverlayProps) {
  const inner = Math.max(10, width - 4);
  const visible = lines.slice(0, Math.max(0, height - 3));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" width={width} height={height} paddingX={1} overflow="hidden">
      <Text bold color="cyan">
        Help — ? or Esc closes
      </Text>
      {visible.map((text, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the lines are fixed for a mode
        <Text key={i} wrap="truncate-end">
          {truncate(text || ' ', inner)}
        </Text>
      ))}
    </Box>
  );
}
