import type { CliResult } from '../cli.js';
import { NO_SERIES, commandsFor, fleetModel, trendOf } from './model.js';
import { FleetSourceError, askFleet } from './prometheus.js';

type FleetCli = Extract<CliResult, { kind: 'fleet' }>;

/** `--json`: one answer, on stdout; 1 when Prometheus cannot be asked. */
async function printOnce(cli: FleetCli): Promise<number> {
  try {
    const model = fleetModel(await askFleet(cli.prometheus), Date.now() / 1000);
    const out = {
      time: new Date().toISOString(),
      prometheus: cli.prometheus.href,
      endpoints: model.endpoints,
      nodes: model.nodes,
      ...(model.endpoints === 0 ? { problem: NO_SERIES } : {}),
      rows: model.rows.map((r) => ({ ...r, trend: trendOf(r), commands: commandsFor(r) })),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof FleetSourceError)) throw error;
    process.stderr.write(`nettriage: fleet: ${error.message}\n`);
    return 1;
  }
}

/** `nettriage fleet --prometheus URL`: the list on screen, or once with --json. */
export async function runFleet(cli: FleetCli): Promise<number> {
  if (cli.json) return printOnce(cli);
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('nettriage: fleet: needs a terminal; for a script, add --json\n');
    return 2;
  }
  delete process.env.CI;
  const [{ render }, React, { FleetApp }, { enterFullScreen, SIGNAL_EXIT_CODES }, { default: chalk }] = await Promise.all([import('ink'), import('react'), import('./app.js'), import('../terminal.js'), import('chalk')]);
  if (!cli.color) chalk.level = 0;
  return new Promise<number>((resolve) => {
    let finished = false;
    const quit = (code: number) => {
      if (finished) return;
      finished = true;
      instance.unmount();
      session.restore();
      resolve(code);
    };
    const session = enterFullScreen(process.stdout.fd, (signal) => quit(SIGNAL_EXIT_CODES[signal] ?? 1));
    const instance = render(React.createElement(FleetApp, { url: cli.prometheus.href, ask: () => askFleet(cli.prometheus), intervalMs: cli.intervalMs, quit: () => quit(0) }), { exitOnCtrlC: false, patchConsole: false });
  });
}
