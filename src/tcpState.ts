/** TCP states with the names `ss` prints; scripts key `tcp.states` by these. */
export const TCP_STATES = [
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'CLOSE',
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
] as const;

export type TcpState = (typeof TCP_STATES)[number];

export type TcpStateCounts = Record<TcpState, number>;

export function isTcpState(text: string): text is TcpState {
  return (TCP_STATES as readonly string[]).includes(text);
}

export function zeroStateCounts(): TcpStateCounts {
  return Object.fromEntries(TCP_STATES.map((s) => [s, 0])) as TcpStateCounts;
}

/**
 * Kernel state numbers (include/net/tcp_states.h) as /proc/net/tcp prints them
 * in hex. 12 is NEW_SYN_RECV, a request socket, which ss also calls SYN-RECV.
 */
export const KERNEL_STATE: Record<number, TcpState> = {
  1: 'ESTAB',
  2: 'SYN-SENT',
  3: 'SYN-RECV',
  4: 'FIN-WAIT-1',
  5: 'FIN-WAIT-2',
  6: 'TIME-WAIT',
  7: 'CLOSE',
  8: 'CLOSE-WAIT',
  9: 'LAST-ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'SYN-RECV',
};

/** The argument `ss` takes in `state X` / `exclude X` for each state. */
export const SS_STATE_FILTER: Record<TcpState, string> = {
  ESTAB: 'established',
  'SYN-SENT': 'syn-sent',
  'SYN-RECV': 'syn-recv',
  'FIN-WAIT-1': 'fin-wait-1',
  'FIN-WAIT-2': 'fin-wait-2',
  'TIME-WAIT': 'time-wait',
  CLOSE: 'closed',
  'CLOSE-WAIT': 'close-wait',
  'LAST-ACK': 'last-ack',
  LISTEN: 'listening',
  CLOSING: 'closing',
};
