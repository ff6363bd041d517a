import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './wilson.js';

describe('wilsonInterval', () => {
  it('matches Newcombe (1998), Table I, method 3 (Wilson score without continuity correction)', () => {
    // Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
    // methods. Stat Med 1998;17:857-872. Intervals to four decimals.
    const cases: Array<[number, number, number, number]> = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [successes, n, low, high] of cases) {
      const interval = wilsonInterval(successes, n);
      expect(interval.estimate).toBe(successes / n);
      expect(interval.low).toBeCloseTo(low, 4);
      expect(interval.high).toBeCloseTo(high, 4);
    }
  });

  it('gives [0.4902, 0.9433] for 8 of 10', () => {
    // By the formula with z = 1.959964, z² = 3.841459: centre (0.8 + 0.192073) / 1.384146 = 0.716740,
    // half-width (1.959964 / 1.384146) · √(0.016 + 0.0096037) = 0.226578.
    const interval = wilsonInterval(8, 10);
    expect(interval.low).toBeCloseTo(0.4902, 4);
    expect(interval.high).toBeCloseTo(0.9433, 4);
  });

  it('pins the bound at 0/n and n/n and mirrors s/n onto (n - s)/n', () => {
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(10, 10).high).toBe(1);
    // 0/10: upper bound z²/n / (1 + z²/n) = 0.384146 / 1.384146 = 0.277533.
    expect(wilsonInterval(0, 10).high).toBeCloseTo(0.277533, 6);
    const two = wilsonInterval(2, 10);
    const eight = wilsonInterval(8, 10);
    expect(two.low).toBeCloseTo(1 - eight.high, 12);
    expect(two.high).toBeCloseTo(1 - eight.low, 12);
  });

  it('says nothing is known when there are no trials', () => {
    expect(wilsonInterval(0, 0)).toEqual({ estimate: 0, low: 0, high: 1 });
  });

  it('narrows with more trials and widens with more confidence', () => {
    const width = (successes: number, n: number, confidence?: number) => {
      const interval = wilsonInterval(successes, n, confidence);
      return interval.high - interval.low;
    };
    expect(width(80, 100)).toBeLessThan(width(8, 10));
    expect(width(800, 1000)).toBeLessThan(width(80, 100));
    expect(width(8, 10, 0.99)).toBeGreaterThan(width(8, 10));
  });

  it('rejects counts that are not whole, negative or above n, and bad confidence levels', () => {
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(11, 10)).toThrow(/at most `n` \(10\), got `11`/);
    expect(() => wilsonInterval(1.5, 10)).toThrow(/`successes`.*`1.5`/);
    expect(() => wilsonInterval(1, -10)).toThrow(RangeError);
    expect(() => wilsonInterval(Number.NaN, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 10, 0)).toThrow(/`confidence`/);
  });
});
