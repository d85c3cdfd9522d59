/** What one `dig +tries=1 @SERVER` said. */
export interface DigAnswer {
  /** The server answered: its rcode (NOERROR, SERVFAIL, REFUSED, NXDOMAIN, ...). */
  rcode?: string;
  /** `;; Query time: N msec`. */
  latencyMs?: number;
  /** No answer: `timed out`, `connection refused` (nothing listens), `network unreachable`, ... */
  failure?: string;
}

/**
 * dig's text: `;; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: N` and
 * `;; Query time: 3 msec` when an answer came; `;; communications error to
 * A#53: timed out` (9.18) or `;; connection timed out; no servers could be
 * reached` (9.16 and older) when none did.
 */
export function parseDig(text: string): DigAnswer {
  const rcode = /->>HEADER<<-.*\bstatus:\s*([A-Z]+)/.exec(text)?.[1];
  const latency = /^;; Query time:\s*(\d+)\s*msec/m.exec(text)?.[1];
  if (rcode !== undefined) return { rcode, ...(latency !== undefined ? { latencyMs: Number(latency) } : {}) };
  const error = /communications error to \S+: ([a-z ]+)/.exec(text)?.[1] ?? (/connection timed out/.test(text) ? 'timed out' : /no servers could be reached/.test(text) ? 'no servers could be reached' : undefined);
  return { failure: error?.trim() ?? 'no answer' };
}
