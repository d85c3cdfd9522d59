/**
 * The whole dashboard — every collector on this host, the alert engine and
 * the Ink screen rendering into a terminal-sized sink — at 50 ms a tick for
 * 4,000 ticks (67 minutes at 1 s), printing memory after a full GC along the
 * way. The store's rings fill at tick 900; after that the numbers must stay
 * flat. Run with --expose-gc (npm run bench does).
 */
process.env.NODE_ENV = 'production';

const { PassThrough } = await import('node:stream');
const React = await import('react');
const { render } = await import('ink');
const { App } = await import('../src/app.js');
const { Screen } = await import('../src/screen/screen.js');
const { parseCli } = await import('../src/cli.js');
const { createRuntime } = await import('../src/runtime.js');
const { loadPanelViews } = await import('../src/panels/views.js');
const { PANELS } = await import('../src/registry.js');
await loadPanelViews(PANELS);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('soak bench: run node with --expose-gc');
  process.exit(2);
}
const cli = parseCli(['--interval', '200ms']);
if (cli.kind !== 'run') throw new Error('options');
const runtime = createRuntime(cli.options);
// A terminal that swallows what it is sent.
const stdout = Object.assign(new PassThrough(), { columns: 120, rows: 40, isTTY: true });
stdout.resume();
const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {}, ref: () => {}, unref: () => {} });
const instance = render(
  React.createElement(App, {
    store: runtime.store,
    alerts: runtime.alerts,
    config: runtime.config,
    drill: runtime.drill,
    interval: runtime.scheduler,
    target: cli.options.target,
    host: runtime.host,
    onQuit: () => {},
    screen: new Screen(() => undefined, { columns: 120, rows: 40 }),
  }),
  { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, exitOnCtrlC: false, patchConsole: false },
);

const rows: string[] = [];
const mib = (n: number) => (n / 1048576).toFixed(1).padStart(6);
const TICKS = 4000;
for (let tick = 1; tick <= TICKS; tick++) {
  await runtime.scheduler.runTick();
  await new Promise((r) => setTimeout(r, 50));
  if (tick % 500 === 0) {
    gc();
    const m = process.memoryUsage();
    rows.push(`  tick ${String(tick).padStart(5)}: heap ${mib(m.heapUsed)} MiB, buffers ${mib(m.arrayBuffers)} MiB, rss ${mib(m.rss)} MiB`);
  }
}
instance.unmount();
console.log(`the whole dashboard on this host, ${TICKS} ticks (after a full GC):`);
console.log(rows.join('\n'));
process.exit(0);
