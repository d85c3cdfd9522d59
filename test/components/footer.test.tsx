import { describe, expect, it } from 'vitest';
import { fittingHints } from '../../components/Footer.js';
import { footerHints } from '../../src/keymap.js';

describe('the footer', () => {
  it('shows every hint when they fit', () => {
    expect(fittingHints(['a one', 'b two', '? help', 'q quit'], 80)).toBe('a one  b two  ? help  q quit');
  });

  it('drops hints from the end but keeps help and the way out when they do not fit', () => {
    const hints = footerHints('dashboard', { canEnter: true });
    const at80 = fittingHints(hints, 80);
    expect(at80.length).toBeLessThanOrEqual(80);
    expect(at80).toMatch(/…  \? help  q quit$/);
    expect(at80.startsWith(hints[0] as string)).toBe(true);
    // At 200 columns nothing goes.
    expect(fittingHints(hints, 200)).toBe(hints.join('  '));
  });
});
