import { type MemoryUse, SOCKET_MEMORY } from '../../../collectors/socketMemory.js';
import { formatCount } from '../../format.js';
import { hysteresis, thresholds } from '../hysteresis.js';
import { type Finding, defineRule } from '../types.js';

/** Where a protocol's warning and critical levels fall, in pages, for the rule's parameters. */
export function memoryLevels(use: MemoryUse, params: { warnShareOfPressure: number; critShareOfMax: number }): { warn: number; crit: number } {
  return { warn: use.pressure * params.warnShareOfPressure, crit: use.max * params.critShareOfMax };
}

export const socketMemoryPressure = defineRule({
  id: 'socket-memory-pressure',
  needs: [SOCKET_MEMORY],
  fires: 'TCP or UDP socket buffer memory reaches tcp_mem / udp_mem pressure (warning) or nears its maximum (critical)',
  warmupMs: 0,
  params: {
    warnShareOfPressure: { kind: 'number', default: 1, min: 0, max: 10, unit: 'of the pressure threshold', help: 'warning at this share of tcp_mem[1] / udp_mem[1]' },
    critShareOfMax: { kind: 'number', default: 0.95, min: 0, max: 10, unit: 'of the maximum', help: 'critical at this share of tcp_mem[2] / udp_mem[2]' },
  },
  evaluate(ctx) {
    const memory = ctx.store.sample(SOCKET_MEMORY)?.value;
    const findings: Finding[] = [];
    for (const proto of ['tcp', 'udp'] as const) {
      const use = memory?.[proto];
      if (!use || use.max <= 0) continue;
      const subject = `${proto}_mem`;
      const { warn, crit } = memoryLevels(use, ctx.params);
      const severity = hysteresis(use.pages, ctx.previous(subject), thresholds(warn, crit));
      if (!severity) continue;
      const name = proto.toUpperCase();
      findings.push({
        subject,
        severity,
        summary: `${name} socket buffers use ${formatCount(use.pages)} pages: ${Math.round((use.pages / use.max) * 100)}% of ${subject} max ${formatCount(use.max)} (pressure from ${formatCount(use.pressure)})`,
        why: `Past ${subject}'s pressure threshold the kernel shrinks socket buffers and prunes receive queues (throughput drops, ${proto === 'tcp' ? 'PruneCalled and RcvPruned count' : 'datagrams are dropped'}); at the maximum allocations fail and packets are dropped ("${name}: out of memory -- consider tuning ${subject}"). Many sockets with full buffers are the cause: a peer that stops reading, or too many connections.`,
        next: [
          proto === 'tcp' ? 'ss -tmn | head -40' : 'ss -uamn | head -40',
          `sysctl net.ipv4.${subject}`,
          'cat /proc/net/sockstat; nstat -az TcpExtPruneCalled TcpExtRcvPruned TcpExtTCPMemoryPressures',
        ],
        link: { panel: 'socketMemory' },
      });
    }
    return findings;
  },
});
