import type { SocketStateSample } from '../../collectors/socketStates.js';
import { zeroStateCounts } from '../../collectors/tcpState.js';

/** A socket-state sample as the collector would produce it: the states given, the rest zero. */
export function socketStateSample(states: Partial<Record<string, number>>, overrides: Partial<SocketStateSample> = {}): SocketStateSample {
  return {
    states: { ...zeroStateCounts(), ...states },
    udp: 0,
    orphans: 0,
    method: 'ss',
    dumpedSockets: 0,
    limits: {},
    unusual: { synSentByPeer: [], closeWaitByLocal: [], listeners: [] },
    ...overrides,
  };
}
