import stringWidth from 'string-width';

/**
 * Characters one cell wide wherever they stand: printable ASCII and the
 * symbols the panels draw (box lines, sparkline blocks, arrows, dashes,
 * `·`, `…`, `Δ`, `∞`, `✓`). None is an emoji, a combining mark or East Asian
 * wide, so a string of them alone is as wide as it is long.
 */
const NARROW_ONLY = /^[\x20-\x7E\xB0-\xB7\xD7\u0391-\u03A9\u03B1-\u03C9\u2010-\u2027\u2030-\u203A\u2190-\u2193\u21B3\u221E\u2500-\u259F\u25B2\u25CF\u2713\u2715]*$/;
/** Colours and weights (SGR), the only escapes the panels' own text carries. */
const SGR = /\x1b\[[0-9;]*m/g;

/**
 * The terminal width of a string, as string-width measures it. string-width
 * segments anything beyond ASCII into graphemes and tries emoji patterns on
 * each: the first frame of a dashboard of box lines and sparklines spent
 * ~70 ms there (its first call compiles the emoji pattern). The one-file
 * build gives this function to every library that asks for string-width.
 */
export default function textWidth(text: string, options?: Parameters<typeof stringWidth>[1]): number {
  if (typeof text === 'string' && options === undefined) {
    const plain = text.includes('\x1b') ? text.replace(SGR, '') : text;
    if (NARROW_ONLY.test(plain)) return plain.length;
  }
  return stringWidth(text, options);
}
