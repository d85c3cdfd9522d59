import type { Rule } from '../types.js';
import { conntrackDrops, conntrackTableFull } from './conntrack.js';
import { acceptQueueOverflow, tcpRetransmits, timeWaitOverflow, udpBufferErrors } from './counters.js';
import { nicErrors } from './nics.js';
import { closeWaitClimbing, ephemeralPortExhaustion, orphanSockets, synSentStuck } from './sockets.js';

/** Every rule, in the order the README's table lists them. */
export const RULES: Rule[] = [
  closeWaitClimbing,
  ephemeralPortExhaustion,
  timeWaitOverflow,
  synSentStuck,
  acceptQueueOverflow,
  tcpRetransmits,
  conntrackTableFull,
  conntrackDrops,
  nicErrors,
  udpBufferErrors,
  orphanSockets,
] as unknown as Rule[];
