import { describe, expect, it } from 'vitest';
import { runBounded } from '../../src/runBounded.js';

describe('a bounded command', () => {
  it('gives its exit status, output and error output', async () => {
    const r = await runBounded(['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000, maxBytes: 1024 });
    expect(r).toMatchObject({ exitCode: 3, timedOut: false, truncated: false });
    expect(r.stdout.toString()).toBe('out\n');
    expect(r.stderr.toString()).toBe('err\n');
    expect(r.notStarted).toBeUndefined();
  });

  it('says a command that is not installed did not start, with no exit status', async () => {
    const r = await runBounded(['nettriage-no-such-command'], { timeoutMs: 10_000, maxBytes: 1024 });
    expect(r.notStarted).toBe('not installed');
    expect(r.exitCode).toBeUndefined();
  });

  it('stops a command at its size limit and keeps exactly that much', async () => {
    const r = await runBounded(['yes'], { timeoutMs: 10_000, maxBytes: 100_000 });
    expect(r.truncated).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(r.stdout.length).toBe(100_000);
    expect(r.stdout.subarray(0, 4).toString()).toBe('y\ny\n');
  });

  it('stops a command at its time limit, even one that ignores SIGTERM', async () => {
    const started = performance.now();
    const r = await runBounded(['sh', '-c', 'trap "" TERM; echo started; while :; do :; done'], { timeoutMs: 200, maxBytes: 1024 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeUndefined();
    expect(r.stdout.toString()).toBe('started\n');
    // SIGKILL follows SIGTERM: it ends, not at the test's timeout.
    expect(performance.now() - started).toBeLessThan(8000);
  });
});
