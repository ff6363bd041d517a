import { describe, expect, it } from 'vitest';
import { mean, meanInterval, normalQuantile, sampleVariance, standardError, tQuantile } from './describe.js';

// Wikipedia, "Standard deviation", worked example: population sd 2 (sum of squared deviations 32),
// so the sample variance is 32/7, the sample sd √(32/7) = 2.13809 and the se √(32/7/8) = 0.755929.
const TEXTBOOK = [2, 4, 4, 4, 5, 5, 7, 9];

describe('mean, sampleVariance, standardError', () => {
  it('match the textbook example', () => {
    expect(mean(TEXTBOOK)).toBe(5);
    expect(sampleVariance(TEXTBOOK)).toBeCloseTo(32 / 7, 12);
    expect(Math.sqrt(sampleVariance(TEXTBOOK))).toBeCloseTo(2.13809, 5);
    expect(standardError(TEXTBOOK)).toBeCloseTo(0.755929, 6);
  });

  it('keep their digits when the values share a large offset', () => {
    // Wikipedia, "Algorithms for calculating variance": 1e9 + {4, 7, 13, 16} has sample variance 30,
    // which the naive sum-of-squares formula gets badly wrong.
    expect(sampleVariance([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16])).toBeCloseTo(30, 6);
  });

  it('return NaN where they are undefined', () => {
    expect(mean([])).toBeNaN();
    expect(sampleVariance([3])).toBeNaN();
    expect(standardError([3])).toBeNaN();
    expect(standardError([])).toBeNaN();
  });

  it('give zero spread for identical values', () => {
    expect(sampleVariance([0.1, 0.1, 0.1])).toBe(0);
    expect(standardError([1, 1])).toBe(0);
  });
});

describe('normalQuantile', () => {
  it('matches the standard normal table', () => {
    // Φ⁻¹ to 16 digits, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.1 (1.96, 2.576) and R's qnorm().
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489, 12);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 13);
    expect(normalQuantile(0.5)).toBe(0);
    // Φ(1) = 0.8413447460685429, so the quantile is 1.
    expect(normalQuantile(0.8413447460685429)).toBeCloseTo(1, 13);
  });

  it('is antisymmetric and accurate far in the tails', () => {
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 13);
    // qnorm(1e-10) = -6.361340902404056 and qnorm(1e-300) = -37.0471 (R / scipy.stats.norm.ppf).
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 11);
    expect(normalQuantile(1e-300)).toBeCloseTo(-37.0471, 3);
  });

  it('returns ±Infinity at 0 and 1 and rejects anything outside', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(/`p`.*`NaN`/);
  });
});

describe('tQuantile', () => {
  it('matches the two-sided 95% column of the t table', () => {
    // Student t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2), upper 0.025 critical values.
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062, 4);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.3027, 4);
    expect(tQuantile(0.975, 7)).toBeCloseTo(2.3646, 4);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.2281, 4);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.0423, 4);
    expect(tQuantile(0.975, 100)).toBeCloseTo(1.984, 3);
  });

  it('matches other columns of the table', () => {
    expect(tQuantile(0.995, 1)).toBeCloseTo(63.657, 3);
    expect(tQuantile(0.99, 5)).toBeCloseTo(3.3649, 4);
    expect(tQuantile(0.95, 3)).toBeCloseTo(2.3534, 4);
    expect(tQuantile(0.9, 20)).toBeCloseTo(1.3253, 4);
  });

  it('agrees with a reference implementation to many digits', () => {
    // scipy.stats.t.ppf (and R's qt), confirmed by solving mpmath.betainc(...) = p at 40 digits:
    // t.ppf(0.975, 10) = 2.2281388519862747, t.ppf(1e-8, 4) = -131.59473694062355,
    // t.ppf(0.975, 2.5) = 3.5746548420036832 for a df that is not whole.
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228138851986275, 11);
    expect(tQuantile(1e-8, 4)).toBeCloseTo(-131.5947369406236, 8);
    expect(tQuantile(0.975, 2.5)).toBeCloseTo(3.574654842003683, 10);
  });

  it('is antisymmetric and approaches the normal quantile as df grows', () => {
    expect(tQuantile(0.025, 7)).toBeCloseTo(-tQuantile(0.975, 7), 12);
    expect(tQuantile(0.3, 2.5)).toBeCloseTo(-tQuantile(0.7, 2.5), 12);
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(normalQuantile(0.975), 5);
    expect(tQuantile(0.975, Number.POSITIVE_INFINITY)).toBe(normalQuantile(0.975));
    // Larger df, thinner tails: the quantiles fall steadily towards 1.96.
    const quantiles = [3, 5, 50, 5000, 50_000].map((df) => tQuantile(0.975, df));
    for (let index = 1; index < quantiles.length; index++) {
      expect(quantiles[index]).toBeLessThan(quantiles[index - 1]!);
    }
  });

  it('handles the edges and rejects bad degrees of freedom', () => {
    expect(tQuantile(0.5, 4)).toBe(0);
    expect(tQuantile(0, 4)).toBe(Number.NEGATIVE_INFINITY);
    expect(tQuantile(1, 4)).toBe(Number.POSITIVE_INFINITY);
    expect(() => tQuantile(0.975, 0)).toThrow(/`df`.*`0`/);
    expect(() => tQuantile(0.975, Number.NaN)).toThrow(RangeError);
    expect(() => tQuantile(-0.1, 3)).toThrow(RangeError);
  });
});

describe('meanInterval', () => {
  it('is mean ± t(0.975, n - 1) · se', () => {
    // 5 ± 2.3646 × 0.755929 = 5 ± 1.78749 (t table, df 7; se from the textbook example above).
    const interval = meanInterval(TEXTBOOK);
    expect(interval.mean).toBe(5);
    expect(interval.n).toBe(8);
    expect(interval.se).toBeCloseTo(0.755929, 6);
    expect(interval.low).toBeCloseTo(3.21251, 5);
    expect(interval.high).toBeCloseTo(6.78749, 5);
  });

  it('widens with the confidence level', () => {
    const narrow = meanInterval(TEXTBOOK, 0.8);
    const wide = meanInterval(TEXTBOOK, 0.99);
    expect(wide.high - wide.low).toBeGreaterThan(narrow.high - narrow.low);
  });

  it('has no bounds with fewer than two values, and no width with no spread', () => {
    expect(meanInterval([0.7])).toEqual({
      mean: 0.7,
      low: Number.NaN,
      high: Number.NaN,
      se: Number.NaN,
      n: 1,
    });
    const empty = meanInterval([]);
    expect(empty.n).toBe(0);
    expect(empty.mean).toBeNaN();
    expect(meanInterval([1, 1, 1])).toEqual({ mean: 1, low: 1, high: 1, se: 0, n: 3 });
  });

  it('rejects a confidence level outside (0, 1)', () => {
    expect(() => meanInterval(TEXTBOOK, 1)).toThrow(RangeError);
    expect(() => meanInterval(TEXTBOOK, 95)).toThrow(/`confidence`.*`95`/);
  });
});
