import { makeError, makeFailed, makeResult, makeRun } from '../report/test-helpers.js';
import type { ItemResult, RunRecord } from '../types.js';

export { makeError, makeFailed, makeResult, makeRun };

type Outcome = 'pass' | 'fail' | 'error';

/**
 * Results of one run from a compact spec: `{ t1: 'pass', t2: 'fail' }`. Item ids include the run id
 * (as real ids include versions), so only task id + repeat can line two runs up.
 */
export function resultsOf(
  runId: string,
  outcomes: Record<string, Outcome | Outcome[]>,
  overrides: Partial<ItemResult> = {},
): ItemResult[] {
  const results: ItemResult[] = [];
  for (const [taskId, spec] of Object.entries(outcomes)) {
    const repeats = Array.isArray(spec) ? spec : [spec];
    repeats.forEach((outcome, repeat) => {
      const base = { runId, itemId: `${runId}-${taskId}-${repeat}`, taskId, repeat, ...overrides };
      if (outcome === 'pass') results.push(makeResult(base));
      else if (outcome === 'fail') results.push(makeFailed(base));
      else results.push(makeError('timeout', 'no answer', base));
    });
  }
  return results;
}

/** `count` task ids `t01`, `t02`… each with the outcome `pick(index)` gives. */
export function manyTasks(count: number, pick: (index: number) => Outcome): Record<string, Outcome> {
  const outcomes: Record<string, Outcome> = {};
  for (let index = 1; index <= count; index++) outcomes[`t${String(index).padStart(2, '0')}`] = pick(index);
  return outcomes;
}

export function runNamed(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return makeRun({ id, ...overrides });
}

/** Run A, and run B whose prompt edit breaks 8 of 20 tasks (one of them with an error). */
export function regressionFixture() {
  const runA = runNamed('aaaaaaaa-0000-4000-8000-000000000001');
  const runB = runNamed('bbbbbbbb-0000-4000-8000-000000000002', {
    fingerprint: { ...runA.fingerprint, promptVersions: { main: 'p2' }, targetVersions: { gpt: 'gv2' } },
  });
  const resultsA = resultsOf(
    runA.id,
    manyTasks(20, () => 'pass'),
  );
  const resultsB = resultsOf(
    runB.id,
    manyTasks(20, (index) => (index > 12 ? (index === 20 ? 'error' : 'fail') : 'pass')),
  );
  return { runA, runB, resultsA, resultsB };
}
