import type { ChalkInstance } from 'chalk';

/**
 * On a light background the terminal's own yellow, cyan and green are
 * unreadable: xterm's yellow on white has a contrast of 1.7:1, cyan 2.0:1,
 * green 2.2:1 (WCAG asks 4.5:1). The 256-colour cube is the same RGB on
 * every terminal, so the light palette takes darker shades from it: 130
 * (#af5f00, 4.7:1), 25 (#005faf, 6.4:1), 28 (#008700, 4.7:1) and, for gray,
 * 241 (#626262, 6.1:1). Red (5.8:1) and the dim attribute (which darkens
 * black text to about 3.9:1, used only for secondary lines) stay.
 */
const LIGHT: Record<string, number> = { yellow: 130, cyan: 25, green: 28, gray: 241, grey: 241, blackBright: 241 };

/**
 * Every colour name Ink or nettriage asks the chalk instance for reads the
 * light palette from now on. Chained styles must name the colour first
 * (`chalk.cyan.bold`): a colour reached through another style comes from
 * chalk's own builders, which cannot be changed.
 */
export function useLightPalette(chalk: ChalkInstance): void {
  for (const [name, code] of Object.entries(LIGHT)) {
    Object.defineProperty(chalk, name, { configurable: true, get: () => chalk.ansi256(code) });
  }
}

/**
 * Whether the background is light: `--light`, or COLORFGBG (set by rxvt,
 * Konsole and iTerm2 as "fg;bg") naming white or light gray as the background.
 */
export function lightBackground(flag: boolean, colorFgBg = process.env.COLORFGBG): boolean {
  if (flag) return true;
  const bg = Number(colorFgBg?.split(';').at(-1));
  return bg === 7 || bg === 15;
}
