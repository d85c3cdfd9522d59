import { Box, Text } from 'ink';
import { truncate } from '../src/format.js';
import { KEYMAP, type KeyMode, displayKey } from '../src/keymap.js';

const NOTES = [
  'COUNT is exact per state, IPv4 and IPv6 together, in the target namespace.',
  'The bar is logarithmic so small counts stay visible next to large ones.',
  'Δ/min is the change over the last minute; the sparkline is the recent history.',
  'Yellow: worth a look. Red: CLOSE-WAIT climbing (the app never calls close()),',
  'SYN-SENT piling up (firewall or dead peer), SYN-RECV piling up (SYN flood or a',
  'slow listener), TIME-WAIT near the ephemeral port range (port exhaustion).',
  'Enter on a state opens its owners (ss -p, refreshed every 5 s while open); TIME-WAIT',
  'and sockets without an owner open by destination, against the ephemeral port range.',
];

export function HelpOverlay({ width, height, mode = 'dashboard' }: { width: number; height: number; mode?: KeyMode }) {
  const inner = Math.max(10, width - 4);
  const lines: { key: string; text: string; bold?: boolean }[] = [];
  for (const b of KEYMAP.filter((k) => k.modes.includes(mode))) {
    lines.push({ key: `k-${b.action}`, text: `${b.keys.map(displayKey).join(' / ').padEnd(18)} ${b.help}` });
  }
  lines.push({ key: 'gap', text: ' ' });
  NOTES.forEach((text, i) => lines.push({ key: `n-${i}`, text }));
  const visible = lines.slice(0, Math.max(0, height - 3));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" width={width} height={height} paddingX={1} overflow="hidden">
      <Text bold color="cyan">
        Help — ? or Esc closes
      </Text>
      {visible.map((l) => (
        <Text key={l.key} wrap="truncate-end">
          {truncate(l.text, inner)}
        </Text>
      ))}
    </Box>
  );
}
