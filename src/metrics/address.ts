export class MetricsAddressError extends Error {}

/**
 * `--metrics ADDR`: `9464` or `:9464` is 127.0.0.1:9464 (never every
 * address by accident); `HOST:PORT`, `[::1]:9464`, and `0.0.0.0:9464` only
 * when written out.
 */
export function parseMetricsAddress(text: string): { host: string; port: number } | undefined {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  const host = m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1';
  return { host: host === '' ? '127.0.0.1' : host, port };
}
