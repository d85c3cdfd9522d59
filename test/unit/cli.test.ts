import { describe, expect, it } from 'vitest';
import { lightBackground, useLightPalette } from '../../src/theme.js';
import { parseCli, parseDurationMs } from '../../src/cli.js';
import { footerHints, resolveAction } from '../../src/keymap.js';
import { stepInterval } from '../../src/viewState.js';

describe('command line', () => {
  it('parses durations in seconds or with units', () => {
    expect(parseDurationMs('1')).toBe(1000);
    expect(parseDurationMs('0.5')).toBe(500);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('2s')).toBe(2000);
    expect(parseDurationMs('fast')).toBeUndefined();
  });

  it('builds run options', () => {
    const r = parseCli(['--interval', '2s', '--netns', 'blue', '--json', '--count', '3', '--proc-root', '/tmp/tree/proc/']);
    expect(r).toMatchObject({
      kind: 'run',
      options: { intervalMs: 2000, target: { kind: 'netns', name: 'blue' }, json: true, count: 3, roots: { procRoot: '/tmp/tree/proc' } },
    });
    expect(parseCli(['--pid', '4213'])).toMatchObject({ options: { target: { kind: 'pid', pid: 4213 } } });
  });

  it('refuses bad input with a message', () => {
    for (const argv of [['--interval', '0'], ['--pid', 'x'], ['--netns', '../etc'], ['--count', '3'], ['--bogus'], ['--netns', 'a', '--pid', '1']]) {
      const r = parseCli(argv);
      expect(r.kind, argv.join(' ')).toBe('error');
    }
  });

  it('answers --help and --version', () => {
    expect(parseCli(['--help'])).toMatchObject({ kind: 'help', text: expect.stringContaining('--json') });
    expect(parseCli(['-V'])).toEqual({ kind: 'version' });
  });
});

describe('keymap', () => {
  const none = {
    upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
    return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false,
    hyper: false, capsLock: false, numLock: false,
  };
  it('maps keys to actions in one place', () => {
    expect(resolveAction('j', none)).toBe('down');
    expect(resolveAction('', { ...none, downArrow: true })).toBe('down');
    expect(resolveAction('c', { ...none, ctrl: true })).toBe('quit');
    expect(resolveAction(' ', none)).toBe('pause');
    expect(resolveAction('x', none)).toBeUndefined();
  });

  it("gives a replay's keys before the dashboard's, on the dashboard only", () => {
    expect(resolveAction('G', none, 'dashboard', true)).toBe('replayEnd');
    expect(resolveAction('G', none, 'dashboard')).toBe('end');
    expect(resolveAction(' ', none, 'dashboard', true)).toBe('replayPause');
    expect(resolveAction('', { ...none, leftArrow: true }, 'dashboard', true)).toBe('replayBack');
    // In a drill-down of a replay, ← still goes back.
    expect(resolveAction('', { ...none, leftArrow: true }, 'drill', true)).toBe('back');
    // Keys a replay does not take stay the dashboard's.
    expect(resolveAction('z', none, 'dashboard', true)).toBe('zoom');
    const hints = footerHints('dashboard', { canEnter: true }, true);
    expect(hints.slice(0, 4)).toEqual(['Space play/pause', '←→ step', '[ ] speed', 'g G start/end']);
    expect(hints).not.toContain('p pause');
    expect(hints).not.toContain('n namespaces');
  });

  it('steps the interval', () => {
    expect(stepInterval(1000, 'slower')).toBe(2000);
    expect(stepInterval(1000, 'faster')).toBe(500);
    expect(stepInterval(200, 'faster')).toBe(200);
    expect(stepInterval(1500, 'faster')).toBe(1000);
  });
});

describe('light background', () => {
  it('is asked for with --light or told by COLORFGBG, and darkens the colours that wash out on white', async () => {
    expect(lightBackground(true, undefined)).toBe(true);
    expect(lightBackground(false, '0;15')).toBe(true);
    expect(lightBackground(false, '0;default;7')).toBe(true);
    expect(lightBackground(false, '15;0')).toBe(false);
    expect(lightBackground(false, undefined)).toBe(false);
    const { Chalk } = await import('chalk');
    const chalk = new Chalk({ level: 2 });
    useLightPalette(chalk);
    expect(chalk.yellow('w')).toBe('\x1b[38;5;130mw\x1b[39m');
    expect(chalk.cyan.bold('c')).toContain('\x1b[38;5;25m');
    expect(chalk.red('r')).toBe('\x1b[31mr\x1b[39m');
  });
});

describe('--all-netns', () => {
  it('feeds the --json record and --headless metrics; on screen, n is the overview', () => {
    const json = parseCli(['--json', '--all-netns']);
    expect(json.kind === 'run' && json.options.allNetns).toBe(true);
    const headless = parseCli(['--headless', '--all-netns', '--metrics', '9464']);
    expect(headless.kind === 'run' && headless.options).toMatchObject({ allNetns: true, headless: true, metrics: { host: '127.0.0.1', port: 9464 } });
    expect(parseCli(['--all-netns'])).toEqual({ kind: 'error', message: expect.stringContaining('n shows every namespace') });
  });

  it('bounds the namespaces with series by --netns-series, only where there are series', () => {
    const raised = parseCli(['--headless', '--all-netns', '--netns-series', '200', '--metrics', '9464']);
    expect(raised.kind === 'run' && raised.options.netnsSeries).toBe(200);
    for (const bad of ['0', '1e3', '5001', 'all']) expect(parseCli(['--headless', '--all-netns', '--netns-series', bad, '--metrics', '9464'])).toEqual({ kind: 'error', message: expect.stringContaining('--netns-series: expected') });
    expect(parseCli(['--json', '--all-netns', '--netns-series', '5'])).toEqual({ kind: 'error', message: expect.stringContaining('with --all-netns and --metrics') });
  });
});

describe('--metrics, --headless, --record, --replay', () => {
  const optionsOf = (argv: string[]) => {
    const r = parseCli(argv);
    return r.kind === 'run' ? r.options : r;
  };
  it('binds a bare port to loopback, and every address only when written out', () => {
    expect(optionsOf(['--metrics', '9464'])).toMatchObject({ metrics: { host: '127.0.0.1', port: 9464 } });
    expect(optionsOf(['--metrics', ':9464'])).toMatchObject({ metrics: { host: '127.0.0.1', port: 9464 } });
    expect(optionsOf(['--metrics', '0.0.0.0:9464'])).toMatchObject({ metrics: { host: '0.0.0.0', port: 9464 } });
    expect(optionsOf(['--metrics', '[::1]:9464'])).toMatchObject({ metrics: { host: '::1', port: 9464 } });
    for (const bad of ['', 'x', '70000', 'host:', '1.2.3.4:0']) expect(optionsOf(['--metrics', bad]), bad).toMatchObject({ kind: 'error' });
  });
  it('refuses combinations that make no sense, saying why', () => {
    expect(optionsOf(['--headless'])).toMatchObject({ kind: 'error', message: expect.stringContaining('give --metrics ADDR or --record FILE') });
    expect(optionsOf(['--headless', '--json', '--metrics', '1'])).toMatchObject({ kind: 'error' });
    expect(optionsOf(['--record-max', '10M'])).toMatchObject({ kind: 'error', message: expect.stringContaining('only makes sense with --record') });
    expect(optionsOf(['--record', 'f', '--record-max', '1k'])).toMatchObject({ kind: 'error', message: expect.stringContaining('at least 64k') });
    expect(optionsOf(['--replay', 'f', '--record', 'g'])).toMatchObject({ kind: 'error' });
    expect(optionsOf(['--replay', 'f', '--metrics', '1'])).toMatchObject({ kind: 'error' });
    expect(optionsOf(['--replay', 'f'])).toMatchObject({ replayFile: 'f', json: false });
  });
});
