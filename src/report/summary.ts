import { meanInterval } from '../stats/describe.js';
import { repeatStats } from '../stats/repeats.js';
import { wilsonInterval } from '../stats/wilson.js';
import type { ItemResult } from '../types.js';

/** A rate or mean with its 95% interval. */
export interface Interval {
  low: number;
  high: number;
}

/** One named metric (`metric:` on assertions) over a target's scored results. */
export interface MetricSummary {
  name: string;
  /** Mean of the assertion values feeding it. */
  mean: number;
  n: number;
  /** t-interval of the mean; null with fewer than 2 values. */
  interval: Interval | null;
}

/** How a target's tasks behaved over repeats (only when some task ran more than once). */
export interface RepeatSummary {
  /** Tasks with more than one repeat. */
  tasks: number;
  /** Share of those tasks that passed every repeat (pass_all) / at least one (pass_any). */
  passAllRate: number;
  passAnyRate: number;
  /** Mean over tasks of the standard error of their repeat scores. */
  meanStandardError: number;
  /** Tasks whose repeats disagree: some passed, some did not. */
  flaky: Array<{ taskId: string; passed: number; repeats: number; meanScore: number; standardError: number }>;
  /** Every repeated task: its mean score, standard error, pass_all and pass_any. */
  perTask: Array<{
    taskId: string;
    repeats: number;
    passed: number;
    meanScore: number;
    standardError: number;
    passAll: boolean;
    passAny: boolean;
  }>;
}

/** Aggregates of one target's results. Token and cost sums cover only the values that are known. */
export interface TargetSummary {
  target: string;
  total: number;
  passed: number;
  failed: number;
  errors: number;
  /** passed / total (errors count against it); 0 when total is 0. */
  passRate: number;
  /**
   * 95% interval of the pass rate: Wilson over items, or, when tasks were repeated, a t-interval
   * over the tasks' pass fractions (repeats of one task are not independent samples).
   */
  passRateInterval: Interval;
  /** What the pass-rate interval treats as independent: items, or tasks (with repeats). */
  passRateIntervalOver: 'items' | 'tasks';
  /** Mean score of the results that were scored (errors excluded); null when none. */
  meanScore: number | null;
  /** t-interval of the mean score; null with fewer than 2 scored results. */
  meanScoreInterval: Interval | null;
  /** Nearest-rank percentiles over results that made a real call (no errors, no cache hits). */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** null when no result reported the count; a reported 0 stays 0. */
  inputTokens: number | null;
  outputTokens: number | null;
  /** Sum of known costs; null when none is known but some result's cost is unknown. */
  costUsd: number | null;
  /** Non-error results whose cost is unknown (no price for the model). */
  costUnknown: number;
  cachedCount: number;
  /** Results answered by a fallback target instead of their own. */
  fallbackCount: number;
  /** Results whose provider-reported cost differs from our own price by more than 1 %. */
  costDivergenceCount: number;
  /** Error results by category, e.g. `{ rate_limit: 2 }`. */
  errorsByCategory: Record<string, number>;
  /** What judge calls of model-graded scorers cost (on top of `costUsd`). */
  judgeCostUsd: number;
  /** What cached answers originally cost: money the cache saved. */
  savedUsd: number;
  metrics: MetricSummary[];
  repeats: RepeatSummary | null;
}

/** Aggregates of a whole run; the per-target rows are in first-seen order. */
export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  /** passed / total; 0 when total is 0. */
  passRate: number;
  /** 95% interval of the pass rate, as for each target. */
  passRateInterval: Interval;
  passRateIntervalOver: 'items' | 'tasks';
  /** Sum of known costs; null when none is known but some result's cost is unknown. */
  costUsd: number | null;
  judgeCostUsd: number;
  savedUsd: number;
  /** Non-error results whose cost is unknown. */
  costUnknown: number;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedCount: number;
  /** Results answered by a fallback target instead of their own. */
  fallbackCount: number;
  /** Results whose provider-reported cost differs from our own price by more than 1 %. */
  costDivergenceCount: number;
  errorsByCategory: Record<string, number>;
  byTarget: TargetSummary[];
}

interface Accumulator {
  target: string;
  total: number;
  passed: number;
  failed: number;
  errors: number;
  scoreSum: number;
  scores: number[];
  latencies: number[];
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  costUnknown: number;
  cachedCount: number;
  /** Results answered by a fallback target instead of their own. */
  fallbackCount: number;
  /** Results whose provider-reported cost differs from our own price by more than 1 %. */
  costDivergenceCount: number;
  errorsByCategory: Record<string, number>;
  judgeCostUsd: number;
  savedUsd: number;
  /** Metric name → values of the assertions feeding it. */
  metricValues: Map<string, number[]>;
  /** Task id → scores and verdicts of its repeats (scored results only). */
  repeatsByTask: Map<string, { scores: number[]; passes: boolean[] }>;
  /** Task id → passed / all results (errors included), for the pass-rate interval over tasks. */
  passByTask: Map<string, { passed: number; total: number }>;
  hasRepeats: boolean;
}

/** Summarises results in one pass (plus one sort per target for the latency percentiles). */
export function summarizeRun(results: readonly ItemResult[]): RunSummary {
  const summarizer = new RunSummarizer();
  for (const result of results) summarizer.add(result);
  return summarizer.finish();
}

/**
 * Builds a {@link RunSummary} one result at a time, so a run need not keep its results to summarise
 * them; `finish()` gives what `summarizeRun` would for the same results in the same order.
 */
export class RunSummarizer {
  readonly #byName = new Map<string, Accumulator>();

  add(result: ItemResult): void {
    let acc = this.#byName.get(result.targetName);
    if (!acc) {
      acc = newAccumulator(result.targetName);
      this.#byName.set(result.targetName, acc);
    }
    add(acc, result);
  }

  finish(): RunSummary {
    const accumulators = [...this.#byName.values()];
    const summary = totalsOf(accumulators.map(finishTarget));
    if (accumulators.some((acc) => acc.hasRepeats)) {
      summary.passRateInterval = taskInterval(accumulators.flatMap((acc) => [...acc.passByTask.values()]));
      summary.passRateIntervalOver = 'tasks';
    }
    return summary;
  }
}

function totalsOf(byTarget: TargetSummary[]): RunSummary {
  const totals = newAccumulator('');
  for (const row of byTarget) {
    totals.total += row.total;
    totals.passed += row.passed;
    totals.failed += row.failed;
    totals.errors += row.errors;
    totals.costUnknown += row.costUnknown;
    totals.cachedCount += row.cachedCount;
    totals.fallbackCount += row.fallbackCount;
    totals.costDivergenceCount += row.costDivergenceCount;
    totals.inputTokens = addKnown(totals.inputTokens, row.inputTokens ?? undefined);
    totals.outputTokens = addKnown(totals.outputTokens, row.outputTokens ?? undefined);
    totals.costUsd = addKnown(totals.costUsd, row.costUsd ?? undefined);
    totals.judgeCostUsd += row.judgeCostUsd;
    totals.savedUsd += row.savedUsd;
    for (const [category, count] of Object.entries(row.errorsByCategory)) {
      totals.errorsByCategory[category] = (totals.errorsByCategory[category] ?? 0) + count;
    }
  }
  return {
    total: totals.total,
    passed: totals.passed,
    failed: totals.failed,
    errors: totals.errors,
    passRate: ratio(totals.passed, totals.total),
    passRateInterval: rateInterval(totals.passed, totals.total),
    passRateIntervalOver: 'items',
    costUsd: finishCost(totals),
    judgeCostUsd: totals.judgeCostUsd,
    savedUsd: totals.savedUsd,
    costUnknown: totals.costUnknown,
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    cachedCount: totals.cachedCount,
    fallbackCount: totals.fallbackCount,
    costDivergenceCount: totals.costDivergenceCount,
    errorsByCategory: totals.errorsByCategory,
    byTarget,
  };
}

function newAccumulator(target: string): Accumulator {
  return {
    target,
    total: 0,
    passed: 0,
    failed: 0,
    errors: 0,
    scoreSum: 0,
    scores: [],
    latencies: [],
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    costUnknown: 0,
    cachedCount: 0,
    fallbackCount: 0,
    costDivergenceCount: 0,
    errorsByCategory: {},
    judgeCostUsd: 0,
    savedUsd: 0,
    metricValues: new Map(),
    repeatsByTask: new Map(),
    passByTask: new Map(),
    hasRepeats: false,
  };
}

function add(acc: Accumulator, result: ItemResult): void {
  acc.total++;
  if (result.cached) acc.cachedCount++;
  if (result.servedBy !== result.targetName) acc.fallbackCount++;
  if (costDiverges(result)) acc.costDivergenceCount++;
  acc.inputTokens = addKnown(acc.inputTokens, result.usage.inputTokens);
  acc.outputTokens = addKnown(acc.outputTokens, result.usage.outputTokens);
  acc.costUsd = addKnown(acc.costUsd, result.costUsd ?? undefined);
  acc.judgeCostUsd += result.judgeCostUsd ?? 0;
  acc.savedUsd += result.savedUsd ?? 0;
  if (result.repeat > 0) acc.hasRepeats = true;
  const counts = acc.passByTask.get(result.taskId);
  if (counts) {
    counts.total++;
    if (result.status === 'passed') counts.passed++;
  } else acc.passByTask.set(result.taskId, { passed: result.status === 'passed' ? 1 : 0, total: 1 });
  if (result.status === 'error') {
    acc.errors++;
    const category = result.error?.category ?? 'internal';
    acc.errorsByCategory[category] = (acc.errorsByCategory[category] ?? 0) + 1;
    return;
  }
  if (result.status === 'passed') acc.passed++;
  else acc.failed++;
  acc.scoreSum += result.score;
  acc.scores.push(result.score);
  for (const score of result.scores) {
    if (score.metric === undefined) continue;
    const values = acc.metricValues.get(score.metric);
    if (values) values.push(score.value);
    else acc.metricValues.set(score.metric, [score.value]);
  }
  const repeats = acc.repeatsByTask.get(result.taskId);
  if (repeats) {
    repeats.scores.push(result.score);
    repeats.passes.push(result.status === 'passed');
  } else {
    acc.repeatsByTask.set(result.taskId, { scores: [result.score], passes: [result.status === 'passed'] });
  }
  if (result.costUsd === null) acc.costUnknown++;
  if (!result.cached) acc.latencies.push(result.latencyMs);
}

function addKnown(sum: number | null, value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value)) return sum;
  return (sum ?? 0) + value;
}

function finishTarget(acc: Accumulator): TargetSummary {
  const scored = acc.passed + acc.failed;
  const sorted = Float64Array.from(acc.latencies).sort();
  return {
    target: acc.target,
    total: acc.total,
    passed: acc.passed,
    failed: acc.failed,
    errors: acc.errors,
    passRate: ratio(acc.passed, acc.total),
    passRateInterval: acc.hasRepeats
      ? taskInterval([...acc.passByTask.values()])
      : rateInterval(acc.passed, acc.total),
    passRateIntervalOver: acc.hasRepeats ? 'tasks' : 'items',
    meanScore: scored === 0 ? null : acc.scoreSum / scored,
    meanScoreInterval: meanOf(acc.scores),
    latencyP50Ms: nearestRank(sorted, 50),
    latencyP95Ms: nearestRank(sorted, 95),
    inputTokens: acc.inputTokens,
    outputTokens: acc.outputTokens,
    costUsd: finishCost(acc),
    costUnknown: acc.costUnknown,
    cachedCount: acc.cachedCount,
    fallbackCount: acc.fallbackCount,
    costDivergenceCount: acc.costDivergenceCount,
    errorsByCategory: acc.errorsByCategory,
    judgeCostUsd: acc.judgeCostUsd,
    savedUsd: acc.savedUsd,
    metrics: [...acc.metricValues]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, values]) => {
        const interval = meanOf(values);
        return {
          name,
          mean: values.reduce((sum, value) => sum + value, 0) / values.length,
          n: values.length,
          interval,
        };
      }),
    repeats: acc.hasRepeats ? summarizeRepeats(acc.repeatsByTask) : null,
  };
}

/**
 * Pass-rate interval when tasks were repeated: repeats of one task tell more about that task, not
 * about the suite, so the interval counts tasks: Wilson over k tasks at the mean of their pass
 * fractions (conservative; never narrower than the tasks alone support).
 */
function taskInterval(tasks: Array<{ passed: number; total: number }>): Interval {
  if (tasks.length === 0) return { low: 0, high: 1 };
  const mean = tasks.reduce((sum, task) => sum + task.passed / task.total, 0) / tasks.length;
  return rateInterval(Math.round(mean * tasks.length), tasks.length);
}

function rateInterval(passed: number, total: number): Interval {
  const { low, high } = wilsonInterval(passed, total);
  return { low, high };
}

/** t-interval of a mean of 0..1 values, clamped to [0, 1] (few values can reach past either end). */
function meanOf(values: number[]): Interval | null {
  if (values.length < 2) return null;
  const { low, high } = meanInterval(values);
  return { low: Math.max(0, low), high: Math.min(1, high) };
}

function summarizeRepeats(
  byTask: Map<string, { scores: number[]; passes: boolean[] }>,
): RepeatSummary | null {
  let tasks = 0;
  let passAll = 0;
  let passAny = 0;
  let seSum = 0;
  const flaky: RepeatSummary['flaky'] = [];
  const perTask: RepeatSummary['perTask'] = [];
  for (const [taskId, { scores, passes }] of byTask) {
    if (scores.length < 2) continue;
    const stats = repeatStats(scores, passes);
    tasks++;
    if (stats.passAll) passAll++;
    if (stats.passAny) passAny++;
    seSum += stats.standardError;
    const passed = passes.filter(Boolean).length;
    perTask.push({
      taskId,
      repeats: stats.n,
      passed,
      meanScore: stats.meanScore,
      standardError: stats.standardError,
      passAll: stats.passAll,
      passAny: stats.passAny,
    });
    if (stats.flaky) {
      flaky.push({
        taskId,
        passed,
        repeats: stats.n,
        meanScore: stats.meanScore,
        standardError: stats.standardError,
      });
    }
  }
  if (tasks === 0) return null;
  return {
    tasks,
    passAllRate: passAll / tasks,
    passAnyRate: passAny / tasks,
    meanStandardError: seSum / tasks,
    flaky,
    perTask,
  };
}

// Unknown costs with nothing known is "unknown", not "$0"; nothing to cost at all (only errors) is $0.
function finishCost(acc: Accumulator): number | null {
  if (acc.costUsd !== null) return acc.costUsd;
  return acc.costUnknown > 0 ? null : 0;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/** Nearest-rank percentile of ascending values: the smallest value with at least p% at or below it. */
export function nearestRank(sorted: ArrayLike<number>, percentile: number): number | null {
  if (sorted.length === 0) return null;
  // Integer arithmetic first: (0.95 * n) in floating point can land just above an integer.
  const rank = Math.max(1, Math.ceil((percentile * sorted.length) / 100));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

/** Whether a provider-reported cost and our own price of the same call differ by more than 1 %. */
export function costDiverges(result: Pick<ItemResult, 'costUsd' | 'computedCostUsd'>): boolean {
  const { costUsd, computedCostUsd } = result;
  if (costUsd === null || computedCostUsd === undefined) return false;
  const scale = Math.max(Math.abs(costUsd), Math.abs(computedCostUsd));
  return scale > 0 && Math.abs(costUsd - computedCostUsd) / scale > 0.01;
}
