import { Box, Text } from 'ink';
import React, { useEffect, useState } from 'react';
import type { HeaderModel } from '../src/dashboardModel.js';
import { formatAge, formatInterval } from '../src/format.js';
import { safeText } from '../src/sanitize.js';

export interface HeaderProps {
  model: HeaderModel;
  paused: boolean;
  width: number;
  /** Alert counts per severity, when alerts exist. */
  badges?: React.ReactNode;
  badgesWidth?: number;
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

const SEPARATOR = ' │ ';

/**
 * Parts in display order with a priority each: on a narrow terminal the
 * least important ones (kernel, host) go first, the target and the sample
 * age stay.
 */
export function headerText(model: HeaderModel, nowMs: number, width: number): string {
  const age = model.sampleAtMs === undefined ? 'waiting for first sample' : `sample ${formatAge(Math.max(0, nowMs - model.sampleAtMs))} ago`;
  const parts = [
    { text: `target ${safeText(model.target)}`, priority: 0 },
    { text: `host ${safeText(model.host)}`, priority: 3 },
    { text: `kernel ${safeText(model.kernel)}`, priority: 4 },
    { text: `every ${formatInterval(model.intervalMs)}`, priority: 2 },
    { text: age, priority: 1 },
  ];
  let shown = parts;
  const fits = () => [...shown.map((p) => p.text).join(SEPARATOR)].length <= width;
  for (let drop = 4; drop > 0 && !fits(); drop--) shown = shown.filter((p) => p.priority < drop);
  const text = shown.map((p) => p.text).join(SEPARATOR);
  return [...text].length <= width ? text : `${[...text].slice(0, Math.max(0, width - 1)).join('')}…`;
}

export function Header({ model, paused, width, badges, badgesWidth = 0 }: HeaderProps) {
  const now = useNowMs(1000);
  const pausedBadge = ' PAUSED ';
  const room = width - 'nettriage '.length - badgesWidth - (paused ? pausedBadge.length + 1 : 0);
  return (
    <Box width={width} height={1}>
      <Text bold color="cyan">
        nettriage{' '}
      </Text>
      <Box flexGrow={1}>
        <Text wrap="truncate-end">{headerText(model, now, Math.max(0, room))}</Text>
      </Box>
      {badges}
      {paused ? (
        <Text backgroundColor="yellow" color="black" bold>
          {pausedBadge}
        </Text>
      ) : null}
    </Box>
  );
}
