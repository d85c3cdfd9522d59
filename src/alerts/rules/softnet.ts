import { SOFTNET, softnetCounterKey } from '../../../collectors/softnet.js';
import { formatRate } from '../../format.js';
import type { Store } from '../../store.js';
import { hysteresis, thresholds } from '../hysteresis.js';
import { type Finding, type ParamValues, type RuleContext, defineRule } from '../types.js';
import { ANY_EVENT_PER_SEC, rateParams } from './helpers.js';
import { whyOf } from '../runbooks.js';

/** The CPUs whose counter moved over the last minute, fastest first. */
function perCpu(store: Store, field: SoftnetField): { cpu: number; perSec: number }[] {
  const cpus = store.sample(SOFTNET)?.value.cpus ?? [];
  return cpus
    .map((c) => ({ cpu: c.cpu, perSec: store.counterMinuteRate(SOFTNET, softnetCounterKey(c.cpu, field)) ?? 0 }))
    .filter((c) => c.perSec > 0)
    .sort((a, b) => b.perSec - a.perSec);
}

const worstCpus = (cpus: { cpu: number; perSec: number }[]) =>
  cpus
    .slice(0, 3)
    .map((c) => `CPU ${c.cpu} ${formatRate(c.perSec)}/s`)
    .join(', ');

type SoftnetField = 'dropped' | 'timeSqueeze';

/**
 * The one way both softnet rules judge: the all-CPU rate over the minute
 * against the thresholds, one alert naming the CPUs that count most.
 */
function softnetAlert(
  ctx: RuleContext<ParamValues<ReturnType<typeof rateParams>>>,
  field: SoftnetField,
  subject: string,
  text: { summary: (rate: string) => string; why: string; next: string[] },
): Finding[] {
  const rate = ctx.store.counterMinuteRate(SOFTNET, softnetCounterKey('all', field));
  const severity = hysteresis(rate, ctx.previous(subject), thresholds(ctx.params.warnPerSec, ctx.params.critPerSec));
  if (!severity || rate === undefined) return [];
  const cpus = perCpu(ctx.store, field);
  return [
    {
      subject,
      severity,
      summary: `${text.summary(formatRate(rate))}${cpus.length > 0 ? `: ${worstCpus(cpus)}` : ''}`,
      why: text.why,
      next: text.next,
      link: { panel: 'counters' },
    },
  ];
}

export const softnetDrops = defineRule({
  id: 'softnet-drops',
  needs: [SOFTNET],
  fires: 'packets dropped because a CPU\'s receive backlog was full (softnet_stat column 2) rate above zero',
  warmupMs: 5_000,
  params: rateParams(ANY_EVENT_PER_SEC, 10, 'backlog drops, all CPUs'),
  evaluate: (ctx) =>
    softnetAlert(ctx, 'dropped', 'softnet backlog', {
      summary: (rate) => `${rate}/s packets dropped at the CPU backlog`,
      why: whyOf('softnet-drops'),
      next: ['cat /proc/net/softnet_stat', 'sysctl net.core.netdev_max_backlog net.core.netdev_budget net.core.netdev_budget_usecs', 'grep . /sys/class/net/*/queues/rx-*/rps_cpus'],
    }),
});

export const softnetSqueeze = defineRule({
  id: 'softnet-squeeze',
  needs: [SOFTNET],
  // netdata's stock alarm fires on any squeeze and was called too strict (netdata #1076): a busy host squeezes a little all the time.
  fires: 'receive processing ran out of its budget with work left (softnet_stat column 3) more than 10 times a second over a minute',
  warmupMs: 5_000,
  params: rateParams(10, 200, 'time squeezes, all CPUs'),
  evaluate: (ctx) =>
    softnetAlert(ctx, 'timeSqueeze', 'softnet budget', {
      summary: (rate) => `receive processing out of budget ${rate}/s`,
      why: whyOf('softnet-squeeze'),
      next: ['cat /proc/net/softnet_stat', 'sysctl net.core.netdev_budget net.core.netdev_budget_usecs', 'mpstat -P ALL 1 3   # is one CPU busy in %soft?'],
    }),
});
