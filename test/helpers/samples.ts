import type { SocketsSample } from '../../collectors/sockets.js';
import { zeroStateCounts } from '../../src/tcpState.js';

/** A socket-state sample as the collector would produce it: the states given, the rest zero. */
export function socketStateSample(states: Partial<Record<string, number>>, overrides: Partial<SocketsSample> = {}): SocketsSample {
  return {
    states: { ...zeroStateCounts(), ...states },
    udp: 0,
    orphans: 0,
    method: 'ss',
    dumpedSockets: 0,
    limits: {},
    unusual: { synSentByPeer: [], closeWaitByLocal: [], listeners: [] },
    closeWaitHeld: [],
    ...overrides,
  };
}
