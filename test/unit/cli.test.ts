import { describe, expect, it } from 'vitest';
import { lightBackground, useLightPalette } from '../../src/theme.js';
import { parseCli, parseDurationMs } from '../../src/cli.js';
import { resolveAction } from '../../src/keymap.js';
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
  it('feeds the --json record, and says plainly that the screen has no overview yet', () => {
    const json = parseCli(['--json', '--all-netns']);
    expect(json.kind === 'run' && json.options.allNetns).toBe(true);
    const screen = parseCli(['--all-netns']);
    expect(screen).toEqual({ kind: 'error', message: expect.stringContaining('works with --json for now') });
  });
});
