import { type AlertConfig, ConfigError, defaultAlertConfig, loadAlertConfig } from './alerts/config.js';
import { parseCli } from './cli.js';
import { runBundle } from './modes/bundle.js';
import { runJson, runScreen } from './modes/live.js';
import { closeConnectTracer } from '../collectors/connects.js';
import { closeDropReasons } from '../collectors/dropReasons.js';
import { runReplayJson, runReplayScreen } from './modes/replay.js';
import { packageVersion } from './version.js';

/** The thresholds of --config (or the defaults); 2, said on stderr, when the file is wrong. */
async function alertConfigOf(file: string | undefined): Promise<AlertConfig | 2> {
  if (file === undefined) return defaultAlertConfig();
  try {
    return await loadAlertConfig(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`nettriage: config ${error.message}\n`);
    return 2;
  }
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
    case 'rules': {
      const config = await alertConfigOf(cli.configFile);
      if (config === 2) return 2;
      const { prometheusRules } = await import('./prometheus/rules.js');
      process.stdout.write(prometheusRules(config, packageVersion()));
      return 0;
    }
    case 'mixin': {
      const config = await alertConfigOf(cli.configFile);
      if (config === 2) return 2;
      const { mixinFiles, writeMixin } = await import('./mixin/mixin.js');
      try {
        const written = writeMixin(cli.dir, mixinFiles(config, packageVersion(), cli.runbookBase !== undefined ? { runbookBase: cli.runbookBase } : {}));
        process.stdout.write(`nettriage: wrote ${written.length} files in ${cli.dir}: ${written.filter((f) => !f.startsWith('runbooks/')).join(', ')}, runbooks/ (${written.filter((f) => f.startsWith('runbooks/')).length})\n`);
        return 0;
      } catch (error) {
        process.stderr.write(`nettriage: mixin: ${(error as Error).message}\n`);
        return 1;
      }
    }
    case 'fleet':
      return (await import('./fleetView/run.js')).runFleet(cli);
    case 'bundle':
      return runBundle(cli);
    case 'convert':
      return (await import('./convert.js')).runConvert(cli.what, cli.file);
    case 'error':
      process.stderr.write(`nettriage: ${cli.message}\nTry 'nettriage --help'.\n`);
      return 2;
    case 'run': {
      // A bad config stops everything before the screen opens.
      const alertConfig = await alertConfigOf(cli.options.configFile);
      if (alertConfig === 2) return 2;
      if (cli.options.replayFile !== undefined && cli.options.json) return runReplayJson(cli.options, alertConfig);
      // The tracefs instances go with the run (and, on any other way out, with the process).
      const closeTracers = () => Promise.all([closeDropReasons(), closeConnectTracer()]);
      if (cli.options.json || cli.options.headless) return runJson(cli.options, alertConfig).finally(closeTracers);
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        process.stderr.write('nettriage: the dashboard needs a terminal; use --json for scripts and pipes\n');
        return 2;
      }
      return cli.options.replayFile !== undefined ? runReplayScreen(cli.options, alertConfig) : runScreen(cli.options, alertConfig).finally(closeTracers);
    }
  }
}
