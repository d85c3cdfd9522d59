import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConntrackCollector } from '../collectors/conntrack.js';
import { createEthtoolCollector } from '../collectors/ethtool.js';
import { createKernelCounterCollector } from '../collectors/kernelCounters.js';
import type { NicsSample } from '../collectors/nics.js';
import { createNicCollector } from '../collectors/nics.js';
import { createSocketStateCollector } from '../collectors/socketStates.js';
import type { Collector } from '../collectors/types.js';
import { type Options, parseCli } from './cli.js';
import type { HostInfo } from './dashboardModel.js';
import { buildRecord } from './record.js';
import { Scheduler } from './scheduler.js';
import { Store } from './store.js';
import { createTargetIO } from './targetIO.js';

export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'nettriage' && pkg.version) return pkg.version;
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export interface Runtime {
  store: Store;
  scheduler: Scheduler;
  host: HostInfo;
}

export function createRuntime(options: Options): Runtime {
  const io = createTargetIO(options.target, options.roots);
  const store = new Store();
  // ethtool -S reads the interfaces backed by a device, plus the user's picks.
  const ethtoolTargets = (): string[] => {
    const nics = store.sample<NicsSample>('nics')?.value.interfaces ?? [];
    const known = new Set(nics.map((n) => n.name));
    const physical = nics.filter((n) => n.physical).map((n) => n.name);
    return [...new Set([...physical, ...options.ethtoolInterfaces.filter((n) => known.has(n))])];
  };
  const collectors = [
    createSocketStateCollector(),
    createKernelCounterCollector(),
    createConntrackCollector(),
    createNicCollector(),
    createEthtoolCollector(ethtoolTargets),
  ] as Collector<unknown>[];
  const scheduler = new Scheduler(collectors, io, store, {
    intervalMs: options.intervalMs,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { store, scheduler, host: { host: hostname(), kernel: release() } };
}

/** `--json`: one sample per tick on stdout, no screen. Ends after --count, on a closed pipe, or a signal. */
async function runJson(options: Options): Promise<number> {
  const { store, scheduler } = createRuntime(options);
  return new Promise<number>((resolve) => {
    let written = 0;
    const finish = (code: number) => {
      scheduler.stop();
      unsubscribe();
      resolve(code);
    };
    process.stdout.on('error', () => finish(0)); // `| head` closed the pipe
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => finish(0));
    const unsubscribe = store.subscribe(() => {
      process.stdout.write(`${JSON.stringify(buildRecord(store, options.target, scheduler.intervalMs))}\n`);
      written++;
      if (options.count !== undefined && written >= options.count) finish(0);
    });
    scheduler.start();
  });
}

async function runScreen(options: Options): Promise<number> {
  // Ink renders nothing but the last frame when it believes it runs in CI
  // (is-in-ci reads CI / CONTINUOUS_INTEGRATION once, at import). We only get
  // here with a terminal on both ends, so such a variable leaked from the
  // environment must not blank the dashboard.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const [{ render }, React, { App }, { enterFullScreen, SIGNAL_EXIT_CODES }] = await Promise.all([
    import('ink'),
    import('react'),
    import('./app.js'),
    import('./terminal.js'),
  ]);
  const { store, scheduler, host } = createRuntime(options);
  return new Promise<number>((resolve) => {
    let done = false;
    const shutdown = (code: number) => {
      if (done) return;
      done = true;
      scheduler.stop();
      instance.unmount();
      session.restore();
      resolve(code);
    };
    const session = enterFullScreen(process.stdout.fd, (signal) => shutdown(SIGNAL_EXIT_CODES[signal] ?? 1));
    const instance = render(
      React.createElement(App, { store, interval: scheduler, target: options.target, host, onQuit: () => shutdown(0) }),
      // Ink 6.8's incremental renderer starts one line too low when the frame
      // ends with a newline (it always does below full height), leaving the
      // previous header on screen; the standard renderer rewrites the frame in
      // one write, which is enough at a few frames per second.
      { exitOnCtrlC: false, patchConsole: true, incrementalRendering: false, maxFps: 15 },
    );
    scheduler.start();
  });
}

export async function main(argv: string[]): Promise<number> {
  const cli = parseCli(argv);
  switch (cli.kind) {
    case 'help':
      process.stdout.write(`${cli.text}\n`);
      return 0;
    case 'version':
      process.stdout.write(`nettriage ${packageVersion()}\n`);
      return 0;
    case 'convert':
      return (await import('./convert.js')).runConvert(cli.what, cli.file);
    case 'error':
      process.stderr.write(`nettriage: ${cli.message}\nTry 'nettriage --help'.\n`);
      return 2;
    case 'run':
      if (cli.options.json) return runJson(cli.options);
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        process.stderr.write('nettriage: the dashboard needs a terminal; use --json for scripts and pipes\n');
        return 2;
      }
      return runScreen(cli.options);
  }
}
