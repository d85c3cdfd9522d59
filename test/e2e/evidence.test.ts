import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestNetns, canCreateNetns } from '../helpers/netns.js';
import { BIN, TmuxSession, hasTmux } from '../helpers/tmux.js';

const netnsOk = await canCreateNetns();

describe.runIf(hasTmux && process.getuid?.() === 0)('keeping the evidence from the dashboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nt-evidence-'));
  let session: TmuxSession | undefined;
  afterAll(async () => {
    await session?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('w writes the last minutes as a recording, b a bundle with them; the footer says where', async () => {
    session = await TmuxSession.start(`cd ${dir} && node ${BIN}`, { label: 'evidence', columns: 160 });
    // A few samples first.
    await session.waitFor(/ESTAB\s+\d+\s+\S+\s+(→|↑|↓)/, 15_000);
    await session.keys('w');
    const wrote = await session.waitFor(/wrote \d+ samples \(.+\) to \S+\.ndjson/);
    const recording = readdirSync(dir).find((f) => f.endsWith('.ndjson'));
    expect(wrote).toContain(recording ?? 'no file');
    expect(statSync(join(dir, recording!)).mode & 0o777).toBe(0o600);
    const replayed = await execa('node', [BIN, '--replay', join(dir, recording!), '--json']);
    expect(replayed.stdout.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(5);

    await session.keys('b');
    await session.waitFor(/bundle: taking the snapshots/, 5000);
    await session.waitFor(/bundle \S+\.tar\.gz \(\d/, 30_000);
    const bundle = readdirSync(dir).find((f) => f.endsWith('.tar.gz'));
    expect(statSync(join(dir, bundle!)).mode & 0o777).toBe(0o600);
    const listing = (await execa('tar', ['-tzf', join(dir, bundle!)])).stdout;
    expect(listing).toMatch(/nettriage-bundle\/manifest\.json/);
    expect(listing).toMatch(/nettriage-bundle\/recording\.ndjson/);
    expect(listing).toMatch(/nettriage-bundle\/ss-tanpoie\.txt/);
  }, 60_000);

  it.runIf(netnsOk)('with --bundle-capture, b on a socket in a drill-down captures its packets', async () => {
    const ns = await TestNetns.create('evcap');
    try {
      await ns.incident('states', { port: 9100, established: 2 });
      await session?.kill();
      const capDir = mkdtempSync(join(dir, 'cap-'));
      session = await TmuxSession.start(`cd ${capDir} && node ${BIN} --netns ${ns.name} --bundle-capture`, { label: 'evcap', columns: 160 });
      await session.waitFor(/ESTAB\s+4\b/, 15_000);
      // Sockets panel, ESTAB, its owners, the first owner's sockets.
      await session.keys('2', 'Enter');
      await session.waitFor(/ESTAB › owners/);
      await session.keys('Enter');
      await session.waitFor(/ESTAB › owners › /);
      await session.keys('b');
      await session.waitFor(/bundle \S+\.tar\.gz \(\d/, 30_000);
      const bundle = readdirSync(capDir).find((f) => f.endsWith('.tar.gz'))!;
      const manifest = JSON.parse((await execa('tar', ['-xzOf', join(capDir, bundle), 'nettriage-bundle/manifest.json'])).stdout) as { parts: { file: string; ok: boolean; source: string }[] };
      const capture = manifest.parts.find((p) => p.file === 'capture.pcap');
      expect(capture?.ok).toBe(true);
      expect(capture?.source).toMatch(/tcp and host 127\.0\.0\.1 and port \d+ and host 127\.0\.0\.1 and port \d+/);
    } finally {
      await session?.kill();
      session = undefined;
      await ns.destroy();
    }
  }, 60_000);
});
