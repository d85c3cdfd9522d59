/** Socket endpoints as ss prints them, and counts of sockets by endpoint. */

export interface Endpoint {
  /** Address without brackets or zone: `127.0.0.1`, `::ffff:10.0.0.1`, `*`. */
  address: string;
  /** Port as printed: a number with -n, a service name without, `*` for any. */
  port: string;
  /** Interface scope (`127.0.0.53%lo` -> `lo`). */
  scope?: string;
}

/**
 * `addr:port` where addr may be `[v6]`, bare v6 (`:::22`, `::ffff:1.2.3.4:80`
 * before iproute2 4.13), `*`, or scoped (`127.0.0.53%lo:53`, `[fe80::1]%eth0:22`).
 */
export function parseEndpoint(text: string): Endpoint | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  const port = text.slice(colon + 1);
  let address = text.slice(0, colon);
  let scope: string | undefined;
  const percent = address.indexOf('%');
  if (percent >= 0) {
    scope = address.slice(percent + 1).replace(/\]$/, '');
    address = address.slice(0, percent);
  }
  address = address.replace(/^\[/, '').replace(/\]$/, '');
  if (!/^[0-9A-Fa-f:.*]+$/.test(address)) return undefined;
  if (!/^(\d+|\*|[A-Za-z][\w.+-]*)$/.test(port)) return undefined;
  return scope === undefined ? { address, port } : { address, port, scope };
}

/** `addr:port`, IPv6 in brackets. */
export function endpointText(e: Endpoint): string {
  const address = e.address.includes(':') ? `[${e.address}]` : e.address;
  return `${address}:${e.port}`;
}

export interface CountByEndpoint {
  /** `addr:port`, IPv6 in brackets. */
  endpoint: string;
  count: number;
}

/** The n endpoints with the most sockets, most first (ties by name, so the order is stable). */
export function topEndpoints(counts: Map<string, number>, n: number): CountByEndpoint[] {
  return [...counts]
    .map(([endpoint, count]) => ({ endpoint, count }))
    .sort((a, b) => b.count - a.count || a.endpoint.localeCompare(b.endpoint))
    .slice(0, n);
}
