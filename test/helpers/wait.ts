/**
 * Polls `probe` until it gives a value (anything but undefined or false),
 * every `everyMs`; throws, naming `what`, past the deadline. Tests wait for
 * conditions, never for a fixed time.
 */
export async function until<T>(what: string, deadlineMs: number, probe: () => T | undefined | false | Promise<T | undefined | false>, everyMs = 200): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > end) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
