import { Box, Text } from 'ink';
import type { HeaderModel } from '../src/dashboardModel.js';
import { formatInterval } from '../src/format.js';
import { safeText } from '../src/sanitize.js';

export interface HeaderProps {
  model: HeaderModel;
  paused: boolean;
  width: number;
  /** Alerts per severity, as badges. */
  critical: number;
  warning: number;
  /** How long no sample has arrived, when that is longer than it should be. */
  staleFor?: string;
}

const SEPARATOR = ' │ ';

/** `0.8% CPU 71 MB`: what the dashboard and its helpers cost, as htop shows itself. */
function selfCost(self: NonNullable<HeaderModel['self']>): string {
  const cpu = self.cpuPercent === undefined ? '–' : self.cpuPercent < 10 ? self.cpuPercent.toFixed(1) : Math.round(self.cpuPercent).toString();
  return `${cpu}% CPU ${Math.round(self.rssBytes / 1e6)} MB`;
}
const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

/**
 * Parts in display order with a priority each: on a narrow terminal the
 * least important ones (kernel, host) go first, the target and the sample
 * time stay. The sample's wall-clock time changes once a tick, with the
 * sample: the header has no timer of its own, and while samples arrive the
 * rest of the screen is not drawn again for the clock.
 */
export function headerText(model: HeaderModel, width: number, staleFor?: string): string {
  const sample =
    model.sampleAtMs === undefined ? 'waiting for first sample' : staleFor ? `no sample for ${staleFor}` : `sampled ${clock(model.sampleAtMs)}`;
  const parts = [
    { text: `target ${safeText(model.target)}`, priority: 0 },
    { text: `host ${safeText(model.host)}`, priority: 3 },
    { text: `kernel ${safeText(model.kernel)}`, priority: 4 },
    { text: `every ${formatInterval(model.intervalMs)}`, priority: 2 },
    { text: sample, priority: 1 },
    ...(model.self ? [{ text: `self ${selfCost(model.self)}`, priority: 2 }] : []),
  ];
  let shown = parts;
  const fits = () => [...shown.map((p) => p.text).join(SEPARATOR)].length <= width;
  for (let drop = 4; drop > 0 && !fits(); drop--) shown = shown.filter((p) => p.priority < drop);
  const text = shown.map((p) => p.text).join(SEPARATOR);
  return [...text].length <= width ? text : `${[...text].slice(0, Math.max(0, width - 1)).join('')}…`;
}

export function Header({ model, paused, width, critical, warning, staleFor }: HeaderProps) {
  const pausedBadge = ' PAUSED ';
  const badges = [critical > 0 ? ` ${critical} CRIT ` : '', warning > 0 ? ` ${warning} WARN ` : ''];
  const room = width - 'nettriage '.length - badges.join('').length - (paused ? pausedBadge.length + 1 : 0);
  return (
    <Box width={width} height={1}>
      <Text bold color="cyan">
        nettriage{' '}
      </Text>
      <Box flexGrow={1}>
        <Text color={staleFor ? 'red' : undefined}>{headerText(model, Math.max(0, room), staleFor)}</Text>
      </Box>
      {critical > 0 ? (
        <Text backgroundColor="red" color="white" bold>
          {badges[0]}
        </Text>
      ) : null}
      {warning > 0 ? (
        <Text backgroundColor="yellow" color="black" bold>
          {badges[1]}
        </Text>
      ) : null}
      {paused ? (
        <Text backgroundColor="yellow" color="black" bold>
          {pausedBadge}
        </Text>
      ) : null}
    </Box>
  );
}
