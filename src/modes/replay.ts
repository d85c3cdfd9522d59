import { readFile } from 'node:fs/promises';
import type { AlertConfig } from '../alerts/config.js';
import type { Options } from '../cli.js';
import { alertRecord } from '../record.js';
import { type Recording, RecordingError, parseRecording } from '../recording/format.js';
import { Replayer } from '../recording/replayer.js';
import { ReplayPlayer, createReplayDrill } from '../recording/player.js';
import { loadScreen } from '../screenSession.js';
import { parseTarget } from '../target.js';

/** `--replay FILE --json`: the recording's records, their alerts judged again with these rules and thresholds. */
export async function runReplayJson(options: Options, alertConfig: AlertConfig): Promise<number> {
  const recording = await readRecording(options.replayFile ?? '');
  if (typeof recording === 'number') return recording;
  const replayer = new Replayer(recording.header.target, alertConfig);
  const records = options.count === undefined ? recording.records : recording.records.slice(0, options.count);
  for (const record of records) {
    const judged = replayer.step(record);
    const ok = process.stdout.write(`${JSON.stringify({ ...record, alerts: judged.alerts.map(alertRecord), unknown: judged.blind })}\n`);
    if (!ok) await new Promise((r) => process.stdout.once('drain', r));
  }
  return 0;
}

/** `--replay FILE` on screen: the dashboard fed from a recording, with a REPLAY banner and its own keys. */
export async function runReplayScreen(options: Options, alertConfig: AlertConfig): Promise<number> {
  const recording = await readRecording(options.replayFile ?? '');
  if (typeof recording === 'number') return recording;
  if (recording.records.length === 0) {
    process.stderr.write(`nettriage: --replay ${options.replayFile}: no sample to play\n`);
    return 2;
  }
  const { show } = await loadScreen(options);
  const player = new ReplayPlayer(recording, alertConfig);
  const target = parseTarget(recording.header.target) ?? { kind: 'host' as const };
  const drill = createReplayDrill(player);
  const dashboard = show(
    (quit, screen) => ({
      store: player.store,
      alerts: player.alerts,
      config: alertConfig,
      drill,
      replay: { controls: player, status: () => player.status() },
      home: target,
      interval: player,
      target,
      host: { host: recording.header.host, kernel: recording.header.kernel },
      onQuit: () => quit(0),
      screen,
    }),
    { beforeRestore: () => player.stop() },
  );
  // A step back makes a new store: the dashboard follows it. Pause and speed change the banner.
  player.subscribe(() => dashboard.rerender());
  player.start();
  return dashboard.done;
}

/** A recording read whole, its problems said on stderr; 2 when it cannot be played. */
async function readRecording(file: string): Promise<Recording | number> {
  let recording: Recording;
  try {
    recording = parseRecording(await readFile(file, 'utf8'));
  } catch (error) {
    const message = error instanceof RecordingError ? error.message : `cannot read it: ${(error as Error).message}`;
    process.stderr.write(`nettriage: --replay ${file}: ${message}\n`);
    return 2;
  }
  for (const problem of recording.problems) process.stderr.write(`nettriage: --replay ${file}: ${problem}\n`);
  return recording;
}
