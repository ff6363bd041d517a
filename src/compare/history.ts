import { meanInterval } from '../stats/describe.js';
import { wilsonInterval } from '../stats/wilson.js';
import type { RunStats } from '../store/store.js';
import type { ItemResult, RunRecord, RunStatus } from '../types.js';
import { passed } from './align.js';
import { metricValue, PASS_RATE } from './metrics.js';

/** One run in a trend. */
export interface HistoryPoint {
  runId: string;
  startedAt: number;
  status: RunStatus;
  /** The metric's value; null when the run has none. */
  value: number | null;
  /** 95% interval: Wilson for the pass rate, t-interval for means; null when it cannot be computed. */
  low: number | null;
  high: number | null;
  /** Results the value is computed from. */
  n: number;
  passed: number;
  total: number;
  /** What the run's calls and judges cost: money spent (cache hits are free; unknown costs count 0). */
  costUsd: number;
  /** What changed since the previous (older) point: `prompt answer`, `target gpt`. */
  changes: string[];
}

/** A point from a run's stored aggregates: enough for the pass rate of the whole run. */
export function pointFromStats(run: RunRecord, stats: RunStats): HistoryPoint {
  const interval = stats.results > 0 ? wilsonInterval(stats.passed, stats.results) : null;
  return {
    ...base(run),
    value: interval ? stats.passed / stats.results : null,
    low: interval?.low ?? null,
    high: interval?.high ?? null,
    n: stats.results,
    passed: stats.passed,
    total: stats.results,
    costUsd: stats.costUsd + stats.judgeCostUsd,
  };
}

/** A point from a run's results (one target's, or a named metric's). */
export function pointFromResults(
  run: RunRecord,
  results: readonly ItemResult[],
  metric: string,
): HistoryPoint {
  const passes = results.filter(passed).length;
  let costUsd = 0;
  for (const result of results) costUsd += (result.costUsd ?? 0) + (result.judgeCostUsd ?? 0);
  const common = { ...base(run), passed: passes, total: results.length, costUsd };
  if (metric === PASS_RATE) {
    const interval = results.length > 0 ? wilsonInterval(passes, results.length) : null;
    return {
      ...common,
      value: interval ? passes / results.length : null,
      low: interval?.low ?? null,
      high: interval?.high ?? null,
      n: results.length,
    };
  }
  const values: number[] = [];
  for (const result of results) {
    const value = metricValue(result, metric);
    if (value !== undefined) values.push(value);
  }
  if (values.length === 0) return { ...common, value: null, low: null, high: null, n: 0 };
  const interval = meanInterval(values);
  return {
    ...common,
    value: interval.mean,
    // Scores and rates live in [0, 1]; a t-interval on few values can reach past either end.
    low: Number.isFinite(interval.low) ? Math.max(0, interval.low) : null,
    high: Number.isFinite(interval.high) ? Math.min(1, interval.high) : null,
    n: values.length,
  };
}

/**
 * Fills each point's `changes` with the prompts and targets whose version differs from the run
 * before it (oldest first). With `target`, only that target is watched. The first point has none.
 */
export function markChanges(points: HistoryPoint[], runs: readonly RunRecord[], target?: string): void {
  for (let index = 1; index < points.length; index++) {
    const before = runs[index - 1]!.fingerprint;
    const after = runs[index]!.fingerprint;
    const changes: string[] = [];
    for (const [name, version] of Object.entries(after.promptVersions)) {
      const old = before.promptVersions[name];
      if (old !== undefined && old !== version) changes.push(`prompt ${name}`);
    }
    for (const [name, version] of Object.entries(after.targetVersions)) {
      if (target !== undefined && name !== target) continue;
      const old = before.targetVersions[name];
      if (old !== undefined && old !== version) changes.push(`target ${name}`);
    }
    points[index]!.changes = changes;
  }
}

function base(run: RunRecord): Pick<HistoryPoint, 'runId' | 'startedAt' | 'status' | 'changes'> {
  return { runId: run.id, startedAt: run.startedAt, status: run.status, changes: [] };
}
