import { Box, Text } from 'ink';
import React, { useEffect, useState } from 'react';
import type { HeaderModel } from '../src/dashboardModel.js';
import { formatAge, formatInterval, truncate } from '../src/format.js';
import { safeText } from '../src/sanitize.js';

export interface HeaderProps {
  model: HeaderModel;
  paused: boolean;
  width: number;
  /** Alert counts per severity, when alerts exist. */
  badges?: React.ReactNode;
}

/** Ticks once a second so the sample age keeps moving while the view is paused. */
function useNowMs(periodMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

export function Header({ model, paused, width, badges }: HeaderProps) {
  const now = useNowMs(1000);
  const age = model.sampleAtMs === undefined ? 'waiting for first sample' : `sample ${formatAge(Math.max(0, now - model.sampleAtMs))} ago`;
  const text = [
    `host ${safeText(model.host)}`,
    `kernel ${safeText(model.kernel)}`,
    `target ${safeText(model.target)}`,
    `every ${formatInterval(model.intervalMs)}`,
    age,
  ].join(' │ ');
  const badgeWidth = paused ? 9 : 0;
  return (
    <Box width={width} height={1}>
      <Text bold color="cyan">
        nettriage{' '}
      </Text>
      <Box flexGrow={1}>
        <Text wrap="truncate-end">{truncate(text, Math.max(0, width - 10 - badgeWidth))}</Text>
      </Box>
      {badges}
      {paused ? (
        <Text backgroundColor="yellow" color="black" bold>
          {' PAUSED '}
        </Text>
      ) : null}
    </Box>
  );
}
