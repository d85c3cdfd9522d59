import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type AlertConfig, ConfigError, defaultAlertConfig, loadAlertConfig } from './alerts/config.js';
import { type Options, parseCli } from './cli.js';
import { alertRecord, buildRecord } from './record.js';
import { type Recording, RecordingError, parseRecording } from './recording/format.js';
import { PrivateFileError } from './recording/privateFile.js';
import { Replayer } from './recording/replayer.js';
import { RecordingSession, recordingHeader } from './recording/session.js';
import { FleetController } from './fleet/controller.js';
import { NamespaceFleet } from './fleet/fleet.js';
import { fleetRecord } from './fleet/record.js';
import { CollectorProblem } from './problems.js';
import { type Runtime, createRuntime } from './runtime.js';
import { TargetError } from './targetPin.js';
import type { Store } from './store.js';
import { type Target, targetLabel } from './target.js';
import { useLightPalette } from './theme.js';
import { formatAge } from './format.js';
import { safeText } from './sanitize.js';

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

/**
 * The runtime, once its target is known to be there and enterable: a
 * namespace that does not exist, a PID that is gone or no permission to
 * enter it stop nettriage before anything is shown (exit status 2), with
 * the reason, instead of a screen of empty panels.
 */
async function startRuntime(options: Options, alertConfig: AlertConfig): Promise<Runtime | number> {
  let runtime: Runtime | undefined;
  try {
    runtime = createRuntime(options, alertConfig);
    await runtime.verifyTarget();
    return runtime;
  } catch (error) {
    if (!(error instanceof TargetError || error instanceof CollectorProblem)) throw error;
    await runtime?.close();
    process.stderr.write(`nettriage: ${error.message}${error.hint ? ` (${error.hint})` : ''}\n`);
    return 2;
  }
}

/** The time of the store's last tick: what its alerts were judged at, and what its record says. */
function tickTime(store: Store): number {
  const ms = store.tickTimes.last();
  return Number.isNaN(ms) ? Date.now() : ms;
}

/** `--record FILE` and the last 15 minutes for `w`; undefined (said on stderr) when FILE cannot be created safely. */
function startRecording(options: Options, runtime: Runtime): RecordingSession | undefined {
  const header = recordingHeader({
    version: packageVersion(),
    host: runtime.host.host,
    kernel: runtime.host.kernel,
    target: targetLabel(options.target),
    intervalMs: runtime.scheduler.intervalMs,
    config: runtime.config,
  });
  try {
    return new RecordingSession(header, options.recordFile, options.recordMaxBytes);
  } catch (error) {
    if (!(error instanceof PrivateFileError)) throw error;
    process.stderr.write(`nettriage: --record: ${error.message}\n`);
    return undefined;
  }
}

/** `--replay FILE --json`: the recording's records, their alerts judged again with these rules and thresholds. */
async function runReplayJson(options: Options, alertConfig: AlertConfig): Promise<number> {
  const file = options.replayFile ?? '';
  let recording: Recording;
  try {
    recording = parseRecording(await readFile(file, 'utf8'));
  } catch (error) {
    const message = error instanceof RecordingError ? error.message : `cannot read it: ${(error as Error).message}`;
    process.stderr.write(`nettriage: --replay ${file}: ${message}\n`);
    return 2;
  }
  for (const problem of recording.problems) process.stderr.write(`nettriage: --replay ${file}: ${problem}\n`);
  const replayer = new Replayer(recording.header.target, alertConfig);
  const records = options.count === undefined ? recording.records : recording.records.slice(0, options.count);
  for (const record of records) {
    const judged = replayer.step(record);
    const ok = process.stdout.write(`${JSON.stringify({ ...record, alerts: judged.alerts.map(alertRecord), unknown: judged.blind })}\n`);
    if (!ok) await new Promise((r) => process.stdout.once('drain', r));
  }
  return 0;
}

/** `--json`: one sample per tick on stdout, no screen. Ends after --count, on a closed pipe, or a signal. */
async function runJson(options: Options, alertConfig: AlertConfig): Promise<number> {
  if (options.replayFile !== undefined) return runReplayJson(options, alertConfig);
  const runtime = await startRuntime(options, alertConfig);
  if (typeof runtime === 'number') return runtime;
  const recording = startRecording(options, runtime);
  if (options.recordFile !== undefined && !recording) {
    await runtime.close();
    return 2;
  }
  const { store, scheduler, alerts } = runtime;
  const fleet = options.allNetns ? new NamespaceFleet({ procRoot: options.roots.procRoot, config: alertConfig, intervalMs: scheduler.intervalMs }) : undefined;
  let fleetBusy = false;
  return new Promise<number>((resolve) => {
    let written = 0;
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      unsubscribe();
      recording?.close();
      if (recording?.failed) process.stderr.write(`nettriage: ${recording.failed}\n`);
      void runtime.close().then(() => resolve(code));
    };
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      // `| head` closed the pipe: done. Anything else (a full disk) lost records: say so.
      if (error.code === 'EPIPE') return finish(0);
      process.stderr.write(`nettriage: cannot write the records: ${error.message}\n`);
      finish(1);
    });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => finish(0));
    const write = (extra: object = {}) => {
      if (finished) return;
      const record = { ...buildRecord(store, options.target, scheduler.intervalMs, alerts(), tickTime(store)), ...extra };
      const json = JSON.stringify(record);
      recording?.add(record);
      process.stdout.write(`${json}\n`);
      written++;
      if (options.count !== undefined && written >= options.count) finish(0);
    };
    const unsubscribe = store.subscribe(() => {
      if (!fleet) return write();
      // Every namespace is read once per record; a slow pass skips a tick rather than piling up.
      if (fleetBusy) return;
      fleetBusy = true;
      void fleet.tick().then(
        (state) => {
          fleetBusy = false;
          write(fleetRecord(state));
        },
        (error: unknown) => {
          fleetBusy = false;
          write({ namespaces: { error: error instanceof Error ? error.message : String(error) } });
        },
      );
    });
    scheduler.start();
  });
}

async function runScreen(options: Options, alertConfig: AlertConfig): Promise<number> {
  // Ink renders nothing but the last frame when it believes it runs in CI
  // (is-in-ci reads CI / CONTINUOUS_INTEGRATION once, at import). We only get
  // here with a terminal on both ends, so such a variable leaked from the
  // environment must not change how keys and frames are handled.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const [{ render }, React, { App }, { enterFullScreen, SIGNAL_EXIT_CODES, captureConsole }, { Screen }, { loadPanelViews }, { PANELS }, { default: chalk }] = await Promise.all([
    import('ink'),
    import('react'),
    import('./app.js'),
    import('./terminal.js'),
    import('./screen/screen.js'),
    import('./panels/views.js'),
    import('./registry.js'),
    import('chalk'),
  ]);
  // One chalk draws Ink's texts and ours: level 0 takes every colour and style off the screen
  // (the selected row keeps its › marker).
  if (!options.color) chalk.level = 0;
  else if (options.light) useLightPalette(chalk);
  await loadPanelViews(PANELS);
  const first = await startRuntime(options, alertConfig);
  if (typeof first === 'number') return first;
  const recording = startRecording(options, first);
  if (options.recordFile !== undefined && !recording) {
    await first.close();
    return 2;
  }
  let runtime = first;
  let target = options.target;
  const { host, config } = runtime;
  // Every namespace: every interval while the overview is open, in the background otherwise (their alerts show here).
  let onScreenSinceMs = Date.now();
  const fleet = new FleetController(
    new NamespaceFleet({ procRoot: options.roots.procRoot, config, intervalMs: runtime.scheduler.intervalMs }),
    () => runtime.scheduler.intervalMs,
    () => ({ target, sinceMs: onScreenSinceMs }),
  );
  // The history of every namespace watched so far, by target: switching back shows its past minutes.
  const stores = new Map<string, Store>();
  const stdout = process.stdout;
  const sizeOf = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  return new Promise<number>((resolve) => {
    let done = false;
    const shutdown = (code: number) => {
      if (done) return;
      done = true;
      instance.unmount();
      fleet.stop();
      stopRecording();
      recording?.close();
      session.restore();
      const logged = releaseConsole();
      if (logged.length > 0) process.stderr.write(`${logged.join('\n')}\n`);
      if (recording?.failed) process.stderr.write(`nettriage: ${recording.failed}\n`);
      void runtime.close().then(() => resolve(code));
    };
    const element = () =>
      React.createElement(App, {
        store: runtime.store,
        alerts: runtime.alerts,
        config,
        drill: runtime.drill,
        fleet,
        onWatch,
        onWriteRecent,
        home: options.target,
        interval: runtime.scheduler,
        target,
        host,
        onQuit: () => shutdown(0),
        screen,
      });
    // Every sample of the namespace on screen: into --record FILE, and the last 15 minutes for `w`.
    const follow = (rt: Runtime) =>
      recording ? rt.store.subscribe(() => recording.add(buildRecord(rt.store, target, rt.scheduler.intervalMs, rt.alerts(), tickTime(rt.store)))) : () => undefined;
    let stopRecording = follow(runtime);
    const onWriteRecent = (): string => {
      if (!recording) return 'w: nothing kept';
      try {
        const { path, records, spanMs } = recording.writeRecent(process.cwd());
        return `wrote ${records} samples (${formatAge(spanMs)}) to ${safeText(path)}: nettriage --replay FILE --json`;
      } catch (error) {
        return `w: ${safeText((error as Error).message)}`;
      }
    };
    let switching = false;
    /** The whole dashboard on another namespace: a runtime of its own, its store kept for when it comes back. */
    const onWatch = (to: Target) => {
      if (switching || done || targetLabel(to) === targetLabel(target)) return;
      switching = true;
      void (async () => {
        const previous = runtime;
        stores.set(targetLabel(target), previous.store);
        const next = createRuntime({ ...options, target: to, intervalMs: previous.scheduler.intervalMs }, alertConfig, stores.get(targetLabel(to)));
        try {
          await next.verifyTarget();
        } catch {
          // It went between the list and the key: the dashboard stays where it was.
          await next.close();
          switching = false;
          return;
        }
        await previous.close();
        if (done) return void next.close();
        runtime = next;
        target = to;
        stopRecording();
        stopRecording = follow(next);
        onScreenSinceMs = Date.now();
        instance.rerender(element());
        next.scheduler.start();
        switching = false;
      })();
    };
    const session = enterFullScreen(stdout.fd, (signal) => shutdown(SIGNAL_EXIT_CODES[signal] ?? 1));
    // Anything printed while the screen is ours would tear it: kept, and shown after we leave it.
    const releaseConsole = captureConsole();
    const screen = new Screen((text) => stdout.write(text), sizeOf());
    stdout.on('resize', () => screen.resize(sizeOf()));
    // Ink runs the components and reads the keys; the screen, not Ink, writes to the terminal.
    const inkOut = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), sizeOf());
    const instance = render(element(), { stdout: inkOut as unknown as NodeJS.WriteStream, stdin: process.stdin, exitOnCtrlC: false, patchConsole: false });
    runtime.scheduler.start();
    fleet.start();
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
    case 'run': {
      // A bad config stops everything before the screen opens.
      let alertConfig = defaultAlertConfig();
      if (cli.options.configFile !== undefined) {
        try {
          alertConfig = await loadAlertConfig(cli.options.configFile);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          process.stderr.write(`nettriage: config ${error.message}\n`);
          return 2;
        }
      }
      if (cli.options.json) return runJson(cli.options, alertConfig);
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        process.stderr.write('nettriage: the dashboard needs a terminal; use --json for scripts and pipes\n');
        return 2;
      }
      return runScreen(cli.options, alertConfig);
    }
  }
}
