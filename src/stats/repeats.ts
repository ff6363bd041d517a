import { mean, standardError } from './describe.js';

/** Summary of one task's repeated runs. */
export interface RepeatStats {
  n: number;
  /** NaN with no repeats. */
  meanScore: number;
  /** Standard error of the mean score; NaN with fewer than two repeats. */
  standardError: number;
  /** Every repeat passed (false with no repeats). */
  passAll: boolean;
  /** At least one repeat passed. */
  passAny: boolean;
  /** Share of repeats that passed; NaN with no repeats. */
  passRate: number;
  /** Some repeats passed and some failed. */
  flaky: boolean;
}

/** Stats of one task's repeats; `scores[i]` and `passes[i]` belong to the same repeat. */
export function repeatStats(scores: readonly number[], passes: readonly boolean[]): RepeatStats {
  if (scores.length !== passes.length) {
    throw new RangeError(
      `Expected one pass verdict per score, got ${scores.length} scores and ${passes.length} verdicts`,
    );
  }
  const n = scores.length;
  const passed = passes.filter(Boolean).length;
  return {
    n,
    meanScore: mean(scores),
    standardError: standardError(scores),
    passAll: n > 0 && passed === n,
    passAny: passed > 0,
    passRate: n === 0 ? Number.NaN : passed / n,
    flaky: passed > 0 && passed < n,
  };
}
