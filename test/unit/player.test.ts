import { describe, expect, it } from 'vitest';
import { COUNTERS } from '../../collectors/counters.js';
import { defaultAlertConfig } from '../../src/alerts/config.js';
import type { SampleRecord } from '../../src/record.js';
import type { Recording } from '../../src/recording/format.js';
import { ReplayPlayer } from '../../src/recording/player.js';
import { recordingHeader } from '../../src/recording/session.js';

const t0 = Date.parse('2026-11-27T10:00:00Z');
function recording(n: number): Recording {
  const records = Array.from({ length: n }, (_, i) => ({ v: 1, time: new Date(t0 + i * 1000).toISOString(), target: 'host', intervalMs: 1000, counters: { TcpRetransSegs: { value: i * 10, rate: null } }, alerts: [] }) as unknown as SampleRecord);
  return { header: recordingHeader({ version: 'x', host: 'h', kernel: 'k', target: 'host', intervalMs: 1000, config: defaultAlertConfig() }), records, problems: [] };
}

describe('the replay player', () => {
  it('starts on the first sample and steps, jumps and goes back by judging again from the start', () => {
    const player = new ReplayPlayer(recording(5), defaultAlertConfig());
    expect(player.status()).toMatchObject({ position: 1, total: 5, atMs: t0, playing: true });
    player.stepForward();
    expect(player.status()).toMatchObject({ position: 2, playing: false });
    expect(player.store.counters(COUNTERS).get('TcpRetransSegs')?.perSec).toBe(10);
    player.toEnd();
    expect(player.status()).toMatchObject({ position: 5, atMs: t0 + 4000 });
    const before = player.store;
    player.stepBack();
    expect(player.status().position).toBe(4);
    // A new store, holding the first four samples only.
    expect(player.store).not.toBe(before);
    expect(player.store.counters(COUNTERS).get('TcpRetransSegs')?.value).toBe(30n);
    player.toStart();
    expect(player.status().position).toBe(1);
    player.stepBack();
    expect(player.status().position).toBe(1);
    player.stop();
  });

  it('changes speed within bounds and plays at the recorded pace times the speed', async () => {
    const player = new ReplayPlayer(recording(3), defaultAlertConfig());
    for (let i = 0; i < 10; i++) player.faster();
    expect(player.status().speed).toBe(64);
    for (let i = 0; i < 20; i++) player.slower();
    expect(player.status().speed).toBe(0.25);
    for (let i = 0; i < 10; i++) player.faster();
    let notified = 0;
    player.subscribe(() => notified++);
    player.start();
    // 1 s apart at ×64: ~16 ms each; waited for with a deadline, not a fixed sleep.
    const until = Date.now() + 5000;
    while (player.status().position < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(player.status()).toMatchObject({ position: 3, playing: false });
    expect(notified).toBeGreaterThanOrEqual(2);
    player.stop();
  });
});
