import { UserError } from '../errors.js';
import type { ScoreResult, Task } from '../types.js';
import { ChecksClosedError } from '../user-code/check-worker.js';
import { defaultRegistry, isPromiseLike, type PreparedAssertion, type ScorerRegistry } from './registry.js';
import type { PrepareContext, ScoreInput, ScoreVerdict } from './scorer.js';
import { describeValue } from './text.js';

/** Absorbs floating-point noise such as 0.1 + 0.2 when a score is compared with a threshold. */
const THRESHOLD_TOLERANCE = 1e-9;

/** A task's verdict on one output. */
export interface TaskScore {
  /** Weighted mean of the assertion values, 0..1. */
  score: number;
  pass: boolean;
  /** One per assertion, in the task's order. */
  scores: ScoreResult[];
  /** One line for reports: `no assertions`, `failed: contains, regex`, `score 0.5 < threshold 0.8`. */
  reason: string;
  /** Set when the run was stopped while a scorer ran (a second Ctrl-C): the verdict is not one. */
  interrupted?: true;
}

export type TaskScorer = (input: ScoreInput) => Promise<TaskScore>;

/**
 * Validates and prepares every assertion of `task` once (throwing `UserError` with the assertion's
 * location) and returns the function that scores its outputs.
 *
 * - score: weighted mean of assertion values (weight defaults to 1). Weight-0 assertions are
 *   reported but never count; when no assertion has weight (none at all, or all weight 0), the
 *   task scores 1.
 * - pass: `score >= task.threshold` when the task has a threshold, otherwise every assertion with
 *   weight > 0 passes. A task without assertions passes with the reason `no assertions`.
 * - An assertion whose scorer throws (or returns a value outside 0..1) gets value 0, pass false
 *   and a reason starting with `scorer error:`; the other assertions are still scored.
 */
export function prepareTask(
  task: Task,
  where = `${task.source}: task "${task.id}"`,
  registry: ScorerRegistry = defaultRegistry,
  context?: PrepareContext,
): TaskScorer {
  const threshold = checkThreshold(task.threshold, where);
  const assertions = task.assert.map((spec, index) =>
    registry.resolve(spec, `${where} assertion ${index + 1}`, task, context),
  );
  if (assertions.length === 0) {
    return async () => ({ score: 1, pass: true, scores: [], reason: 'no assertions' });
  }
  const totalWeight = assertions.reduce((sum, assertion) => sum + assertion.weight, 0);

  return async (input) => {
    let interrupted = false;
    const onInterrupted = () => {
      interrupted = true;
    };
    const pending = assertions.map((assertion) => scoreOne(assertion, input, onInterrupted));
    const scores = pending.some(isPromiseLike) ? await Promise.all(pending) : (pending as ScoreResult[]);
    const verdict = summarise(scores, totalWeight, threshold);
    if (interrupted) verdict.interrupted = true;
    return verdict;
  };
}

function checkThreshold(threshold: unknown, where: string): number | undefined {
  if (threshold === undefined) return undefined;
  if (typeof threshold === 'number' && threshold >= 0 && threshold <= 1) return threshold;
  throw new UserError(
    `task "threshold" must be a number from 0 to 1, got ${describeValue(threshold)}`,
    where,
    'the threshold is the weighted score needed to pass, e.g. threshold: 0.8',
  );
}

function scoreOne(
  assertion: PreparedAssertion,
  input: ScoreInput,
  onInterrupted: () => void,
): ScoreResult | Promise<ScoreResult> {
  const { name, weight } = assertion;
  const metric = assertion.metric !== undefined ? { metric: assertion.metric } : {};
  const failed = (error: unknown): ScoreResult => {
    if (error instanceof ChecksClosedError) onInterrupted();
    return {
      name,
      weight,
      ...metric,
      ...judgeCost(error),
      value: 0,
      pass: false,
      reason: `scorer error: ${error instanceof Error ? error.message : String(error)}`,
    };
  };
  const accept = (verdict: ScoreVerdict): ScoreResult => {
    const problem = verdictProblem(verdict);
    if (problem) return failed(problem);
    return {
      name,
      weight,
      ...metric,
      value: verdict.value,
      pass: verdict.pass,
      reason: verdict.reason,
      ...(typeof verdict.costUsd === 'number' ? { costUsd: verdict.costUsd } : {}),
    };
  };
  try {
    const verdict = assertion.score(input);
    return isPromiseLike(verdict) ? Promise.resolve(verdict).then(accept, failed) : accept(verdict);
  } catch (error) {
    return failed(error);
  }
}

/** A judge that answered something unusable still cost money: errors may carry `costUsd`. */
function judgeCost(error: unknown): { costUsd?: number } {
  const cost = (error as { costUsd?: unknown } | null)?.costUsd;
  return typeof cost === 'number' ? { costUsd: cost } : {};
}

/** Custom scorers are code we do not control: check what they return before it is stored. */
function verdictProblem(verdict: ScoreVerdict): string | undefined {
  if (typeof verdict !== 'object' || verdict === null)
    return `expected a verdict object, got ${describeValue(verdict)}`;
  const { value, pass, reason } = verdict;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    return `value must be a number from 0 to 1, got ${describeValue(value)}`;
  }
  if (typeof pass !== 'boolean') return `pass must be a boolean, got ${describeValue(pass)}`;
  if (typeof reason !== 'string') return `reason must be a string, got ${describeValue(reason)}`;
  return undefined;
}

function summarise(scores: ScoreResult[], totalWeight: number, threshold: number | undefined): TaskScore {
  let weighted = 0;
  let counted = 0;
  const failures: string[] = [];
  for (const result of scores) {
    weighted += result.value * result.weight;
    if (result.weight > 0) {
      counted += 1;
      if (!result.pass) failures.push(result.name);
    }
  }
  const score = totalWeight > 0 ? weighted / totalWeight : 1;
  if (threshold !== undefined) {
    const pass = score >= threshold - THRESHOLD_TOLERANCE;
    return {
      score,
      pass,
      scores,
      reason: `score ${round(score)} ${pass ? '>=' : '<'} threshold ${threshold}`,
    };
  }
  if (failures.length > 0) return { score, pass: false, scores, reason: `failed: ${failures.join(', ')}` };
  const reason =
    counted === 0
      ? 'no assertion has weight'
      : `all ${counted}${counted < scores.length ? ' weighted' : ''} assertions passed`;
  return { score, pass: true, scores, reason };
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
