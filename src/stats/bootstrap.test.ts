import { describe, expect, it } from 'vitest';
import { bootstrapMeanInterval, pairedBootstrap } from './bootstrap.js';
import { meanInterval } from './describe.js';
import { createRng } from './random.js';

/** Paired scores where b beats a by `shift` on average, with noise that is symmetric around it. */
function shiftedPairs(n: number, shift: number, seed: string): { a: number[]; b: number[] } {
  const rng = createRng(seed);
  const a = Array.from({ length: n }, () => rng());
  // Noise ±0.3 in alternating sign cancels exactly, so the sample delta is `shift` itself.
  const b = a.map((value, index) => value + shift + (index % 2 === 0 ? 0.3 : -0.3));
  return { a, b };
}

describe('pairedBootstrap', () => {
  it('gives identical results for identical inputs and seed', () => {
    const { a, b } = shiftedPairs(200, 0.1, 'data');
    const first = pairedBootstrap(a, b, { seed: 'compare', resamples: 2000 });
    expect(pairedBootstrap(a, b, { seed: 'compare', resamples: 2000 })).toEqual(first);
    expect(pairedBootstrap(a, b, { seed: 'other', resamples: 2000 }).low).not.toBe(first.low);
  });

  it('reports the mean difference b - a and an interval around it that excludes zero', () => {
    const { a, b } = shiftedPairs(400, 0.2, 'data');
    const result = pairedBootstrap(a, b);
    expect(result.n).toBe(400);
    expect(result.resamples).toBe(10_000);
    expect(result.delta).toBeCloseTo(0.2, 12);
    expect(result.low).toBeLessThan(0.2);
    expect(result.high).toBeGreaterThan(0.2);
    expect(result.low).toBeGreaterThan(0);
    // The differences are 0.2 ± 0.3 exactly, so their sd is 0.3 and the se 0.3 / √400 = 0.015;
    // a 95% interval should be about ±1.96 · 0.015 = ±0.0294.
    expect(result.high - result.low).toBeCloseTo(2 * 1.96 * 0.015, 2);
  });

  it('gives [0, 0] when nothing changed', () => {
    const scores = [0, 1, 0.5, 1, 0.25];
    expect(pairedBootstrap(scores, scores)).toEqual({ delta: 0, low: 0, high: 0, resamples: 10_000, n: 5 });
  });

  it('narrows as the number of pairs grows', () => {
    const width = (n: number) => {
      const { a, b } = shiftedPairs(n, 0.05, `width-${n}`);
      const result = pairedBootstrap(a, b, { resamples: 2000 });
      return result.high - result.low;
    };
    const small = width(20);
    const medium = width(200);
    const large = width(2000);
    expect(medium).toBeLessThan(small);
    expect(large).toBeLessThan(medium);
    // Width falls like 1/√n: ten times the pairs, about a third of the width.
    expect(large / medium).toBeCloseTo(1 / Math.sqrt(10), 1);
  });

  it('widens with the confidence level', () => {
    const { a, b } = shiftedPairs(100, 0, 'data');
    const at80 = pairedBootstrap(a, b, { confidence: 0.8 });
    const at99 = pairedBootstrap(a, b, { confidence: 0.99 });
    expect(at99.high - at99.low).toBeGreaterThan(at80.high - at80.low);
  });

  it('returns NaN for no pairs', () => {
    const result = pairedBootstrap([], []);
    expect(result.n).toBe(0);
    expect(result.delta).toBeNaN();
    expect(result.low).toBeNaN();
    expect(result.high).toBeNaN();
  });

  it('rejects unpaired, non-finite or badly configured input', () => {
    expect(() => pairedBootstrap([1, 0], [1])).toThrow(RangeError);
    expect(() => pairedBootstrap([1, 0], [1])).toThrow(/2 in `a` and 1 in `b`/);
    expect(() => pairedBootstrap([1, Number.NaN], [1, 1])).toThrow(/`a\[1\]`/);
    expect(() => pairedBootstrap([1], [1], { resamples: 0 })).toThrow(/`resamples`.*`0`/);
    expect(() => pairedBootstrap([1], [1], { resamples: 10.5 })).toThrow(RangeError);
    expect(() => pairedBootstrap([1], [1], { confidence: 1.5 })).toThrow(/`confidence`/);
    expect(() => pairedBootstrap([1], [1], { seed: Number.NaN })).toThrow(/`seed`/);
  });
});

describe('bootstrapMeanInterval', () => {
  it('agrees with the t interval for a large sample', () => {
    // 300 passes out of 400: mean 0.75, se √(0.75 · 0.25 / 399) = 0.02168, t interval ±0.0426.
    const values = Array.from({ length: 400 }, (_, index) => (index % 4 === 0 ? 0 : 1));
    const bootstrap = bootstrapMeanInterval(values, { seed: 5 });
    const classic = meanInterval(values);
    expect(bootstrap.mean).toBe(0.75);
    expect(bootstrap.n).toBe(400);
    expect(bootstrap.low).toBeCloseTo(classic.low, 2);
    expect(bootstrap.high).toBeCloseTo(classic.high, 2);
  });

  it('is reproducible and collapses when every value is the same', () => {
    const values = [0.2, 0.9, 0.4, 0.7, 0.1];
    expect(bootstrapMeanInterval(values, { seed: 'x' })).toEqual(
      bootstrapMeanInterval(values, { seed: 'x' }),
    );
    expect(bootstrapMeanInterval([0.3, 0.3, 0.3])).toEqual({ mean: 0.3, low: 0.3, high: 0.3, n: 3 });
    expect(bootstrapMeanInterval([]).mean).toBeNaN();
  });

  it('rejects non-finite values', () => {
    expect(() => bootstrapMeanInterval([0, Number.POSITIVE_INFINITY])).toThrow(/`values\[1\]`/);
  });
});
