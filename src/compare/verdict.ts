import { type MetricDelta, PASS_RATE } from './metrics.js';

export type Verdict = 'better' | 'worse' | 'no significant difference' | 'not comparable';

export interface VerdictResult {
  verdict: Verdict;
  /** One sentence: the test and numbers behind the verdict. */
  reason: string;
}

/** Significance level of every verdict. */
export const ALPHA = 0.05;

/**
 * Fewest aligned items for a verdict. With 5 items even five regressions out of five give an exact
 * McNemar p of 2 / 2^5 = 0.0625, so below 6 no difference could ever be called significant: such a
 * comparison is reported as not comparable rather than as "no difference".
 */
export const MIN_ALIGNED = 6;

/** Paired pass/fail counts of one target pair. */
export interface PassFailTest {
  /** Aligned items. */
  n: number;
  regressions: number;
  improvements: number;
  /** Exact two-sided McNemar p-value. */
  pValue: number;
}

/**
 * Verdict on the pass rate: the exact McNemar test on the flips decides (p < 0.05), the direction is
 * whichever kind of flip is more frequent.
 */
export function passRateVerdict(test: PassFailTest): VerdictResult {
  const small = tooFew(test.n);
  if (small) return small;
  const flips = `${count(test.regressions, 'regression')}, ${count(test.improvements, 'improvement')}`;
  if (test.pValue < ALPHA) {
    return {
      verdict: test.improvements > test.regressions ? 'better' : 'worse',
      reason: `McNemar p = ${formatP(test.pValue)} < ${ALPHA} (${flips} of ${test.n} aligned items)`,
    };
  }
  return {
    verdict: 'no significant difference',
    reason: `McNemar p = ${formatP(test.pValue)} ≥ ${ALPHA} (${flips} of ${test.n} aligned items)`,
  };
}

/** Verdict on a mean (score or a named metric): significant when its 95% interval excludes 0. */
export function intervalVerdict(metric: MetricDelta): VerdictResult {
  const small = tooFew(metric.n, metric.name);
  if (small) return small;
  const { delta, low, high } = metric as { delta: number; low: number; high: number };
  const interval = `Δ ${signed(delta)}, 95% CI [${signed(low)}, ${signed(high)}]`;
  if (low > 0 || high < 0) {
    return { verdict: delta > 0 ? 'better' : 'worse', reason: `${metric.name} ${interval} excludes 0` };
  }
  return { verdict: 'no significant difference', reason: `${metric.name} ${interval} includes 0` };
}

/** The verdict for the deciding metric: McNemar for the pass rate, the interval for anything else. */
export function decideVerdict(metric: MetricDelta, test: PassFailTest): VerdictResult {
  return metric.name === PASS_RATE ? passRateVerdict(test) : intervalVerdict(metric);
}

function tooFew(n: number, metric?: string): VerdictResult | null {
  const what = metric ? ` with a ${metric} value on both sides` : '';
  if (n === 0) return { verdict: 'not comparable', reason: `no aligned items${what}` };
  if (n < MIN_ALIGNED) {
    return {
      verdict: 'not comparable',
      reason: `n too small: ${count(n, 'aligned item')}${what}; a verdict needs at least ${MIN_ALIGNED}`,
    };
  }
  return null;
}

/** `0.00781`, `0.5`, `< 0.001`; never rounds a p below 0.05 up to a text that reads as 0.05. */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p < 0.001) return '< 0.001';
  const text = String(Number(p.toPrecision(3)));
  return p < ALPHA && Number(text) >= ALPHA ? `< ${ALPHA}` : text;
}

/** `+0.12`, `-0.40`, `0.00`. */
function signed(value: number): string {
  const text = value.toFixed(2);
  return value > 0 && text !== '0.00' ? `+${text}` : text === '-0.00' ? '0.00' : text;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
