import { pairedBootstrap } from '../stats/bootstrap.js';
import type { ItemResult } from '../types.js';
import { type AlignedPair, compareText, passed } from './align.js';

/** Built-in metric names; any other name is a named metric (`metric:` on assertions). */
export const PASS_RATE = 'pass_rate';
export const SCORE = 'score';

/** One metric of one target pair: both means over the same aligned items, and their difference. */
export interface MetricDelta {
  name: string;
  /** Aligned items with a value on both sides. */
  n: number;
  /** Means over those items; null when n is 0. */
  a: number | null;
  b: number | null;
  /** mean(b - a): positive when B is higher (every metric here is higher-is-better). */
  delta: number | null;
  /** 95% paired-bootstrap interval of `delta`; null when n is 0. */
  low: number | null;
  high: number | null;
}

/** The most resamples drawn per interval; fewer for very large comparisons (see `resamplesFor`). */
const MAX_RESAMPLES = 10_000;
const MIN_RESAMPLES = 2_000;
/** About this many draws per interval at most: keeps a 100k-item comparison to a second or two. */
const DRAW_BUDGET = 20_000_000;

/** Resamples for n pairs: 10,000 up to 2,000 pairs, then fewer, never under 2,000. Depends on n only. */
export function resamplesFor(n: number): number {
  if (n === 0) return MAX_RESAMPLES;
  return Math.max(MIN_RESAMPLES, Math.min(MAX_RESAMPLES, Math.floor(DRAW_BUDGET / n)));
}

/**
 * A metric's value for one result, or undefined when it has none. Pass rate: 1 or 0 (errors are 0).
 * Score: the weighted score (an error scores 0: it produced no answer). A named metric: the mean of
 * the assertion values feeding it (errors have none).
 */
export function metricValue(result: ItemResult, metric: string): number | undefined {
  if (metric === PASS_RATE) return passed(result) ? 1 : 0;
  if (metric === SCORE) return result.status === 'error' ? 0 : result.score;
  let sum = 0;
  let count = 0;
  for (const score of result.scores) {
    if (score.metric !== metric) continue;
    sum += score.value;
    count++;
  }
  return count === 0 ? undefined : sum / count;
}

/** Named metrics found on either side of the pairs, sorted. */
export function namedMetrics(pairs: readonly AlignedPair[]): string[] {
  const names = new Set<string>();
  for (const pair of pairs) {
    for (const score of [...pair.a.scores, ...pair.b.scores]) if (score.metric) names.add(score.metric);
  }
  names.delete(PASS_RATE);
  names.delete(SCORE);
  return [...names].sort(compareText);
}

/** Compares one metric over the pairs that have it on both sides, with a seeded paired bootstrap. */
export function compareMetric(
  metric: string,
  pairs: readonly AlignedPair[],
  seed: string | number,
): MetricDelta {
  // Repeats of one task are not independent: the bootstrap resamples tasks, each contributing the
  // mean of its aligned repeats (with one repeat per task this is the plain paired bootstrap).
  const byTask = new Map<string, { a: number; b: number; count: number }>();
  for (const pair of pairs) {
    const valueA = metricValue(pair.a, metric);
    const valueB = metricValue(pair.b, metric);
    if (valueA === undefined || valueB === undefined) continue;
    const sums = byTask.get(pair.taskId);
    if (sums) {
      sums.a += valueA;
      sums.b += valueB;
      sums.count++;
    } else byTask.set(pair.taskId, { a: valueA, b: valueB, count: 1 });
  }
  const a: number[] = [];
  const b: number[] = [];
  for (const sums of byTask.values()) {
    a.push(sums.a / sums.count);
    b.push(sums.b / sums.count);
  }
  if (a.length === 0) return { name: metric, n: 0, a: null, b: null, delta: null, low: null, high: null };
  const interval = pairedBootstrap(a, b, { seed, resamples: resamplesFor(a.length) });
  return {
    name: metric,
    n: a.length,
    a: average(a),
    b: average(b),
    delta: interval.delta,
    low: interval.low,
    high: interval.high,
  };
}

function average(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

const ALIASES: Record<string, string> = {
  'pass-rate': PASS_RATE,
  passrate: PASS_RATE,
  pass: PASS_RATE,
  'mean-score': SCORE,
  mean_score: SCORE,
};

/** `pass-rate` and `mean_score` are accepted for `pass_rate` and `score`; other names are kept. */
export function normalizeMetric(name: string): string {
  const trimmed = name.trim();
  return ALIASES[trimmed.toLowerCase()] ?? trimmed;
}
