import { expect } from 'vitest';

interface Rendered {
  lastFrame(): string | undefined;
  stdin: { write(data: string): void };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes keys, then waits until the frame changes (React may take more than
 * one turn to commit, and a cold machine more than a few ms), or 1 s passes
 * for keys that change nothing.
 */
export async function press(app: Rendered, keys: string, settleMs = 1000): Promise<void> {
  const before = app.lastFrame();
  app.stdin.write(keys);
  const until = Date.now() + settleMs;
  while (Date.now() < until) {
    await sleep(10);
    if (app.lastFrame() !== before) break;
  }
  await sleep(15);
}

/** Polls the frame until it matches, then asserts (so a failure shows the last frame). */
export async function expectFrame(app: Rendered, pattern: RegExp | string, timeoutMs = 2000): Promise<string> {
  const matches = (f: string) => (typeof pattern === 'string' ? f.includes(pattern) : pattern.test(f));
  const until = Date.now() + timeoutMs;
  let frame = app.lastFrame() ?? '';
  while (!matches(frame) && Date.now() < until) {
    await sleep(10);
    frame = app.lastFrame() ?? '';
  }
  if (typeof pattern === 'string') expect(frame).toContain(pattern);
  else expect(frame).toMatch(pattern);
  return frame;
}
