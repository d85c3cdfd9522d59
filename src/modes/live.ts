import { join } from 'node:path';
import type { AlertConfig } from '../alerts/config.js';
import type { Options } from '../cli.js';
import { type SampleRecord, buildRecord } from '../record.js';
import { PrivateFileError } from '../recording/privateFile.js';
import { RecordingSession, recordingHeader } from '../recording/session.js';
import { loadScreen } from '../screenSession.js';
import { FleetController } from '../fleet/controller.js';
import { NamespaceFleet } from '../fleet/fleet.js';
import { type NamespaceRecord, fleetRecord } from '../fleet/record.js';
import { SOCKETS } from '../../collectors/sockets.js';
import type { SocketEntry } from '../../collectors/parse/ssSockets.js';
import type { Server } from 'node:http';
import { CollectorProblem } from '../problems.js';
import { type Runtime, createRuntime } from '../runtime.js';
import { TargetError, namespaceInode } from '../targetPin.js';
import type { Store } from '../store.js';
import { type Target, netnsCommandPrefix, targetLabel } from '../target.js';
import { ActionLog } from '../actions/run.js';
import type { ProbeSource } from '../hooks/useProbes.js';
import { DNS } from '../../collectors/dns.js';
import { formatAge, formatCount } from '../format.js';
import { safeText } from '../sanitize.js';
import { packageVersion } from '../version.js';

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
export function tickTime(store: Store): number {
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

/**
 * The runtime and, when wanted, the recording session; or the exit status
 * that stops before anything runs (a target that cannot be watched, a
 * `--record FILE` that cannot be created safely).
 */
async function startLive(options: Options, alertConfig: AlertConfig, recordingWanted: boolean): Promise<{ runtime: Runtime; recording: RecordingSession | undefined } | number> {
  const runtime = await startRuntime(options, alertConfig);
  if (typeof runtime === 'number') return runtime;
  const recording = recordingWanted ? startRecording(options, runtime) : undefined;
  if (options.recordFile !== undefined && !recording) {
    await runtime.close();
    return 2;
  }
  return { runtime, recording };
}

/**
 * `--metrics ADDR`: the Prometheus endpoint beside the screen or the
 * records, reading the runtime's latest sample at each scrape. 2 (said on
 * stderr) when the address cannot be had.
 */
async function serveMetrics(options: Options, recordOf: () => SampleRecord | undefined, namespaces?: () => NamespaceRecord[] | undefined): Promise<Server | undefined | 2> {
  if (!options.metrics) return undefined;
  const { startMetricsServer } = await import('../metrics/server.js');
  try {
    return await startMetricsServer(options.metrics, { record: recordOf, ...(options.allNetns && namespaces ? { namespaces } : {}) }, { ...(options.netnsSeries !== undefined ? { netnsSeries: options.netnsSeries } : {}), allCounters: options.metricsAllCounters === true });
  } catch (error) {
    process.stderr.write(`nettriage: ${(error as Error).message}\n`);
    return 2;
  }
}

/** The latest record of a runtime, for a scrape; none before its first sample. */
const latestRecord = (runtime: Runtime, target: Target) => () =>
  runtime.store.sample(SOCKETS) ? buildRecord(runtime.store, target, runtime.scheduler.intervalMs, runtime.alerts(), tickTime(runtime.store)) : undefined;

/** How long the last records may take to reach a slow reader before nettriage exits anyway. */
const FLUSH_WAIT_MS = 2000;

/** `--json`: one sample per tick on stdout, no screen (`--headless`: nothing on stdout). Ends after --count, on a closed pipe, or a signal. */
export async function runJson(options: Options, alertConfig: AlertConfig): Promise<number> {
  // No keys here: no 15-minute ring for `w` or `b` to keep, only --record FILE.
  const started = await startLive(options, alertConfig, options.recordFile !== undefined);
  if (typeof started === 'number') return started;
  const { runtime, recording } = started;
  const { store, scheduler, alerts } = runtime;
  let namespaces: NamespaceRecord[] | undefined;
  const metrics = await serveMetrics(options, latestRecord(runtime, options.target), () => namespaces);
  if (metrics === 2) {
    recording?.close();
    await runtime.close();
    return 2;
  }
  const fleet = options.allNetns ? new NamespaceFleet({ procRoot: options.roots.procRoot, netnsRunDir: options.roots.netnsRunDir, config: alertConfig, intervalMs: scheduler.intervalMs }) : undefined;
  let fleetBusy = false;
  // The namespace the record is about, marked among every namespace.
  const watched = namespaceInode(runtime.namespace);
  return new Promise<number>((resolve) => {
    let written = 0;
    let finished = false;
    /** The first record that could not be written (a full disk, a closed file): the run failed, whatever --count says. */
    let lost: NodeJS.ErrnoException | undefined;
    /** Settles once the last record written has reached the file or pipe, or failed to. */
    let flushed: Promise<void> = Promise.resolve();
    const onWriteError = (error: NodeJS.ErrnoException) => {
      // `| head` closed the pipe: done, nothing lost that anyone wanted.
      if (error.code !== 'EPIPE') lost ??= error;
      finish();
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      unsubscribe();
      metrics?.close();
      fleet?.close();
      // A write to a file completes (or fails) after the call returns: the exit status waits for it,
      // though not forever for a reader that stopped reading.
      void Promise.race([flushed, new Promise((r) => setTimeout(r, FLUSH_WAIT_MS).unref())]).then(async () => {
        recording?.close();
        let code = 0;
        if (lost) {
          process.stderr.write(`nettriage: cannot write the records: ${lost.message}\n`);
          code = 1;
        }
        if (recording?.failed) {
          process.stderr.write(`nettriage: ${recording.failed}\n`);
          code = 1;
        }
        await runtime.close();
        resolve(code);
      });
    };
    process.stdout.on('error', onWriteError);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, finish);
    const write = (extra: object = {}) => {
      if (finished) return;
      // Headless with metrics only: nothing to write each tick (a scrape builds its own record).
      if (recording || !options.headless) {
        const record = { ...buildRecord(store, options.target, scheduler.intervalMs, alerts(), tickTime(store)), ...extra };
        recording?.add(record);
        if (!options.headless) {
          flushed = new Promise((done) => {
            process.stdout.write(`${JSON.stringify(record)}\n`, (error) => {
              if (error) onWriteError(error);
              done();
            });
          });
        }
      }
      written++;
      if (options.count !== undefined && written >= options.count) finish();
    };
    const unsubscribe = store.subscribe(() => {
      if (!fleet) return write();
      // Every namespace is read once per record; a slow pass skips a tick rather than piling up.
      if (fleetBusy) return;
      fleetBusy = true;
      void fleet.tick().then(
        (state) => {
          fleetBusy = false;
          const fleetPart = fleetRecord(state, watched);
          namespaces = fleetPart.namespaces;
          write(fleetPart);
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

export async function runScreen(options: Options, alertConfig: AlertConfig): Promise<number> {
  const started = await startLive(options, alertConfig, true);
  if (typeof started === 'number') return started;
  const { recording } = started;
  let runtime = started.runtime;
  let target = options.target;
  const { host, config } = runtime;
  const metrics = await serveMetrics(options, () => latestRecord(runtime, target)());
  if (metrics === 2) {
    recording?.close();
    await runtime.close();
    return 2;
  }
  // Every namespace: every interval while the overview is open, in the background otherwise (their alerts show here).
  let onScreenSinceMs = Date.now();
  const fleet = new FleetController(
    new NamespaceFleet({ procRoot: options.roots.procRoot, netnsRunDir: options.roots.netnsRunDir, config, intervalMs: runtime.scheduler.intervalMs }),
    () => runtime.scheduler.intervalMs,
    () => ({ target, sinceMs: onScreenSinceMs }),
  );
  // The history of every namespace watched so far, by target: switching back shows its past minutes.
  const stores = new Map<string, Store>();
  // Every sample of the namespace on screen: into --record FILE, and the last 15 minutes for `w`.
  const follow = (rt: Runtime) =>
    recording
      ? rt.store.subscribe(() => {
          const tickMs = tickTime(rt.store);
          recording.addTick(rt.store.ticks, (movedSince) => buildRecord(rt.store, target, rt.scheduler.intervalMs, rt.alerts(), tickMs, movedSince));
        })
      : () => undefined;
  let stopRecording = follow(runtime);
  // Sampling starts before the screen's code is read in: the first tick's commands run in
  // processes of their own, on another core, while Ink and React load (measured: the first
  // full frame ~100 ms sooner).
  runtime.scheduler.start();
  const { show } = await loadScreen(options);
  const onWriteRecent = (): string => {
    if (!recording) return 'w: nothing kept';
    try {
      const { path, records, spanMs } = recording.writeRecent(process.cwd());
      return `wrote ${records} samples (${formatAge(spanMs)}) to ${safeText(path)}: nettriage --replay FILE`;
    } catch (error) {
      return `w: ${safeText((error as Error).message)}`;
    }
  };
  const onBundle = async (socket?: SocketEntry): Promise<string> => {
    const { writeBundle, bundleFileName } = await import('../bundle/bundle.js');
    const { DEFAULT_CAPTURE_LIMITS, socketFilter } = await import('../bundle/capture.js');
    const path = join(process.cwd(), bundleFileName(target, Date.now()));
    // --bundle-capture: the packets of the socket selected in a drill-down.
    const filter = options.bundleCapture && socket ? socketFilter(socket.local, socket.peer) : undefined;
    const capture = filter
      ? { capture: { filter, limits: DEFAULT_CAPTURE_LIMITS } }
      : options.bundleCapture
        ? { captureSkipped: 'no socket selected: open a drill-down to its sockets, select one, and press b' }
        : {};
    try {
      const recent = recording?.recentText();
      const actions = probeLog.size > 0 ? probeLog.text() : undefined;
      const made = await writeBundle(path, { target, roots: options.roots, version: packageVersion(), ...(recent ? { recording: recent } : {}), ...(actions ? { actions } : {}), ...capture });
      const failed = made.parts.filter((p) => !p.ok).map((p) => p.file);
      return `bundle ${safeText(path)} (${formatCount(made.bytes)} bytes)${failed.length > 0 ? `; missing: ${failed.join(', ')} (see manifest.json)` : ''}`;
    } catch (error) {
      return `b: ${safeText((error as Error).message)}`;
    }
  };
  let switching = false;
  let done = false;
  // What the probe keys ran, for the next bundle; they enter whatever namespace is on screen.
  const probeLog = new ActionLog();
  const probes: ProbeSource = {
    prefix: () => netnsCommandPrefix(target, options.roots),
    nameserver: () => runtime.store.sample(DNS)?.value.conf.nameservers[0],
    log: probeLog,
  };
  // Kept here: a runtime the dashboard switches to inherits whether the DNS line is on screen.
  let dnsWatched = false;
  const onDnsWatched = (on: boolean) => {
    dnsWatched = on;
    runtime.watchDns(on);
  };
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
      next.watchDns(dnsWatched);
      target = to;
      stopRecording();
      stopRecording = follow(next);
      onScreenSinceMs = Date.now();
      dashboard.rerender();
      next.scheduler.start();
      switching = false;
    })();
  };
  const dashboard = show(
    (quit, screen) => ({
      store: runtime.store,
      alerts: runtime.alerts,
      config,
      drill: runtime.drill,
      fleet,
      onWatch,
      onDnsWatched,
      probes,
      onWriteRecent,
      onBundle,
      home: options.target,
      interval: runtime.scheduler,
      target,
      host,
      onQuit: () => quit(0),
      screen,
    }),
    {
      beforeRestore: () => {
        done = true;
        fleet.stop();
        stopRecording();
        recording?.close();
        metrics?.close();
      },
      afterRestore: async () => {
        if (recording?.failed) process.stderr.write(`nettriage: ${recording.failed}\n`);
        await runtime.close();
      },
    },
  );
  fleet.start(runtime.scheduler.intervalMs);
  return dashboard.done;
}
