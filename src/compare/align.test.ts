import { describe, expect, it } from 'vitest';
import { alignResults, passed } from './align.js';
import { metricValue, PASS_RATE, SCORE } from './metrics.js';
import { makeResult, resultsOf } from './test-helpers.js';

describe('alignResults', () => {
  it('pairs by task id and repeat, not by item id or position', () => {
    const a = resultsOf('A', { x: 'pass', y: 'fail', z: 'pass' });
    const b = resultsOf('B', { z: 'fail', x: 'pass', y: 'pass' }).reverse();
    const { pairs } = alignResults(a, b);
    expect(pairs.map((pair) => [pair.taskId, pair.a.status, pair.b.status])).toEqual([
      ['x', 'passed', 'passed'],
      ['y', 'failed', 'passed'],
      ['z', 'passed', 'failed'],
    ]);
    for (const pair of pairs) expect(pair.a.itemId).not.toBe(pair.b.itemId);
  });

  it('compares the intersection and names the tasks only one run has (a renamed task is both)', () => {
    const a = resultsOf('A', { keep: 'pass', 'old-name': 'pass', dropped: 'fail' });
    const b = resultsOf('B', { keep: 'pass', 'new-name': 'pass' });
    const alignment = alignResults(a, b);
    expect(alignment.pairs.map((pair) => pair.taskId)).toEqual(['keep']);
    expect(alignment.onlyA).toEqual(['dropped', 'old-name']);
    expect(alignment.onlyB).toEqual(['new-name']);
    expect(alignment.extraRepeatsA).toBe(0);
    expect(alignment.extraRepeatsB).toBe(0);
  });

  it('pairs repeats index by index and counts repeats only one side made', () => {
    const a = resultsOf('A', { t: ['pass', 'fail', 'pass'] });
    const b = resultsOf('B', { t: ['fail'] });
    const alignment = alignResults(a, b);
    expect(alignment.pairs).toHaveLength(1);
    expect(alignment.pairs[0]).toMatchObject({ taskId: 't', repeat: 0 });
    expect(alignment.extraRepeatsA).toBe(2);
    expect(alignment.extraRepeatsB).toBe(0);
    expect(alignment.onlyA).toEqual([]);
  });

  it('reports aligned tasks whose content changed', () => {
    const a = [
      makeResult({ taskId: 'q', taskVersion: 'v1' }),
      makeResult({ taskId: 'r', taskVersion: 'v1' }),
    ];
    const b = [
      makeResult({ taskId: 'q', taskVersion: 'v2' }),
      makeResult({ taskId: 'r', taskVersion: 'v1' }),
    ];
    expect(alignResults(a, b).changedTasks).toEqual(['q']);
  });

  it('keeps the first result when a key repeats', () => {
    const a = [makeResult({ taskId: 'q', status: 'passed' }), makeResult({ taskId: 'q', status: 'failed' })];
    const { pairs, extraRepeatsA } = alignResults(a, a);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.a.status).toBe('passed');
    expect(extraRepeatsA).toBe(0);
  });
});

describe('errored items', () => {
  it('count as not passing, with pass value 0 and score 0, and feed no named metric', () => {
    const [errored] = resultsOf('A', { t: 'error' });
    expect(passed(errored!)).toBe(false);
    expect(metricValue(errored!, PASS_RATE)).toBe(0);
    expect(metricValue({ ...errored!, score: 0.7 }, SCORE)).toBe(0);
    expect(metricValue(errored!, 'accuracy')).toBeUndefined();
  });

  it('a pass → error flip is a regression in the pairs', () => {
    const { pairs } = alignResults(resultsOf('A', { t: 'pass' }), resultsOf('B', { t: 'error' }));
    expect(passed(pairs[0]!.a)).toBe(true);
    expect(passed(pairs[0]!.b)).toBe(false);
  });
});
