import chalk from 'chalk';
import type { HeaderModel } from '../src/dashboardModel.js';
import { formatInterval } from '../src/format.js';
import { safeText } from '../src/sanitize.js';

export interface HeaderProps {
  model: HeaderModel;
  paused: boolean;
  width: number;
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
    ...(model.replay ? [{ text: model.replay, priority: 0 }] : []),
    { text: `target ${safeText(model.target)}${model.targetGone ? ` GONE: ${safeText(model.targetGone)}` : ''}`, priority: 0 },
    ...(model.watched ? [{ text: safeText(model.watched), priority: 2 }] : []),
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

/**
 * The header as one styled line, drawn by the screen itself: its sample time
 * changes every tick, and an Ink render of a line costs more than the rest
 * of an idle tick.
 */
export function headerLine({ model, paused, width, staleFor }: HeaderProps): string {
  const { critical, warning } = model;
  const name = 'nettriage ';
  const badges = [
    model.replay ? chalk.bgMagenta.white.bold(' REPLAY ') : '',
    critical > 0 ? chalk.bgRed.white.bold(` ${critical} CRIT `) : '',
    warning > 0 ? chalk.bgYellow.black.bold(` ${warning} WARN `) : '',
    paused ? chalk.bgYellow.black.bold(' PAUSED ') : '',
  ];
  const badgesWidth = (model.replay ? ' REPLAY '.length : 0) + (critical > 0 ? ` ${critical} CRIT `.length : 0) + (warning > 0 ? ` ${warning} WARN `.length : 0) + (paused ? ' PAUSED '.length : 0);
  const room = Math.max(0, width - name.length - badgesWidth);
  const text = headerText(model, room, staleFor);
  const gap = ' '.repeat(Math.max(0, room - [...text].length));
  return `${chalk.cyan.bold(name)}${staleFor || model.targetGone ? chalk.red(text) : text}${gap}${badges.join('')}`;
}
