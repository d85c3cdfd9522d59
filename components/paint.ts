import chalk from 'chalk';

/**
 * Text in a colour, as Ink would colour it (the same chalk, the same colour
 * level: none without a colour terminal), for lines the screen draws itself.
 */
export function paint(text: string, color?: string, dim = false): string {
  let out = text;
  if (color && color in chalk) out = (chalk[color as 'cyan'] as (t: string) => string)(out);
  return dim ? chalk.dim(out) : out;
}
