import { describe, expect, it } from 'vitest';
import { createRng, sampleIndices } from './random.js';

function draws(seed: number | string, count: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => rng());
}

describe('createRng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    expect(draws(7, 50)).toEqual(draws(7, 50));
    expect(draws('run-a', 50)).toEqual(draws('run-a', 50));
    expect(draws(7, 50)).not.toEqual(draws(8, 50));
    expect(draws('run-a', 50)).not.toEqual(draws('run-b', 50));
  });

  it('treats a number and its text as the same seed', () => {
    expect(draws(42, 20)).toEqual(draws('42', 20));
  });

  it('stays in [0, 1) and looks uniform', () => {
    const values = draws(1, 100_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    // Uniform: mean 1/2 and variance 1/12; with 100,000 draws the standard error of the mean is
    // about 0.0009, so these bounds are more than five standard errors wide.
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    const deciles = new Array<number>(10).fill(0);
    for (const value of values) deciles[Math.floor(value * 10)]! += 1;
    for (const count of deciles) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('rejects a seed that is not a finite number or a string', () => {
    expect(() => createRng(Number.NaN)).toThrow(RangeError);
    expect(() => createRng(Number.POSITIVE_INFINITY)).toThrow(/`seed`.*`Infinity`/);
  });
});

describe('sampleIndices', () => {
  it('returns k distinct ascending indices below n, reproducibly', () => {
    const sample = sampleIndices(1000, 50, createRng(3));
    expect(sample).toHaveLength(50);
    expect(new Set(sample).size).toBe(50);
    expect(sample).toEqual([...sample].sort((left, right) => left - right));
    for (const index of sample) {
      expect(Number.isInteger(index)).toBe(true);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(1000);
    }
    expect(sampleIndices(1000, 50, createRng(3))).toEqual(sample);
    expect(sampleIndices(1000, 50, createRng(4))).not.toEqual(sample);
  });

  it('handles the edges: nothing, everything, an empty population', () => {
    expect(sampleIndices(10, 0, createRng(1))).toEqual([]);
    expect(sampleIndices(5, 5, createRng(1))).toEqual([0, 1, 2, 3, 4]);
    expect(sampleIndices(0, 0, createRng(1))).toEqual([]);
  });

  it('gives every index the same chance', () => {
    // 4,000 samples of 3 out of 10: each index is expected 1,200 times (sd about 29).
    const counts = new Array<number>(10).fill(0);
    const rng = createRng('uniformity');
    for (let round = 0; round < 4000; round++) {
      for (const index of sampleIndices(10, 3, rng)) counts[index]! += 1;
    }
    for (const count of counts) expect(Math.abs(count - 1200)).toBeLessThan(150);
  });

  it('rejects impossible requests', () => {
    const rng = createRng(1);
    expect(() => sampleIndices(3, 4, rng)).toThrow(RangeError);
    expect(() => sampleIndices(10, -1, rng)).toThrow(RangeError);
    expect(() => sampleIndices(10, 2.5, rng)).toThrow(/`k`.*`2.5`/);
    expect(() => sampleIndices(-1, 0, rng)).toThrow(RangeError);
  });
});
