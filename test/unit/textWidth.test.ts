import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import textWidth from '../../src/textWidth.js';

const NARROW_RANGES: [number, number][] = [
  [0x20, 0x7e],
  [0xb0, 0xb7],
  [0xd7, 0xd7],
  [0x391, 0x3a9],
  [0x3b1, 0x3c9],
  [0x2010, 0x2027],
  [0x2030, 0x203a],
  [0x2190, 0x2193],
  [0x21b3, 0x21b3],
  [0x221e, 0x221e],
  [0x2500, 0x259f],
  [0x25b2, 0x25b2],
  [0x25cf, 0x25cf],
  [0x2713, 0x2713],
  [0x2715, 0x2715],
];

describe('the width of text on the screen', () => {
  it('agrees with string-width on every character it answers alone', () => {
    let checked = 0;
    for (const [from, to] of NARROW_RANGES) {
      for (let cp = from; cp <= to; cp++) {
        const char = String.fromCodePoint(cp);
        expect(textWidth(char), `U+${cp.toString(16)}`).toBe(stringWidth(char));
        expect(textWidth(char)).toBe(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('agrees with string-width on mixed text: colours, emoji, wide and combining characters, other escapes', () => {
    const pieces = ['a', ' ', '─', '▇', '…', '·', 'Δ', '✓', '⚠', '▶', '😀', '👩‍💻', '中', 'ｱ', 'é', 'e\u0301', '\u200b', '\u00ad', '\t', '\x1b[31m', '\x1b[0m', '\x1b[1;38;5;208m', '\x1b]8;;x\x07', '\x1b[2K', '\u0007'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 20 }), (parts) => {
        const text = parts.join('');
        expect(textWidth(text)).toBe(stringWidth(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves options to string-width', () => {
    expect(textWidth('·', { ambiguousIsNarrow: false })).toBe(stringWidth('·', { ambiguousIsNarrow: false }));
    expect(textWidth('·', { ambiguousIsNarrow: false })).toBe(2);
  });
});
