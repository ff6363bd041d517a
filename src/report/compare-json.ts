import type { RunComparison, RunSide, TargetComparison } from '../compare/compare.js';
import type { FingerprintChange } from '../compare/fingerprint-diff.js';

/** Bumped on any breaking change to {@link CompareJson}; additive changes keep it. */
export const COMPARE_JSON_VERSION = 1;

/**
 * What `assay compare --json` prints (and `comparison` in `assay-report.json`). Unknown numbers are
 * `null`; times are ISO 8601 (UTC); deltas are B − A.
 */
export interface CompareJson {
  schemaVersion: typeof COMPARE_JSON_VERSION;
  a: Omit<RunSide, 'startedAt'> & { startedAt: string };
  b: Omit<RunSide, 'startedAt'> & { startedAt: string };
  metric: string;
  seed: string;
  changes: FingerprintChange[];
  confounded: string[];
  targets: TargetComparison[];
  unpairedTargets: { onlyA: string[]; onlyB: string[] };
  note: string | null;
}

/** Builds the JSON document; fields are copied one by one so internal additions never leak into it. */
export function toCompareJson(comparison: RunComparison): CompareJson {
  return {
    schemaVersion: COMPARE_JSON_VERSION,
    a: side(comparison.a),
    b: side(comparison.b),
    metric: comparison.metric,
    seed: comparison.seed,
    changes: comparison.changes.map(({ kind, name, before, after }) => ({ kind, name, before, after })),
    confounded: [...comparison.confounded],
    targets: comparison.targets.map(target),
    unpairedTargets: {
      onlyA: [...comparison.unpairedTargets.onlyA],
      onlyB: [...comparison.unpairedTargets.onlyB],
    },
    note: comparison.note,
  };
}

function side(run: RunSide): CompareJson['a'] {
  return {
    id: run.id,
    status: run.status,
    startedAt: new Date(run.startedAt).toISOString(),
    suite: run.suite,
    gitCommit: run.gitCommit,
    results: run.results,
  };
}

function target(entry: TargetComparison): TargetComparison {
  return {
    a: entry.a,
    b: entry.b,
    aligned: entry.aligned,
    onlyA: [...entry.onlyA],
    onlyB: [...entry.onlyB],
    extraRepeatsA: entry.extraRepeatsA,
    extraRepeatsB: entry.extraRepeatsB,
    changedTasks: [...entry.changedTasks],
    metrics: entry.metrics.map(({ name, n, a, b, delta, low, high }) => ({
      name,
      n,
      a,
      b,
      delta,
      low,
      high,
    })),
    passFail: { ...entry.passFail },
    regressions: entry.regressions.map((flip) => ({ ...flip })),
    improvements: entry.improvements.map((flip) => ({ ...flip })),
    cost: {
      a: { ...entry.cost.a },
      b: { ...entry.cost.b },
      deltaTotalUsd: entry.cost.deltaTotalUsd,
      deltaPerItemUsd: entry.cost.deltaPerItemUsd,
    },
    latency: {
      a: { ...entry.latency.a },
      b: { ...entry.latency.b },
      deltaMeanMs: entry.latency.deltaMeanMs,
      deltaTotalMs: entry.latency.deltaTotalMs,
    },
    verdict: entry.verdict,
    reason: entry.reason,
  };
}
