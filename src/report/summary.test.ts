import { describe, expect, it } from 'vitest';
import { nearestRank, RunSummarizer, summarizeRun } from './summary.js';
import { makeError, makeFailed, makeResult } from './test-helpers.js';

describe('summarizeRun', () => {
  it('counts statuses and pass rates per target, in first-seen order', () => {
    const summary = summarizeRun([
      makeResult({ targetName: 'b' }),
      makeResult({ targetName: 'a' }),
      makeFailed({ targetName: 'b' }),
      makeError('timeout', 'slow', { targetName: 'b' }),
    ]);
    expect(summary).toMatchObject({ total: 4, passed: 2, failed: 1, errors: 1, passRate: 0.5 });
    expect(summary.byTarget.map((row) => row.target)).toEqual(['b', 'a']);
    expect(summary.byTarget[0]).toMatchObject({ total: 3, passed: 1, failed: 1, errors: 1, passRate: 1 / 3 });
    expect(summary.byTarget[1]).toMatchObject({ total: 1, passed: 1, passRate: 1 });
  });

  it('returns zeros, not NaN, for no results', () => {
    const summary = summarizeRun([]);
    expect(summary).toMatchObject({ total: 0, passRate: 0, costUsd: 0, inputTokens: null, byTarget: [] });
  });

  it('computes nearest-rank percentiles over real calls only', () => {
    const results = [
      // 1..20 ms, shuffled
      ...[7, 3, 20, 1, 15, 9, 12, 18, 5, 2, 11, 14, 4, 19, 6, 8, 17, 10, 16, 13].map((latencyMs) =>
        makeResult({ latencyMs }),
      ),
      makeResult({ latencyMs: 0, cached: true, costUsd: 0 }),
      makeError('timeout', 'slow', { latencyMs: 30_000 }),
      makeFailed({ latencyMs: 21 }),
    ];
    const [row] = summarizeRun(results).byTarget;
    // 21 values 1..21: rank ceil(0.5 * 21) = 11, ceil(0.95 * 21) = 20
    expect(row?.latencyP50Ms).toBe(11);
    expect(row?.latencyP95Ms).toBe(20);
    expect(row?.cachedCount).toBe(1);
  });

  it('has no latency percentiles when every call was cached or failed', () => {
    const [row] = summarizeRun([makeResult({ cached: true }), makeError('rate_limit')]).byTarget;
    expect(row?.latencyP50Ms).toBeNull();
    expect(row?.latencyP95Ms).toBeNull();
  });

  it('averages scores over scored results, leaving errors out', () => {
    const [row] = summarizeRun([
      makeResult({ score: 1 }),
      makeFailed({ score: 0.5 }),
      makeError('transient'),
    ]).byTarget;
    expect(row?.meanScore).toBe(0.75);
    const [onlyErrors] = summarizeRun([makeError('transient')]).byTarget;
    expect(onlyErrors?.meanScore).toBeNull();
  });

  it('tells unknown token counts apart from reported zeros', () => {
    const summary = summarizeRun([
      makeResult({ targetName: 'silent', usage: {} }),
      makeResult({ targetName: 'zero', usage: { inputTokens: 0, outputTokens: 0 } }),
      makeResult({ targetName: 'mixed', usage: { inputTokens: 100 } }),
      makeResult({ targetName: 'mixed', usage: { inputTokens: 20, outputTokens: 7 } }),
    ]);
    const rows = Object.fromEntries(summary.byTarget.map((row) => [row.target, row]));
    expect(rows.silent).toMatchObject({ inputTokens: null, outputTokens: null });
    expect(rows.zero).toMatchObject({ inputTokens: 0, outputTokens: 0 });
    expect(rows.mixed).toMatchObject({ inputTokens: 120, outputTokens: 7 });
    expect(summary).toMatchObject({ inputTokens: 120, outputTokens: 7 });
  });

  it('sums known costs and counts unknown ones, ignoring errors without a cost', () => {
    const summary = summarizeRun([
      makeResult({ targetName: 'priced', costUsd: 0.25 }),
      makeResult({ targetName: 'priced', costUsd: null }),
      makeError('rate_limit', '429', { targetName: 'priced' }),
      makeResult({ targetName: 'unpriced', costUsd: null }),
      makeError('timeout', 'slow', { targetName: 'broken' }),
      makeResult({ targetName: 'cached', costUsd: 0, cached: true }),
    ]);
    const rows = Object.fromEntries(summary.byTarget.map((row) => [row.target, row]));
    expect(rows.priced).toMatchObject({ costUsd: 0.25, costUnknown: 1 });
    expect(rows.unpriced).toMatchObject({ costUsd: null, costUnknown: 1 });
    expect(rows.broken).toMatchObject({ costUsd: 0, costUnknown: 0 });
    expect(rows.cached).toMatchObject({ costUsd: 0, costUnknown: 0 });
    expect(summary.costUsd).toBe(0.25);
    expect(summary.costUnknown).toBe(2);
  });

  it('reports the whole cost as unknown when no result has a price', () => {
    expect(summarizeRun([makeResult({ costUsd: null })]).costUsd).toBeNull();
  });

  it('counts errors by category per target and overall', () => {
    const summary = summarizeRun([
      makeError('rate_limit', '429', { targetName: 'a' }),
      makeError('rate_limit', '429', { targetName: 'a' }),
      makeError('timeout', 'slow', { targetName: 'a' }),
      makeError('rate_limit', '429', { targetName: 'b' }),
      makeResult({ targetName: 'b' }),
    ]);
    expect(summary.byTarget[0]?.errorsByCategory).toEqual({ rate_limit: 2, timeout: 1 });
    expect(summary.byTarget[1]?.errorsByCategory).toEqual({ rate_limit: 1 });
    expect(summary.errorsByCategory).toEqual({ rate_limit: 3, timeout: 1 });
    expect(summary.errors).toBe(4);
  });

  it('handles 10,000 results', () => {
    const latencies = Array.from({ length: 10_000 }, (_, index) => index + 1).reverse();
    const summary = summarizeRun(latencies.map((latencyMs) => makeResult({ latencyMs, costUsd: 0.0001 })));
    expect(summary.byTarget[0]?.latencyP50Ms).toBe(5000);
    expect(summary.byTarget[0]?.latencyP95Ms).toBe(9500);
    expect(summary.costUsd).toBeCloseTo(1, 10);
  });
});

describe('nearestRank', () => {
  it('matches the textbook example', () => {
    const sorted = [15, 20, 35, 40, 50];
    expect(nearestRank(sorted, 5)).toBe(15);
    expect(nearestRank(sorted, 30)).toBe(20);
    expect(nearestRank(sorted, 40)).toBe(20);
    expect(nearestRank(sorted, 50)).toBe(35);
    expect(nearestRank(sorted, 100)).toBe(50);
    expect(nearestRank([], 50)).toBeNull();
  });
});

describe('fallback-served results', () => {
  it('are counted per target and in total, and the table says so', async () => {
    const { renderSummaryTable } = await import('./table.js');
    const summary = summarizeRun([
      makeResult({ targetName: 'a', servedBy: 'a' }),
      makeResult({ targetName: 'a', servedBy: 'backup' }),
      makeResult({ targetName: 'b', servedBy: 'b' }),
    ]);
    expect(summary.byTarget.map((row) => [row.target, row.fallbackCount])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
    expect(summary.fallbackCount).toBe(1);
    expect(renderSummaryTable(summary, { color: false })).toContain('1 served by a fallback target');
  });
});

describe('costDiverges', () => {
  it('flags a provider-reported cost more than 1 % away from our price, and nothing without both', async () => {
    const { costDiverges } = await import('./summary.js');
    expect(costDiverges({ costUsd: 0.0102, computedCostUsd: 0.01 })).toBe(true);
    expect(costDiverges({ costUsd: 0.01005, computedCostUsd: 0.01 })).toBe(false);
    expect(costDiverges({ costUsd: 0.01 })).toBe(false);
    expect(costDiverges({ costUsd: null, computedCostUsd: 0.01 })).toBe(false);
    expect(costDiverges({ costUsd: 0, computedCostUsd: 0 })).toBe(false);
  });
});

describe('RunSummarizer', () => {
  it('gives what summarizeRun gives for the same results, one at a time', () => {
    const results = [
      makeResult({ targetName: 'a', servedBy: 'a', latencyMs: 30 }),
      makeFailed({ targetName: 'b', servedBy: 'b', itemId: 'i2', repeat: 1 }),
      makeError('rate_limit', 'slow down', { targetName: 'a', servedBy: 'a', itemId: 'i3' }),
      makeResult({ targetName: 'b', servedBy: 'b', itemId: 'i4', latencyMs: 10, cached: true }),
    ];
    const summarizer = new RunSummarizer();
    for (const result of results) summarizer.add(result);
    expect(summarizer.finish()).toEqual(summarizeRun(results));
  });
});

describe('summarizeRun: intervals', () => {
  it('uses Wilson over items without repeats', () => {
    const results = [...Array.from({ length: 8 }, () => makeResult()), makeFailed(), makeFailed()];
    const summary = summarizeRun(results);
    expect(summary.passRateIntervalOver).toBe('items');
    // Wilson 95% for 8/10: [0.4902, 0.9433] (Newcombe 1998).
    expect(summary.byTarget[0]!.passRateInterval.low).toBeCloseTo(0.4902, 3);
    expect(summary.byTarget[0]!.passRateInterval.high).toBeCloseTo(0.9433, 3);
  });

  it('counts tasks, not items, when tasks were repeated', () => {
    // 3 tasks × 5 repeats: a passes 5/5, b 4/5, c 0/5. Items alone would claim n = 15.
    const results = [];
    for (const [taskId, passes] of [
      ['a', 5],
      ['b', 4],
      ['c', 0],
    ] as const) {
      for (let repeat = 0; repeat < 5; repeat++) {
        results.push(repeat < passes ? makeResult({ taskId, repeat }) : makeFailed({ taskId, repeat }));
      }
    }
    const summary = summarizeRun(results);
    const row = summary.byTarget[0]!;
    expect(row.passRateIntervalOver).toBe('tasks');
    expect(summary.passRateIntervalOver).toBe('tasks');
    // Mean task pass fraction (1 + 0.8 + 0) / 3 = 0.6 → Wilson for 2/3: [0.2077, 0.9385].
    expect(row.passRateInterval.low).toBeCloseTo(0.2077, 3);
    expect(row.passRateInterval.high).toBeCloseTo(0.9385, 3);
    expect(row.meanScoreInterval!.low).toBeGreaterThanOrEqual(0);
    expect(row.meanScoreInterval!.high).toBeLessThanOrEqual(1);
  });
});
