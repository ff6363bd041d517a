import { UserError } from '../errors.js';
import { failureReason } from '../report/format.js';
import { mcnemarExact } from '../stats/mcnemar.js';
import type { ItemResult, ResultStatus, RunRecord, RunStatus } from '../types.js';
import { type AlignedPair, alignResults, passed } from './align.js';
import { type CostComparison, compareCost, compareLatency, type LatencyComparison } from './cost.js';
import { diffFingerprints, type FingerprintChange, kindsOfInterest } from './fingerprint-diff.js';
import {
  compareMetric,
  type MetricDelta,
  namedMetrics,
  normalizeMetric,
  PASS_RATE,
  SCORE,
} from './metrics.js';
import { pairTargets, type TargetPair } from './targets.js';
import { decideVerdict, type PassFailTest, type Verdict } from './verdict.js';

export interface CompareInput {
  runA: RunRecord;
  runB: RunRecord;
  resultsA: readonly ItemResult[];
  resultsB: readonly ItemResult[];
  /** The metric that decides each verdict. @default 'pass_rate' */
  metric?: string;
  /** Seed of the bootstrap intervals: the same runs and seed give the same numbers. @default '1' */
  seed?: string;
  /** An explicit target pair (`--target-a` / `--target-b`). */
  targetA?: string;
  targetB?: string;
}

/** An aligned item whose verdict changed between the runs. */
export interface Flip {
  taskId: string;
  repeat: number;
  a: ResultStatus;
  b: ResultStatus;
  /** Why the item does not pass in the run where it does not pass. */
  reason: string;
  /** Shell command that shows the item of run B. */
  command: string;
}

export interface TargetComparison {
  a: string;
  b: string;
  aligned: number;
  /** Task ids with results in one run only: compared on the intersection. */
  onlyA: string[];
  onlyB: string[];
  /** Results of shared tasks without a counterpart: repeats made in one run only. */
  extraRepeatsA: number;
  extraRepeatsB: number;
  /** Aligned tasks whose content changed between the runs. */
  changedTasks: string[];
  /** Pass rate, score, then named metrics. */
  metrics: MetricDelta[];
  passFail: PassFailTest;
  /** A passed, B failed or errored. */
  regressions: Flip[];
  /** A failed or errored, B passed. */
  improvements: Flip[];
  cost: CostComparison;
  latency: LatencyComparison;
  verdict: Verdict;
  reason: string;
}

export interface RunSide {
  id: string;
  status: RunStatus;
  startedAt: number;
  suite: string | null;
  gitCommit: string | null;
  results: number;
}

export interface RunComparison {
  a: RunSide;
  b: RunSide;
  /** The metric that decided the verdicts. */
  metric: string;
  seed: string;
  changes: FingerprintChange[];
  /** The kinds of change of interest when more than one changed (a confounded comparison); else []. */
  confounded: string[];
  targets: TargetComparison[];
  /** Targets left out of every pair. */
  unpairedTargets: { onlyA: string[]; onlyB: string[] };
  /** Why no target could be compared, when none could. */
  note: string | null;
}

/** Compares two stored runs target by target. Pure: the same input always gives the same output. */
export function compareRuns(input: CompareInput): RunComparison {
  const metric = normalizeMetric(input.metric ?? PASS_RATE);
  const seed = input.seed ?? '1';
  const byTargetA = groupByTarget(input.resultsA);
  const byTargetB = groupByTarget(input.resultsB);
  const pairing = pairTargets([...byTargetA.keys()], [...byTargetB.keys()], {
    ...(input.targetA !== undefined ? { a: input.targetA } : {}),
    ...(input.targetB !== undefined ? { b: input.targetB } : {}),
  });
  const targets = pairing.pairs.map((pair) =>
    compareTarget(pair, byTargetA.get(pair.a) ?? [], byTargetB.get(pair.b) ?? [], metric, seed, input.runB),
  );
  checkMetric(metric, targets);
  const changes = diffFingerprints(input.runA.fingerprint, input.runB.fingerprint, pairing.pairs);
  const kinds = kindsOfInterest(changes);
  return {
    a: side(input.runA, input.resultsA.length),
    b: side(input.runB, input.resultsB.length),
    metric,
    seed,
    changes,
    confounded: kinds.length > 1 ? kinds : [],
    targets,
    unpairedTargets: { onlyA: pairing.onlyA, onlyB: pairing.onlyB },
    note: pairing.note,
  };
}

function compareTarget(
  pair: TargetPair,
  resultsA: readonly ItemResult[],
  resultsB: readonly ItemResult[],
  metric: string,
  seed: string,
  runB: RunRecord,
): TargetComparison {
  const alignment = alignResults(resultsA, resultsB);
  const { pairs } = alignment;
  const names = [PASS_RATE, SCORE, ...namedMetrics(pairs)];
  if (!names.includes(metric)) names.push(metric);
  const metrics = names.map((name) => compareMetric(name, pairs, seed));
  const regressions: Flip[] = [];
  const improvements: Flip[] = [];
  const repeats = runB.options.repeat > 1 || pairs.some((entry) => entry.repeat > 0);
  for (const entry of pairs) {
    const before = passed(entry.a);
    const after = passed(entry.b);
    if (before && !after) regressions.push(flip(entry, entry.b, runB.id, pair.b, repeats));
    else if (!before && after) improvements.push(flip(entry, entry.a, runB.id, pair.b, repeats));
  }
  const passFail = repeats
    ? taskLevelPassFail(pairs)
    : itemLevelPassFail(pairs.length, regressions, improvements);
  const deciding = metrics.find((entry) => entry.name === metric)!;
  const { verdict, reason } = decideVerdict(deciding, passFail);
  return {
    a: pair.a,
    b: pair.b,
    aligned: pairs.length,
    onlyA: alignment.onlyA,
    onlyB: alignment.onlyB,
    extraRepeatsA: alignment.extraRepeatsA,
    extraRepeatsB: alignment.extraRepeatsB,
    changedTasks: alignment.changedTasks,
    metrics,
    passFail,
    regressions,
    improvements,
    cost: compareCost(pairs),
    latency: compareLatency(pairs),
    verdict,
    reason,
  };
}

function itemLevelPassFail(n: number, regressions: Flip[], improvements: Flip[]): PassFailTest {
  return {
    n,
    regressions: regressions.length,
    improvements: improvements.length,
    pValue: mcnemarExact(regressions.length, improvements.length).pValue,
  };
}

/**
 * With repeats, McNemar's pairs are tasks, not items (repeats of a task are not independent): a
 * task passes a run when all its aligned repeats passed there (pass_all).
 */
function taskLevelPassFail(pairs: readonly AlignedPair[]): PassFailTest {
  const byTask = new Map<string, { a: boolean; b: boolean }>();
  for (const pair of pairs) {
    const verdicts = byTask.get(pair.taskId) ?? { a: true, b: true };
    verdicts.a &&= passed(pair.a);
    verdicts.b &&= passed(pair.b);
    byTask.set(pair.taskId, verdicts);
  }
  let regressions = 0;
  let improvements = 0;
  for (const { a, b } of byTask.values()) {
    if (a && !b) regressions++;
    else if (!a && b) improvements++;
  }
  return {
    n: byTask.size,
    regressions,
    improvements,
    pValue: mcnemarExact(regressions, improvements).pValue,
  };
}

function flip(
  entry: AlignedPair,
  failing: ItemResult,
  runB: string,
  targetB: string,
  repeats: boolean,
): Flip {
  const words = ['assay', 'show', runB, entry.taskId, '--target', targetB];
  if (repeats) words.push('--repeat', String(entry.repeat));
  return {
    taskId: entry.taskId,
    repeat: entry.repeat,
    a: entry.a.status,
    b: entry.b.status,
    reason: failureReason(failing, 160),
    command: words.map(shellQuote).join(' '),
  };
}

/** A named metric that no compared item has is a typo: say which metrics exist. */
function checkMetric(metric: string, targets: readonly TargetComparison[]): void {
  if (metric === PASS_RATE || metric === SCORE || targets.length === 0) return;
  if (targets.some((target) => target.metrics.some((entry) => entry.name === metric && entry.n > 0))) return;
  const known = [
    ...new Set(targets.flatMap((target) => target.metrics.filter((entry) => entry.n > 0).map((m) => m.name))),
  ];
  throw new UserError(
    `no aligned item has the metric "${metric}"`,
    '--metric',
    `metrics of these runs: ${known.join(', ')}`,
  );
}

function groupByTarget(results: readonly ItemResult[]): Map<string, ItemResult[]> {
  const map = new Map<string, ItemResult[]>();
  for (const result of results) {
    const list = map.get(result.targetName);
    if (list) list.push(result);
    else map.set(result.targetName, [result]);
  }
  return map;
}

function side(run: RunRecord, results: number): RunSide {
  return {
    id: run.id,
    status: run.status,
    startedAt: run.startedAt,
    suite: run.options.suite,
    gitCommit: run.fingerprint.gitCommit,
    results,
  };
}

/** Quotes a word for POSIX shells only when it needs it. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
