import { describe, expect, it } from 'vitest';
import { mcnemarExact } from '../stats/mcnemar.js';
import type { MetricDelta } from './metrics.js';
import { decideVerdict, formatP, intervalVerdict, MIN_ALIGNED, passRateVerdict } from './verdict.js';

function test(n: number, regressions: number, improvements: number) {
  return { n, regressions, improvements, pValue: mcnemarExact(regressions, improvements).pValue };
}

function metric(overrides: Partial<MetricDelta>): MetricDelta {
  return { name: 'score', n: 20, a: 0.8, b: 0.6, delta: -0.2, low: -0.3, high: -0.1, ...overrides };
}

describe('passRateVerdict', () => {
  it('is not comparable without aligned items', () => {
    expect(passRateVerdict(test(0, 0, 0))).toEqual({ verdict: 'not comparable', reason: 'no aligned items' });
  });

  it('is not comparable below the n at which p < 0.05 becomes possible, and says so', () => {
    // Five regressions out of five: the smallest possible p is still above 0.05.
    expect(mcnemarExact(5, 0).pValue).toBeGreaterThan(0.05);
    expect(mcnemarExact(6, 0).pValue).toBeLessThan(0.05);
    const small = passRateVerdict(test(MIN_ALIGNED - 1, 5, 0));
    expect(small.verdict).toBe('not comparable');
    expect(small.reason).toMatch(/n too small: 5 aligned items; a verdict needs at least 6/);
  });

  it('is worse when the exact test is significant and regressions dominate', () => {
    const result = passRateVerdict(test(20, 8, 0));
    expect(result.verdict).toBe('worse');
    expect(result.reason).toBe(
      'McNemar p = 0.00781 < 0.05 (8 regressions, 0 improvements of 20 aligned items)',
    );
  });

  it('is better when improvements dominate', () => {
    expect(passRateVerdict(test(30, 1, 9)).verdict).toBe('better');
  });

  it('is no significant difference at p ≥ 0.05, however large the raw change', () => {
    const result = passRateVerdict(test(40, 4, 0));
    expect(result.verdict).toBe('no significant difference');
    expect(result.reason).toContain('≥ 0.05');
  });
});

describe('intervalVerdict', () => {
  it('is worse or better when the interval excludes 0', () => {
    expect(intervalVerdict(metric({})).verdict).toBe('worse');
    expect(intervalVerdict(metric({ delta: 0.2, low: 0.1, high: 0.3 })).verdict).toBe('better');
    expect(intervalVerdict(metric({})).reason).toBe('score Δ -0.20, 95% CI [-0.30, -0.10] excludes 0');
  });

  it('is no significant difference when the interval includes 0', () => {
    const result = intervalVerdict(metric({ delta: -0.05, low: -0.2, high: 0.1 }));
    expect(result.verdict).toBe('no significant difference');
    expect(result.reason).toContain('includes 0');
  });

  it('is not comparable when too few items have the metric', () => {
    const result = intervalVerdict(metric({ name: 'accuracy', n: 0, a: null, b: null, delta: null }));
    expect(result).toEqual({
      verdict: 'not comparable',
      reason: 'no aligned items with a accuracy value on both sides',
    });
  });
});

describe('decideVerdict', () => {
  it('uses McNemar for the pass rate and the interval for other metrics', () => {
    const flips = test(20, 8, 0);
    expect(decideVerdict(metric({ name: 'pass_rate', low: -0.1, high: 0.1 }), flips).verdict).toBe('worse');
    expect(decideVerdict(metric({ low: -0.1, high: 0.1 }), flips).verdict).toBe('no significant difference');
  });
});

describe('formatP', () => {
  it('keeps three significant digits and never shows a significant p as 0.05', () => {
    expect(formatP(1)).toBe('1');
    expect(formatP(0.0078125)).toBe('0.00781');
    expect(formatP(0.0004)).toBe('< 0.001');
    expect(formatP(0.049999)).toBe('< 0.05');
    expect(formatP(Number.NaN)).toBe('–');
  });
});
