import type { ItemResult } from '../types.js';
import { passed } from './align.js';
import type { RunComparison } from './compare.js';

/** What fails a CI run (`assay ci --fail-on`). */
export const FAIL_ON = ['regression', 'significant-regression', 'any-failure'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface GateInput {
  /** The gate asked for; without a baseline it falls back to `any-failure`. */
  failOn: FailOn;
  /** Every result of the new run. */
  results: readonly ItemResult[];
  /** The new run against its baseline, with allowed tasks left out; null without a baseline. */
  comparison: RunComparison | null;
  /** Tasks that never fail the gate (`--allow-fail`). */
  isAllowed: (taskId: string) => boolean;
  /** Each target's pass rate (allowed tasks left out) must reach this (0..1). */
  minPassRate?: number;
}

export interface GateOutcome {
  /** The gate applied. */
  failOn: FailOn;
  passed: boolean;
  /** Every rule that failed, one phrase each. */
  violations: string[];
  /** One line saying why the exit code is what it is (without the `exit N:` prefix). */
  reason: string;
  /** Items that did not pass but match `--allow-fail`. */
  allowedFailures: number;
}

const LISTED = 5;

/** Applies the CI gate to a finished (or time-limited) run. Pure. */
export function evaluateGate(input: GateInput): GateOutcome {
  const failOn: FailOn = input.comparison ? input.failOn : 'any-failure';
  const notPassing = input.results.filter((result) => !passed(result));
  const allowedFailures = notPassing.filter((result) => input.isAllowed(result.taskId)).length;
  const violations: string[] = [];

  if (failOn === 'any-failure') {
    const failing = notPassing.filter((result) => !input.isAllowed(result.taskId));
    if (failing.length > 0) {
      violations.push(`${items(failing.length)} failed or errored (${list(failing.map(label))})`);
    }
  } else if (failOn === 'regression') {
    const comparison = input.comparison!;
    const flips = comparison.targets.flatMap((target) =>
      target.regressions
        .filter((entry) => !input.isAllowed(entry.taskId))
        .map((entry) => `${entry.taskId} on ${target.b}`),
    );
    if (flips.length > 0) {
      violations.push(
        `${plural(flips.length, 'regression')}: passed in the baseline, not now (${list(flips)})`,
      );
    }
    const fresh = newFailures(input, comparison);
    if (fresh.length > 0) {
      violations.push(`${items(fresh.length)} with no baseline result failed or errored (${list(fresh)})`);
    }
  } else {
    const worse = input.comparison!.targets.filter((target) => target.verdict === 'worse');
    if (worse.length > 0) {
      violations.push(
        `significantly worse than the baseline: ${worse.map((target) => `${target.b} (${target.reason})`).join(', ')}`,
      );
    }
  }
  if (input.minPassRate !== undefined) violations.push(...belowMinimum(input, input.minPassRate));

  const allowedNote = allowedFailures > 0 ? `; ${items(allowedFailures)} allowed to fail` : '';
  const fallback = failOn === input.failOn ? '' : 'no baseline, so gating on failures: ';
  const reason = `${fallback}${violations.length > 0 ? violations.join('; ') : success(failOn, input)}${allowedNote}`;
  return { failOn, passed: violations.length === 0, violations, reason, allowedFailures };
}

function success(failOn: FailOn, input: GateInput): string {
  const baseline = input.comparison ? input.comparison.a.id.slice(0, 8) : null;
  const minimum =
    input.minPassRate === undefined ? '' : `, every target at or above ${percent(input.minPassRate)}`;
  if (failOn === 'regression') return `no regressions against baseline ${baseline}${minimum}`;
  if (failOn === 'significant-regression') {
    return `no target significantly worse than baseline ${baseline}${minimum}`;
  }
  return `no item failed${minimum}`;
}

/** Failing results of the new run that have no counterpart in the baseline (new tasks or targets). */
function newFailures(input: GateInput, comparison: RunComparison): string[] {
  const pairedTargets = new Map(comparison.targets.map((target) => [target.b, new Set(target.onlyB)]));
  const found: string[] = [];
  for (const result of input.results) {
    if (passed(result) || input.isAllowed(result.taskId)) continue;
    const onlyB = pairedTargets.get(result.targetName);
    if (onlyB === undefined || onlyB.has(result.taskId)) found.push(label(result));
  }
  return found;
}

function belowMinimum(input: GateInput, minimum: number): string[] {
  const byTarget = new Map<string, { passed: number; total: number }>();
  for (const result of input.results) {
    if (input.isAllowed(result.taskId)) continue;
    const counts = byTarget.get(result.targetName) ?? { passed: 0, total: 0 };
    counts.total++;
    if (passed(result)) counts.passed++;
    byTarget.set(result.targetName, counts);
  }
  const found: string[] = [];
  for (const [target, counts] of byTarget) {
    const rate = counts.passed / counts.total;
    if (rate < minimum) {
      found.push(
        `pass rate of ${target} ${percent(rate)} (${counts.passed}/${counts.total}) is below --min-pass-rate ${percent(minimum)}`,
      );
    }
  }
  return found;
}

function label(result: ItemResult): string {
  return `${result.taskId} on ${result.targetName}`;
}

function list(names: readonly string[]): string {
  const unique = [...new Set(names)];
  const shown = unique.slice(0, LISTED).join(', ');
  return unique.length > LISTED ? `${shown}, … ${unique.length - LISTED} more` : shown;
}

function items(n: number): string {
  return plural(n, 'item');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(1))}%`;
}
