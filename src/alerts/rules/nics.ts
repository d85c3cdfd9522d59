import { ETHTOOL } from '../../../collectors/ethtool.js';
import { NICS } from '../../../collectors/nics.js';
import { formatRate } from '../../format.js';
import { hysteresis, thresholds } from '../hysteresis.js';
import { type Finding, defineRule } from '../types.js';
import { ANY_EVENT_PER_SEC, rateParams } from './helpers.js';
import { whyOf } from '../runbooks.js';

/** Standard statistics that count trouble (the rest is traffic or link history). */
export const NIC_KERNEL_ERRORS = [
  'rx_errors',
  'rx_dropped',
  'rx_over_errors',
  'rx_crc_errors',
  'rx_frame_errors',
  'rx_fifo_errors',
  'rx_missed_errors',
  'rx_length_errors',
  'tx_errors',
  'tx_dropped',
  'tx_carrier_errors',
  'tx_aborted_errors',
  'tx_fifo_errors',
];

export const nicErrors = defineRule({
  id: 'nic-errors',
  needs: [NICS],
  fires: 'any NIC error, drop or missed counter rising (kernel statistics or ethtool -S)',
  warmupMs: 5_000,
  params: rateParams(ANY_EVENT_PER_SEC, 100, 'errors on one interface'),
  evaluate(ctx) {
    const nics = ctx.store.sample(NICS)?.value.interfaces ?? [];
    const driver = ctx.store.counters(ETHTOOL);
    const findings: Finding[] = [];
    for (const nic of nics) {
      const rising: [string, number][] = [];
      for (const stat of NIC_KERNEL_ERRORS) {
        const r = ctx.store.counterMinuteRate(NICS, `${nic.name}/${stat}`) ?? 0;
        if (r > 0) rising.push([stat, r]);
      }
      for (const key of driver.keys()) {
        if (!key.startsWith(`${nic.name}/`)) continue;
        const r = ctx.store.counterMinuteRate(ETHTOOL, key) ?? 0;
        if (r > 0) rising.push([`ethtool ${key.slice(nic.name.length + 1)}`, r]);
      }
      rising.sort((a, b) => b[1] - a[1]);
      // rx_errors and tx_errors sum the detailed counters: the worst single one is the measure.
      const worst = rising[0]?.[1] ?? 0;
      const subject = nic.name;
      const severity = hysteresis(worst, ctx.previous(subject), thresholds(ctx.params.warnPerSec, ctx.params.critPerSec));
      if (!severity) continue;
      findings.push({
        subject,
        severity,
        summary: `${nic.name}: ${rising.slice(0, 3).map(([n, r]) => `${n} ${formatRate(r)}/s`).join(', ') || 'errors stopped a moment ago'}`,
        why: whyOf('nic-errors'),
        next: [`ethtool -S ${nic.name} | grep -Ei 'drop|err|miss|fifo|crc|exceed' | grep -v ': 0$'`, `ethtool -g ${nic.name}`, `ip -s -s link show ${nic.name}`],
        link: { panel: 'nics', nic: nic.name },
      });
    }
    return findings;
  },
});
