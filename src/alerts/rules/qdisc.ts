import { qdiscKey } from '../../../collectors/parse/qdisc.js';
import { QDISCS, qdiscCounterKey } from '../../../collectors/qdiscs.js';
import { formatCount, formatRate } from '../../format.js';
import { safeText } from '../../sanitize.js';
import { hysteresis, thresholds } from '../hysteresis.js';
import { defineRule } from '../types.js';
import { ANY_EVENT_PER_SEC, rateParams } from './helpers.js';
import { whyOf } from '../runbooks.js';

export const qdiscDrops = defineRule({
  id: 'qdisc-drops',
  needs: [QDISCS],
  fires: 'a transmit queue (qdisc, root or child) dropping packets: its drops rate above zero',
  warmupMs: 10_000,
  params: rateParams(ANY_EVENT_PER_SEC, 100, 'drops of one qdisc'),
  evaluate(ctx) {
    const qdiscs = ctx.store.sample(QDISCS)?.value.qdiscs ?? [];
    const dropping = qdiscs
      .map((q) => ({ q, perSec: ctx.store.counterMinuteRate(QDISCS, qdiscCounterKey(q, 'drops')) ?? 0, overPerSec: ctx.store.counterMinuteRate(QDISCS, qdiscCounterKey(q, 'overlimits')) ?? 0 }))
      .sort((a, b) => b.perSec - a.perSec);
    // One alert an interface: its worst qdisc (a child's drops show in its root's count too).
    const byDev = new Map<string, (typeof dropping)[number]>();
    for (const d of dropping) if (!byDev.has(d.q.dev)) byDev.set(d.q.dev, d);
    return [...byDev.values()].flatMap(({ q, perSec, overPerSec }) => {
      const subject = `${q.dev} qdisc`;
      const severity = hysteresis(perSec, ctx.previous(subject), thresholds(ctx.params.warnPerSec, ctx.params.critPerSec));
      if (!severity) return [];
      const name = safeText(qdiscKey(q));
      return [
        {
          subject: safeText(subject),
          severity,
          summary: `${name} drops ${formatRate(perSec)}/s${overPerSec > 0 ? `, over its limit ${formatRate(overPerSec)}/s` : ''}; ${formatCount(q.backlogPackets)} packets (${formatCount(q.backlogBytes)} bytes) waiting`,
          why: whyOf('qdisc-drops'),
          next: [ctx.inTarget(`tc -s qdisc show dev ${safeText(q.dev)}`), ctx.inTarget(`tc -s class show dev ${safeText(q.dev)}`), ctx.inTarget(`ip -s link show dev ${safeText(q.dev)}`)],
          link: { panel: 'nics', nic: q.dev },
        },
      ];
    });
  },
});
