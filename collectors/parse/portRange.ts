/**
 * The ephemeral ports a connect() can pick from: `ip_local_port_range` minus
 * `ip_local_reserved_ports`. A client runs out of ports per destination
 * (local IP, remote IP, remote port) when every one of these is in use.
 */
export interface PortRange {
  low: number;
  high: number;
  /** Reserved ports that fall inside [low, high]. */
  reserved: number;
  /** high - low + 1 - reserved. */
  usable: number;
}

export function parsePortRange(rangeText: string, reservedText = ''): PortRange | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(rangeText);
  if (!m) return undefined;
  const low = Number(m[1]);
  const high = Number(m[2]);
  if (!(low > 0 && high >= low && high <= 65535)) return undefined;
  let reserved = 0;
  for (const part of reservedText.trim().split(',')) {
    const r = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!r) continue;
    const from = Math.max(low, Number(r[1]));
    const to = Math.min(high, Number(r[2] ?? r[1]));
    if (to >= from) reserved += to - from + 1;
  }
  return { low, high, reserved, usable: high - low + 1 - reserved };
}
