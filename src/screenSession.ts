import { Writable } from 'node:stream';
import type { ReactElement } from 'react';
import type { AppProps } from './app.js';
import type { Options } from './cli.js';
import type { Screen } from './screen/screen.js';
import { useLightPalette } from './theme.js';

/**
 * Yoga (Ink's layout engine) instantiates its WebAssembly, inlined as a
 * data: URL, through `fetch` when there is one: that loads Node's whole HTTP
 * client to decode a string (~20 ms of the first frame). Without it, Yoga
 * decodes the bytes itself.
 */
async function withoutFetch<T>(load: () => Promise<T>): Promise<T> {
  const fetchProperty = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (!fetchProperty?.configurable) return load();
  Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return await load();
  } finally {
    Object.defineProperty(globalThis, 'fetch', fetchProperty);
  }
}

/**
 * The full-screen dashboard's machinery, loaded only when there is a
 * terminal: Ink and React run the components and read the keys, our Screen
 * writes to the terminal, and every exit path gives the terminal back.
 */
export async function loadScreen(options: Pick<Options, 'color' | 'light'>) {
  // Ink renders nothing but the last frame when it believes it runs in CI
  // (is-in-ci reads CI / CONTINUOUS_INTEGRATION once, at import). We only get
  // here with a terminal on both ends, so such a variable leaked from the
  // environment must not change how keys and frames are handled.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const [{ render }, React, { App }, { enterFullScreen, SIGNAL_EXIT_CODES, captureConsole }, { Screen: ScreenClass }, { loadPanelViews }, { PANELS }, { default: chalk }] = await Promise.all([
    withoutFetch(() => import('ink')),
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

  /**
   * Takes the terminal and shows the App with the props `props` gives (called
   * again on `rerender`). `quit(code)` leaves: `beforeRestore` runs while the
   * screen is still ours, then the terminal is restored, then `afterRestore`
   * (which may wait) before the returned promise resolves with the code.
   */
  function show(
    props: (quit: (code: number) => void, screen: Screen) => AppProps,
    hooks: { beforeRestore?: () => void; afterRestore?: () => Promise<void> | void } = {},
  ): { rerender(): void; quit(code: number): void; done: Promise<number> } {
    const stdout = process.stdout;
    const sizeOf = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    let resolveDone: (code: number) => void = () => undefined;
    const done = new Promise<number>((r) => {
      resolveDone = r;
    });
    let finished = false;
    const quit = (code: number) => {
      if (finished) return;
      finished = true;
      instance.unmount();
      hooks.beforeRestore?.();
      session.restore();
      const logged = releaseConsole();
      if (logged.length > 0) process.stderr.write(`${logged.join('\n')}\n`);
      void Promise.resolve(hooks.afterRestore?.()).then(() => resolveDone(code));
    };
    const session = enterFullScreen(stdout.fd, (signal) => quit(SIGNAL_EXIT_CODES[signal] ?? 1));
    // Anything printed while the screen is ours would tear it: kept, and shown after we leave it.
    const releaseConsole = captureConsole();
    const screen = new ScreenClass((text) => stdout.write(text), sizeOf());
    stdout.on('resize', () => screen.resize(sizeOf()));
    const element = (): ReactElement => React.createElement(App, props(quit, screen));
    // Ink runs the components and reads the keys; the screen, not Ink, writes to the terminal.
    const inkOut = Object.assign(new Writable({ write: (_chunk, _encoding, cb) => cb() }), sizeOf());
    const instance = render(element(), { stdout: inkOut as unknown as NodeJS.WriteStream, stdin: process.stdin, exitOnCtrlC: false, patchConsole: false });
    return { rerender: () => instance.rerender(element()), quit, done };
  }
  return { show };
}
