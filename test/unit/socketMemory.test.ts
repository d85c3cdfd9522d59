import { RULES } from '../../src/registry.js';
import { describe, expect, it } from 'vitest';
import { SOCKET_MEMORY, type SocketMemorySample, parseMemLimits, socketMemoryOf } from '../../collectors/socketMemory.js';
import { defaultAlertConfig, validateAlertConfig } from '../../src/alerts/config.js';
import { AlertEngine } from '../../src/alerts/engine.js';
import { buildSocketMemoryPanel } from '../../src/panels/socketMemory.js';
import { Store } from '../../src/store.js';
import { itOnRealWorld, readRealWorld } from '../helpers/realWorld.js';

const LIMITS = '1000\t2000\t3000\n';

describe('socket memory', () => {
  itOnRealWorld('reads TCP and UDP buffer pages from every real-world sockstat', () => {
    const expected: Record<string, [number | undefined, number | undefined]> = {
      'sockstat/netdata-issue14-sockstat.txt': [6, 17],
      'sockstat/node-exporter-sockstat.txt': [1, 0],
      'sockstat/procfs-sockstat.txt': [22, 62],
      // sockstat6 counts sockets, not memory: nothing to read, and it says so.
      'sockstat/node-exporter-sockstat6.txt': [undefined, undefined],
    };
    for (const [file, [tcp, udp]] of Object.entries(expected)) {
      const r = socketMemoryOf(readRealWorld(file), LIMITS, LIMITS);
      expect(r.value.tcp?.pages, file).toBe(tcp);
      expect(r.value.udp?.pages, file).toBe(udp);
      expect(r.notes.length, file).toBe(tcp === undefined ? 2 : 0);
    }
  });

  it('reads tcp_mem as low, pressure and max pages, and rejects anything else', () => {
    expect(parseMemLimits('287901\t383868\t575802\n')).toEqual({ low: 287901, pressure: 383868, max: 575802 });
    expect(parseMemLimits('1 2')).toBeUndefined();
    expect(parseMemLimits('1 2 3 4')).toBeUndefined();
    expect(parseMemLimits('1 x 3')).toBeUndefined();
    const r = socketMemoryOf('TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 5\nUDP: inuse 0 mem 0\n', 'garbage', undefined);
    expect(r.value).toEqual({});
    expect(r.notes).toEqual(['net.ipv4.tcp_mem is not three page counts', 'net.ipv4.udp_mem is missing']);
  });

  /** The rule and the panel over a store fed TCP pages against limits 1000/2000/3000. */
  function watch(config = defaultAlertConfig()) {
    const store = new Store();
    const engine = new AlertEngine(config, { kind: 'host' }, RULES);
    let t = 1_000_000;
    return (tcpPages: number) => {
      const value: SocketMemorySample = { tcp: { pages: tcpPages, low: 1000, pressure: 2000, max: 3000 } };
      store.recordSample(SOCKET_MEMORY, { value, atMs: t, skippedLines: 0, notes: [] }, {});
      store.commitTick(t);
      const alerts = engine.evaluate(store, t).alerts.filter((a) => a.id === 'socket-memory-pressure');
      const panel = buildSocketMemoryPanel(store, t, config);
      t += 1000;
      return { severity: alerts[0]?.severity, subject: alerts[0]?.subject, colour: panel.rows[0]?.concern };
    };
  }

  it('warns at the pressure threshold, turns critical near the maximum, and steps down with hysteresis', () => {
    const tick = watch();
    expect(tick(1900)).toEqual({ severity: undefined, subject: undefined, colour: 'none' });
    expect(tick(2000)).toEqual({ severity: 'warning', subject: 'tcp_mem', colour: 'watch' });
    expect(tick(2900)).toEqual({ severity: 'critical', subject: 'tcp_mem', colour: 'bad' });
    // Critical holds until halfway down to where the warning clears (1000 .. 2850: 1925).
    expect(tick(2000).severity).toBe('critical');
    expect(tick(1900).severity).toBe('warning');
    // The warning holds down to half the warning level.
    expect(tick(1100).severity).toBe('warning');
    expect(tick(999).severity).toBeUndefined();
  });

  it('colours the panel by the configured thresholds, as the alert judges', () => {
    const tick = watch(validateAlertConfig({ rules: { 'socket-memory-pressure': { warnShareOfPressure: 0.5 } } }));
    expect(tick(999)).toMatchObject({ severity: undefined, colour: 'none' });
    expect(tick(1000)).toMatchObject({ severity: 'warning', colour: 'watch' });
  });
});
