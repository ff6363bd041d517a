/** Validation helpers for assertion specs, shared by the built-in scorers' `prepare`. */
import { UserError } from '../errors.js';
import type { AssertionSpec, Task } from '../types.js';
import { describeValue } from './text.js';

/**
 * What an assertion compares against: `spec.value`, else the task's `expected`.
 * Throws when neither is set.
 */
export function comparisonValue(scorer: string, spec: AssertionSpec, task: Task, where: string): unknown {
  if (spec.value !== undefined) return spec.value;
  if (task.expected !== undefined) return task.expected;
  throw new UserError(
    `${scorer} has nothing to compare with: the assertion has no "value" and the task no "expected"`,
    where,
    `add "value: ..." to the assertion or "expected: ..." to the task`,
  );
}

export interface ThresholdRule {
  /** Shown in messages, e.g. `milliseconds`. */
  unit: string;
  /** Whether 0 is a meaningful limit. */
  allowZero: boolean;
  /** A typical value for the hint. */
  example: number;
}

/** Reads `spec.threshold` as a finite limit, quoting the bad value when it is not one. */
export function requireThreshold(
  scorer: string,
  spec: AssertionSpec,
  where: string,
  rule: ThresholdRule,
): number {
  const threshold: unknown = spec.threshold;
  const valid =
    typeof threshold === 'number' &&
    Number.isFinite(threshold) &&
    (rule.allowZero ? threshold >= 0 : threshold > 0);
  if (valid) return threshold;
  const expectation = rule.allowZero ? 'a number from 0 and up' : 'a number greater than 0';
  const misplaced = threshold === undefined && typeof spec.value === 'number';
  throw new UserError(
    `${scorer} needs "threshold" in ${rule.unit}: expected ${expectation}, got ${describeValue(threshold)}`,
    where,
    misplaced
      ? `write the limit as "threshold: ${String(spec.value)}", not "value: ${String(spec.value)}"`
      : `add "threshold: ${rule.example}" to the assertion`,
  );
}
