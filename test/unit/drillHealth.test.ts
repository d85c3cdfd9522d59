import { describe, expect, it } from 'vitest';
import type { SocketEntry } from '../../collectors/parse/ssSockets.js';
import { healthFilter, socketKey } from '../../src/drilldown/health.js';

const ep = (t: string) => {
  const at = t.lastIndexOf(':');
  return { address: t.slice(0, at).replace(/^\[|\]$/g, ''), port: t.slice(at + 1) };
};
const socket = (local: string, peer: string): SocketEntry => ({ recvQ: 0, sendQ: 0, local: ep(local), peer: ep(peer), owners: [{ name: 'x', pid: 1, fd: 3 }] });

describe('the ss filter that selects one process’s sockets', () => {
  it('is the local ports of a server', () => {
    const server = [socket('10.0.0.1:8080', '10.0.0.9:5000'), socket('10.0.0.1:8080', '10.0.0.8:6000'), socket('[::1]:8443', '[::1]:7000')];
    expect(healthFilter(server)).toEqual(['(', 'sport', '=', ':8080', 'or', 'sport', '=', ':8443', ')']);
  });

  it('is the destinations of a client with many ephemeral ports', () => {
    const client = Array.from({ length: 40 }, (_, i) => socket(`10.0.0.1:${41000 + i}`, i % 2 ? '10.0.0.9:5432' : '[fd00::9]:6379'));
    expect(healthFilter(client)).toEqual(['(', 'dst', '[fd00::9]:6379', 'or', 'dst', '10.0.0.9:5432', ')']);
  });

  it('is the whole state when neither is narrow, and the match by both ends keeps the process’s', () => {
    const spread = Array.from({ length: 40 }, (_, i) => socket(`10.0.0.1:${41000 + i}`, `10.0.${i}.9:${5000 + i}`));
    expect(healthFilter(spread)).toEqual([]);
    expect(socketKey(spread[0]!)).toBe('10.0.0.1:41000>10.0.0.9:5000');
    expect(socketKey(socket('[::1]:80', '[::1]:5000'))).toBe('[::1]:80>[::1]:5000');
  });
});
