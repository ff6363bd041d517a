/** Validation of `options` and 0..1 thresholds, shared by the built-in scorers' `prepare`. */
import { UserError } from '../errors.js';
import type { AssertionSpec } from '../types.js';
import { nearestName } from '../util/suggest.js';
import { describeValue } from './text.js';

/**
 * The assertion's `options`, checked to be a mapping whose keys are all in `known`: a typo such as
 * `ignorecase` is an error rather than a silently ignored setting.
 */
export function readOptions(
  scorer: string,
  spec: AssertionSpec,
  where: string,
  known: readonly string[],
): Record<string, unknown> {
  const options: unknown = spec.options;
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new UserError(
      `${scorer} "options" must be a mapping, got ${describeValue(options)}`,
      where,
      known.length > 0 ? `known options: ${known.join(', ')}` : `${scorer} takes no options`,
    );
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const nearest = nearestName(key, known);
    throw new UserError(
      `${scorer} has no option "${key}"${nearest ? `; did you mean "${nearest}"?` : ''}`,
      where,
      known.length > 0 ? `known options: ${known.join(', ')}` : `${scorer} takes no options`,
    );
  }
  return options as Record<string, unknown>;
}

/** A boolean option, `fallback` when absent. */
export function booleanOption(
  scorer: string,
  options: Record<string, unknown>,
  key: string,
  where: string,
  fallback = false,
): boolean {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw new UserError(
    `${scorer} option "${key}" must be true or false, got ${describeValue(value)}`,
    where,
    `for example options: { ${key}: true }`,
  );
}

/** A finite number option from 0 and up, `undefined` when absent. */
export function nonNegativeOption(
  scorer: string,
  options: Record<string, unknown>,
  key: string,
  where: string,
  example: number,
): number | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new UserError(
    `${scorer} option "${key}" must be a number from 0 and up, got ${describeValue(value)}`,
    where,
    `for example options: { ${key}: ${example} }`,
  );
}

/** `spec.threshold` as a score from 0 to 1 that the verdict's value must reach, `fallback` when absent. */
export function unitThreshold(scorer: string, spec: AssertionSpec, where: string, fallback: number): number {
  const threshold: unknown = spec.threshold;
  if (threshold === undefined) return fallback;
  if (typeof threshold === 'number' && threshold >= 0 && threshold <= 1) return threshold;
  throw new UserError(
    `${scorer} "threshold" must be a number from 0 to 1, got ${describeValue(threshold)}`,
    where,
    `the threshold is the score needed to pass (default ${fallback}), e.g. threshold: 0.7`,
  );
}

/** Absorbs floating-point noise such as 0.1 + 0.2 when a score is compared with a threshold. */
const TOLERANCE = 1e-9;

/** Whether `score` reaches `threshold`, ignoring floating-point noise. */
export function reaches(score: number, threshold: number): boolean {
  return score >= threshold - TOLERANCE;
}

/** A score rounded for reasons: `0.857`. */
export function formatScore(score: number): string {
  return String(Math.round(score * 1000) / 1000);
}

/**
 * For scorers without options or a threshold: an `options` key or a `threshold` would be silently
 * ignored, so they are configuration errors.
 */
export function rejectExtras(
  scorer: string,
  spec: AssertionSpec,
  where: string,
  allowThreshold = false,
): void {
  readOptions(scorer, spec, where, []);
  if (!allowThreshold && spec.threshold !== undefined) {
    throw new UserError(
      `${scorer} takes no "threshold" (it passes or fails), got ${describeValue(spec.threshold)}`,
      where,
      'remove "threshold", or use a task-level threshold over weighted assertions',
    );
  }
}
