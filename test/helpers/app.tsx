import { render } from 'ink-testing-library';
import { App, type AppProps } from '../../src/app.js';
import { Screen, type ScreenSize } from '../../src/screen/screen.js';

/**
 * The dashboard as a test sees it: Ink runs the app (keys go to `stdin`),
 * and the screen it draws on keeps what a terminal would show, read with
 * `lastFrame()` as plain text, one line a row down to the last one drawn
 * (a frame presented and not yet written is written first).
 */
export function renderApp(props: Omit<AppProps, 'screen'>, size: ScreenSize = { columns: 100, rows: 30 }) {
  const screen = new Screen(() => undefined, size);
  const app = render(<App {...props} screen={screen} />);
  const lastFrame = () => {
    screen.flush();
    return screen.text().replace(/\n+$/, '');
  };
  return { lastFrame, stdin: app.stdin, unmount: app.unmount, screen };
}
