import { describe, expect, it } from 'vitest';
import { mcnemarExact } from './mcnemar.js';

describe('mcnemarExact', () => {
  it('matches binomial sums worked by hand', () => {
    // n = 10, min 1: 2 · (C(10,0) + C(10,1)) / 2^10 = 2 · 11 / 1024.
    expect(mcnemarExact(1, 9)).toEqual({ pValue: expect.closeTo(0.021484375, 15), discordant: 10 });
    // n = 10, min 3: 2 · (1 + 10 + 45 + 120) / 1024 = 352 / 1024.
    expect(mcnemarExact(3, 7).pValue).toBeCloseTo(0.34375, 14);
    // n = 5, min 0: 2 · 1 / 32.
    expect(mcnemarExact(0, 5).pValue).toBeCloseTo(0.0625, 15);
    // n = 6, min 0: 2 / 64 = 0.03125 — the smallest p-value six flips can give.
    expect(mcnemarExact(6, 0).pValue).toBeCloseTo(0.03125, 15);
  });

  it('is symmetric in regressions and improvements', () => {
    expect(mcnemarExact(9, 1)).toEqual(mcnemarExact(1, 9));
    expect(mcnemarExact(40, 61)).toEqual(mcnemarExact(61, 40));
  });

  it('gives 1 with no discordant pairs or an even split', () => {
    expect(mcnemarExact(0, 0)).toEqual({ pValue: 1, discordant: 0 });
    expect(mcnemarExact(5, 5)).toEqual({ pValue: 1, discordant: 10 });
    // n = 3, min 1: 2 · (1 + 3) / 8 = 1.
    expect(mcnemarExact(1, 2).pValue).toBe(1);
  });

  it('stays accurate with 100,000 discordant pairs', () => {
    // Exact binomial sums evaluated with mpmath at 50 significant digits:
    // 2 · Σ_{j<=49000} C(100000, j) / 2^100000 = 2.58871603834690e-10,
    // 2 · Σ_{j<=49900} C(100000, j) / 2^100000 = 0.529157294080193.
    // (The normal approximation agrees roughly: z = 2000 / √100000 = 6.32, p ≈ 2.5e-10.)
    expect(mcnemarExact(49_000, 51_000).pValue / 2.5887160383468979e-10).toBeCloseTo(1, 10);
    expect(mcnemarExact(49_900, 50_100).pValue).toBeCloseTo(0.5291572940801932, 10);
    expect(mcnemarExact(50_000, 50_000).pValue).toBe(1);
    // 2^-99999 is below the smallest double: the answer is 0, not NaN.
    expect(mcnemarExact(0, 100_000).pValue).toBe(0);
  });

  it('rejects counts that are negative or not whole', () => {
    expect(() => mcnemarExact(-1, 3)).toThrow(RangeError);
    expect(() => mcnemarExact(1, 2.5)).toThrow(/`improvements`.*`2.5`/);
    expect(() => mcnemarExact(Number.NaN, 2)).toThrow(/`regressions`/);
  });
});
