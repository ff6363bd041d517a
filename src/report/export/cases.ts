import type { ItemResult } from '../../types.js';

/** The repeats of one task on one target: a JUnit testcase, a row of the flaky and failure lists. */
export interface Case {
  taskId: string;
  target: string;
  /** In repeat order. */
  results: ItemResult[];
  passed: number;
  failed: number;
  errors: number;
}

/** Folds results into task × target cases, in first-seen order. */
export function groupCases(results: readonly ItemResult[]): Case[] {
  const byKey = new Map<string, Case>();
  for (const result of results) {
    // JSON of the pair: no separator character can make two different pairs collide.
    const key = JSON.stringify([result.targetName, result.taskId]);
    let group = byKey.get(key);
    if (!group) {
      group = {
        taskId: result.taskId,
        target: result.targetName,
        results: [],
        passed: 0,
        failed: 0,
        errors: 0,
      };
      byKey.set(key, group);
    }
    group.results.push(result);
    if (result.status === 'passed') group.passed++;
    else if (result.status === 'failed') group.failed++;
    else group.errors++;
  }
  const cases = [...byKey.values()];
  for (const group of cases) group.results.sort((a, b) => a.repeat - b.repeat);
  return cases;
}

/** Results grouped by target name, in first-seen order. */
export function groupByTarget(results: readonly ItemResult[]): Map<string, ItemResult[]> {
  const byTarget = new Map<string, ItemResult[]>();
  for (const result of results) {
    const list = byTarget.get(result.targetName);
    if (list) list.push(result);
    else byTarget.set(result.targetName, [result]);
  }
  return byTarget;
}
