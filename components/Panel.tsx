import { Box, Text } from 'ink';
import React from 'react';
import { truncate } from '../src/format.js';
import { type Concern, concernColor } from '../src/panels/common.js';

export interface PanelFrameProps {
  title: string;
  width: number;
  height?: number;
  focused: boolean;
  concern?: Concern;
  children: React.ReactNode;
}

/** What every panel of the dashboard is given. */
export interface DashboardPanelProps<M> {
  model: M;
  width: number;
  height: number;
  focused: boolean;
  selected: number;
  /** The sampling interval, for the time span a sparkline covers. */
  intervalMs?: number;
}

/**
 * A bordered box with its title in the top border; cyan when it has the
 * keyboard. The top border is drawn as text. Its content must fit (every
 * panel counts its lines against its height): the box does not clip, since
 * clipping makes Ink slice every line of it again, a fifth of the cost of
 * drawing a panel.
 */
export function Panel({ title, width, height, focused, concern = 'none', children }: PanelFrameProps) {
  const borderColor = focused ? 'cyan' : 'gray';
  const label = truncate(` ${title} `, Math.max(0, width - 5));
  const rule = '─'.repeat(Math.max(0, width - 3 - [...label].length));
  return (
    <Box flexDirection="column" width={width} {...(height !== undefined ? { height } : {})} flexShrink={0}>
      <Text>
        <Text color={borderColor}>╭─</Text>
        <Text bold color={concernColor[concern] ?? (focused ? 'cyan' : undefined)}>
          {label}
        </Text>
        <Text color={borderColor}>{rule}╮</Text>
      </Text>
      <Box
        flexDirection="column"
        borderStyle="round"
        borderTop={false}
        borderColor={borderColor}
        width={width}
        {...(height !== undefined ? { height: height - 1 } : {})}
        paddingX={1}
      >
        {children}
      </Box>
    </Box>
  );
}
