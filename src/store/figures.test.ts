import { describe, expect, it } from 'vitest';
import { aggregate } from './figures.js';

describe('aggregate', () => {
  it('gives the same figure for sums that differ only in their last bits', () => {
    // PostgreSQL's and SQLite's sums of the same costs, as measured.
    expect(aggregate(0.0013499999999999981)).toBe(0.00135);
    expect(aggregate(0.00135)).toBe(0.00135);
    expect(aggregate(24.96300000000043)).toBe(aggregate(24.963));
    expect(aggregate(0.8333333333333334)).toBe(0.833333333333);
  });

  it('reads the strings and bigints drivers return, and keeps small and whole numbers', () => {
    expect(aggregate('12')).toBe(12);
    expect(aggregate(7n)).toBe(7);
    expect(aggregate(0.000_000_123_456_789_012_3)).toBe(1.23456789012e-7);
    expect(aggregate(0)).toBe(0);
  });
});
