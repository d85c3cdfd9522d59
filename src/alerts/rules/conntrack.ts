import { CONNTRACK } from '../../../collectors/conntrack.js';
import { formatCount, formatRate } from '../../format.js';
import { hysteresis, thresholds } from '../hysteresis.js';
import { defineRule } from '../types.js';
import { ANY_EVENT_PER_SEC, rateParams } from './helpers.js';
import { whyOf } from '../runbooks.js';

export const conntrackTableFull = defineRule({
  id: 'conntrack-table-full',
  needs: [CONNTRACK],
  fires: 'conntrack entries / nf_conntrack_max at or above 90% (warning) / 95% (critical), as netdata',
  warmupMs: 0,
  params: {
    warnShare: { kind: 'number', default: 0.9, min: 0, max: 1, unit: 'of nf_conntrack_max', help: 'warning at this fill' },
    critShare: { kind: 'number', default: 0.95, min: 0, max: 1, unit: 'of nf_conntrack_max', help: 'critical at this fill' },
    clearShare: { kind: 'number', default: 0.85, min: 0, max: 1, unit: 'of nf_conntrack_max', help: 'clears below this fill' },
  },
  evaluate(ctx) {
    const c = ctx.store.sample(CONNTRACK)?.value;
    if (!c) return [];
    const subject = 'nf_conntrack';
    const severity = hysteresis(c.fill, ctx.previous(subject), thresholds(ctx.params.warnShare, ctx.params.critShare, ctx.params.clearShare));
    if (!severity) return [];
    return [
      {
        subject,
        severity,
        summary: `conntrack table ${(c.fill * 100).toFixed(1)}% full: ${formatCount(c.count)} of ${formatCount(c.max)} entries`,
        why: whyOf('conntrack-table-full'),
        next: [
          ctx.inTarget('conntrack -S'),
          ctx.inTarget("conntrack -L 2>/dev/null | awk '{print $5}' | sort | uniq -c | sort -rn | head"),
          'sysctl net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_buckets',
        ],
        link: { panel: 'conntrack' },
      },
    ];
  },
});

const LOSS = ['insert_failed', 'drop', 'early_drop'];

export const conntrackDrops = defineRule({
  id: 'conntrack-drops',
  needs: [CONNTRACK],
  fires: 'conntrack insert_failed, drop or early_drop rate above zero',
  warmupMs: 5_000,
  params: rateParams(ANY_EVENT_PER_SEC, 10, 'conntrack losses'),
  evaluate(ctx) {
    const moving = LOSS.map((n) => [n, ctx.store.counterMinuteRate(CONNTRACK, n) ?? 0] as const).filter(([, r]) => r > 0);
    const total = moving.reduce((a, [, r]) => a + r, 0);
    const subject = 'conntrack events';
    const severity = hysteresis(total, ctx.previous(subject), thresholds(ctx.params.warnPerSec, ctx.params.critPerSec));
    if (!severity) return [];
    return [
      {
        subject,
        severity,
        summary: `conntrack dropping: ${moving.map(([n, r]) => `${n} ${formatRate(r)}/s`).join(', ') || 'quiet for a moment'}`,
        why: whyOf('conntrack-drops'),
        next: [ctx.inTarget('conntrack -S'), 'dmesg | grep -i conntrack'],
        link: { panel: 'conntrack' },
      },
    ];
  },
  // Only insert_failed moving while the DNS race is named: that is the cause, said with its fixes.
  causes: ['dns-conntrack-race'],
  explainedBy(alert, others, store) {
    const race = others.find((a) => a.id === 'dns-conntrack-race');
    const onlyInserts = LOSS.every((n) => n === 'insert_failed' || (store.counterMinuteRate(CONNTRACK, n) ?? 0) === 0);
    return race && onlyInserts ? { cause: race, why: 'The entries that fail to insert are the DNS queries racing through NAT: the race is the cause.', next: race.next } : undefined;
  },
});
