process.env.NODE_ENV = 'production';
const { PassThrough } = await import('node:stream');
const React = await import('react');
const { render } = await import('ink');
if (process.env.RTFLAG) (await import('node:v8')).setFlagsFromString(process.env.RTFLAG);
const { App } = await import('../src/app.js');
const { Screen } = await import('../src/screen/screen.js');
const { parseCli } = await import('../src/cli.js');
const { createRuntime } = await import('../src/runtime.js');
const gc = (globalThis as { gc?: () => void }).gc!;
const cli = parseCli(['--interval', '200ms']);
if (cli.kind !== 'run') throw new Error('options');
const runtime = createRuntime(cli.options);
const stdout = Object.assign(new PassThrough(), { columns: 200, rows: 60 });
stdout.resume();
const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {}, ref: () => {}, unref: () => {} });
const screen = new Screen(() => undefined, { columns: 200, rows: 60 });
render(React.createElement(App, { store: runtime.store, alerts: runtime.alerts, drill: runtime.drill, interval: runtime.scheduler, target: cli.options.target, host: runtime.host, onQuit: () => {}, screen }), { stdout: stdout as any, stdin: stdin as any, exitOnCtrlC: false, patchConsole: false });
for (let tick = 1; tick <= 300; tick++) {
  await runtime.scheduler.runTick();
  await new Promise((r) => setTimeout(r, 5));
  if (tick % 250 === 0) { gc(); const m = process.memoryUsage(); console.log(tick, 'heap', (m.heapUsed / 1e6).toFixed(1), 'rss', (m.rss / 1e6).toFixed(1), 'ext', (m.external / 1e6).toFixed(1), 'regions drawn', screen.renderedRegions); }
}
const v8 = await import('node:v8');
for (const sp of v8.getHeapSpaceStatistics()) console.log(sp.space_name.padEnd(28), 'size', (sp.space_size/1e6).toFixed(1), 'used', (sp.space_used_size/1e6).toFixed(1), 'phys', (sp.physical_space_size/1e6).toFixed(1));
const { readFileSync } = await import('node:fs');
const smaps = readFileSync('/proc/self/smaps', 'utf8').split('\n');
const byName = new Map<string, number>(); let name = '';
for (const l of smaps) { const h = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(l); if (h) { name = h[1] || '[anon]'; continue; } const r = /^Rss:\s+(\d+)/.exec(l); if (r) byName.set(name, (byName.get(name) ?? 0) + Number(r[1])); }
console.log([...byName].sort((a,b)=>b[1]-a[1]).slice(0,8).map(([n,k])=>`${n.slice(-40)} ${(k/1024).toFixed(1)}MB`).join('\n'));
await runtime.close(); process.exit(0);
