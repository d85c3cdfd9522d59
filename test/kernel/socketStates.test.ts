import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketsCollector } from '../../collectors/sockets.js';
import { defaultRoots } from '../../src/target.js';
import { createTargetIO } from '../../src/targetIO.js';
import { TestNetns, canCreateNetns, kernelTestsRequired } from '../helpers/netns.js';

const available = await canCreateNetns();

describe('real kernel prerequisites', () => {
  it.runIf(kernelTestsRequired)('can create network namespaces (CI runs as root)', () => {
    expect(available).toBe(true);
  });
});

describe.runIf(available)('socket states in a real network namespace', () => {
  let ns: TestNetns;
  let incidentPid = 0;

  beforeAll(async () => {
    ns = await TestNetns.create('states');
    // IPv4: 20 established pairs, 7 connections the server leaves in
    // CLOSE-WAIT after the client closed for good, 9 TIME-WAIT.
    const v4 = await ns.incident('states', { port: 9100, established: 20, closeWait: 7, timeWait: 9, clientClose: 'destroy' });
    // IPv6: 5 pairs, 3 CLOSE-WAIT whose clients only half-closed, 2 TIME-WAIT.
    await ns.incident('states', { host: '::1', port: 9200, established: 5, closeWait: 3, timeWait: 2 });
    incidentPid = v4.pid;
  });

  afterAll(async () => {
    await ns?.destroy();
  });

  const expected = {
    ESTAB: 2 * (20 + 5),
    'CLOSE-WAIT': 7 + 3,
    'FIN-WAIT-2': 7 + 3,
    'TIME-WAIT': 9 + 2,
    LISTEN: 6,
    'SYN-SENT': 0,
    'SYN-RECV': 0,
    'FIN-WAIT-1': 0,
    CLOSE: 0,
    'LAST-ACK': 0,
    CLOSING: 0,
  };

  it('counts exactly what the test created, by namespace name, and agrees with a full dump', async () => {
    const collector = createSocketsCollector();
    const io = createTargetIO({ kind: 'netns', name: ns.name }, defaultRoots);
    const sampled = await collector.sample({ io, timeoutMs: 5000, tick: 0 });
    // 87 sockets: few enough to read from /proc/net/tcp{,6}, no ss started.
    expect(sampled.value.method).toBe('files');
    expect(sampled.value.states).toEqual(expected);
    expect(sampled.skippedLines).toBe(0);
    expect(sampled.value.dumpedSockets).toBe(50 + 11 + 6 + 10 + 10);
    const truth = await ns.fullDumpCounts();
    for (const [state, count] of Object.entries(expected)) expect(truth[state] ?? 0, state).toBe(count);
  });

  it('counts the same through ss, filtered in the kernel, once the namespace holds more than its files are read for', async () => {
    const crowd = await TestNetns.create('states-ss');
    try {
      await crowd.incident('states', { port: 9100, established: 550, closeWait: 7, timeWait: 9, clientClose: 'destroy' });
      const collector = createSocketsCollector();
      const io = createTargetIO({ kind: 'netns', name: crowd.name }, defaultRoots);
      const sampled = await collector.sample({ io, timeoutMs: 5000, tick: 0 });
      await io.close();
      expect(sampled.value.method).toBe('ss');
      // Only the unusual sockets were read one by one: not the 1,100 ESTAB, not the TIME-WAIT.
      expect(sampled.value.dumpedSockets).toBe(3 + 7 + 7);
      const truth = await crowd.fullDumpCounts();
      for (const [state, count] of Object.entries(sampled.value.states)) expect(count, state).toBe(truth[state] ?? 0);
    } finally {
      await crowd.destroy();
    }
  });

  it('counts the same through the namespace of a process inside it', async () => {
    const collector = createSocketsCollector();
    const io = createTargetIO({ kind: 'pid', pid: incidentPid }, defaultRoots);
    const sampled = await collector.sample({ io, timeoutMs: 5000, tick: 0 });
    expect(sampled.value.states).toEqual(expected);
    expect(sampled.value.portRange?.usable).toBeGreaterThan(0);
  });

  it("reads the namespace's files from the first read on, even while its shell is still starting", async () => {
    // The host holds a socket the namespace does not: /proc/net/tcp of the wrong namespace would show it.
    const hostListener = createServer();
    await new Promise<void>((resolve) => hostListener.listen(0, '127.0.0.1', resolve));
    const port = (hostListener.address() as AddressInfo).port.toString(16).toUpperCase().padStart(4, '0');
    try {
      for (let i = 0; i < 10; i++) {
        const io = createTargetIO({ kind: 'netns', name: ns.name }, defaultRoots);
        // One request starts the shell; the read comes while nsenter may not have entered the namespace yet.
        const [, tcp] = await Promise.all([io.run(['true'], { timeoutMs: 5000 }), io.readProcNet('tcp', 5000)]);
        await io.close();
        expect(tcp).not.toMatch(new RegExp(`:${port} 00000000:0000 0A`));
      }
    } finally {
      hostListener.close();
    }
  });

  it('sees nothing of the namespace from the host', async () => {
    const collector = createSocketsCollector();
    const io = createTargetIO({ kind: 'host' }, defaultRoots);
    const sampled = await collector.sample({ io, timeoutMs: 5000, tick: 0 });
    expect(sampled.value.states['CLOSE-WAIT']).toBeLessThan(10);
  });

  it('says so when the namespace does not exist, before anything reads it', () => {
    expect(() => createTargetIO({ kind: 'netns', name: `${ns.name}-missing` }, defaultRoots)).toThrow(`network namespace ${ns.name}-missing does not exist`);
  });
});

describe.runIf(available)('an IPv4-only namespace', () => {
  let ns: TestNetns;
  beforeAll(async () => {
    ns = await TestNetns.create('v4only');
    await ns.incident('states', { port: 9100, established: 4, closeWait: 3, timeWait: 2, clientClose: 'destroy' });
  });
  afterAll(async () => ns?.destroy());

  it('is asked about IPv4 alone once confirmed, stays exact, and about both again when an IPv6 socket appears', async () => {
    const collector = createSocketsCollector();
    const io = createTargetIO({ kind: 'netns', name: ns.name }, defaultRoots);
    const counts = async (tick: number) => (await collector.sample({ io, timeoutMs: 5000, tick })).value.states;
    const truth = async () => {
      const all = await ns.fullDumpCounts();
      return (state: string) => all[state] ?? 0;
    };
    const first = await counts(0); // both families: confirms there is no IPv6 socket
    const second = await counts(1); // IPv4 alone
    const t = await truth();
    for (const s of [first, second]) {
      expect(s['CLOSE-WAIT']).toBe(t('CLOSE-WAIT'));
      expect(s['FIN-WAIT-2']).toBe(t('FIN-WAIT-2'));
      expect(s['TIME-WAIT']).toBe(t('TIME-WAIT'));
      expect(s.ESTAB).toBe(t('ESTAB'));
      expect(s.LISTEN).toBe(t('LISTEN'));
    }
    await ns.incident('states', { host: '::1', port: 9200, closeWait: 2 });
    const third = await counts(2);
    const t3 = await truth();
    expect(third['CLOSE-WAIT']).toBe(t3('CLOSE-WAIT'));
    expect(third.LISTEN).toBe(t3('LISTEN'));
    await io.close();
  });
});
