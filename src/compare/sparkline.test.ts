import { describe, expect, it } from 'vitest';
import { sparkline } from './sparkline.js';

describe('sparkline', () => {
  it('scales from the smallest to the largest value', () => {
    expect(sparkline([0.5, 0.6, 0.7, 0.8, 0.9, 1])).toBe('▁▂▄▅▇█');
    expect(sparkline([0, 1])).toBe('▁█');
  });

  it('keeps small moves visible (90% → 100% is not two full blocks)', () => {
    expect(sparkline([0.9, 1, 0.9])).toBe('▁█▁');
  });

  it('shows a flat series where it sits in 0..1', () => {
    expect(sparkline([1, 1, 1])).toBe('███');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([0.5])).toBe('▅');
  });

  it('leaves a space for a missing value', () => {
    expect(sparkline([0, null, 1, Number.NaN])).toBe('▁ █ ');
    expect(sparkline([null, null])).toBe('  ');
    expect(sparkline([])).toBe('');
  });

  it('draws a series of any length (no spread into Math.min)', () => {
    const values = Array.from({ length: 200_000 }, (_, index) => (index % 2 === 0 ? 0 : 1));
    expect(sparkline(values).slice(0, 4)).toBe('▁█▁█');
  });
});
