import type { ItemResult } from '../types.js';

/** The results of one work item in both runs: same task id, same repeat, paired targets. */
export interface AlignedPair {
  taskId: string;
  repeat: number;
  a: ItemResult;
  b: ItemResult;
}

/** How two runs' results of one target pair line up. */
export interface Alignment {
  /** Sorted by task id, then repeat, so resampling sees the same order in every invocation. */
  pairs: AlignedPair[];
  /** Task ids with results in A only / B only, sorted. */
  onlyA: string[];
  onlyB: string[];
  /** Results of shared tasks without a counterpart: repeats one run made and the other did not. */
  extraRepeatsA: number;
  extraRepeatsB: number;
  /** Aligned tasks whose content (task version) differs between the runs. */
  changedTasks: string[];
}

/**
 * Pairs results by work-item identity (task id + repeat), never by item id (which includes the
 * task and target versions that a comparison is meant to vary) and never by position. Callers pass
 * the results of one target from each run. A duplicate key keeps its first result.
 */
export function alignResults(a: readonly ItemResult[], b: readonly ItemResult[]): Alignment {
  const byKeyA = indexByKey(a);
  const byKeyB = indexByKey(b);
  const pairs: AlignedPair[] = [];
  for (const [key, resultA] of byKeyA) {
    const resultB = byKeyB.get(key);
    if (resultB) pairs.push({ taskId: resultA.taskId, repeat: resultA.repeat, a: resultA, b: resultB });
  }
  pairs.sort((left, right) => compareText(left.taskId, right.taskId) || left.repeat - right.repeat);

  const tasksA = new Set(a.map((result) => result.taskId));
  const tasksB = new Set(b.map((result) => result.taskId));
  const changed = new Set<string>();
  for (const pair of pairs) if (pair.a.taskVersion !== pair.b.taskVersion) changed.add(pair.taskId);
  const extraRepeats = (own: Map<string, ItemResult>, other: Map<string, ItemResult>, tasks: Set<string>) =>
    [...own].filter(([key, result]) => !other.has(key) && tasks.has(result.taskId)).length;
  return {
    pairs,
    onlyA: [...tasksA].filter((task) => !tasksB.has(task)).sort(compareText),
    onlyB: [...tasksB].filter((task) => !tasksA.has(task)).sort(compareText),
    extraRepeatsA: extraRepeats(byKeyA, byKeyB, tasksB),
    extraRepeatsB: extraRepeats(byKeyB, byKeyA, tasksA),
    changedTasks: [...changed].sort(compareText),
  };
}

/** A passed item counts as a pass; failed and errored items both count as not passing. */
export function passed(result: ItemResult): boolean {
  return result.status === 'passed';
}

function indexByKey(results: readonly ItemResult[]): Map<string, ItemResult> {
  const map = new Map<string, ItemResult>();
  for (const result of results) {
    // JSON of the pair: no task id can make two different keys collide.
    const key = JSON.stringify([result.taskId, result.repeat]);
    if (!map.has(key)) map.set(key, result);
  }
  return map;
}

/** Code-unit order: the same in every locale. */
export function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
