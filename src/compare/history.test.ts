import { describe, expect, it } from 'vitest';
import { emptyRunStats } from '../store/run-listing.js';
import { markChanges, pointFromResults, pointFromStats } from './history.js';
import { makeResult, resultsOf, runNamed } from './test-helpers.js';

describe('history points', () => {
  it('takes the whole-run pass rate and its Wilson interval from the stored aggregates', () => {
    const point = pointFromStats(runNamed('r1'), {
      ...emptyRunStats(),
      results: 10,
      passed: 8,
      costUsd: 0.5,
      judgeCostUsd: 0.1,
    });
    expect(point).toMatchObject({ runId: 'r1', value: 0.8, passed: 8, total: 10, n: 10, costUsd: 0.6 });
    expect(point.low).toBeCloseTo(0.4902, 3);
    expect(point.high).toBeCloseTo(0.9433, 3);
  });

  it('has no value for a run without results', () => {
    expect(pointFromStats(runNamed('r1'), emptyRunStats())).toMatchObject({
      value: null,
      low: null,
      high: null,
    });
  });

  it('computes a pass rate, a score or a named metric from results (errors count as fail / 0)', () => {
    const results = [
      ...resultsOf('r', { a: 'pass', b: 'fail', c: 'error' }),
      makeResult({
        taskId: 'd',
        score: 0.5,
        scores: [{ name: 'equals', value: 0.5, pass: true, reason: '', weight: 1, metric: 'accuracy' }],
      }),
    ];
    const run = runNamed('r');
    expect(pointFromResults(run, results, 'pass_rate')).toMatchObject({ value: 0.5, passed: 2, total: 4 });
    expect(pointFromResults(run, results, 'score').value).toBeCloseTo((1 + 0 + 0 + 0.5) / 4);
    expect(pointFromResults(run, results, 'accuracy')).toMatchObject({ value: 0.5, n: 1, low: null });
    expect(pointFromResults(run, results, 'missing')).toMatchObject({ value: null, n: 0 });
  });
});

describe('markChanges', () => {
  it('marks the runs whose prompt or target version differs from the run before', () => {
    const base = runNamed('r1');
    const runs = [
      base,
      runNamed('r2'),
      runNamed('r3', { fingerprint: { ...base.fingerprint, promptVersions: { main: 'p2' } } }),
      runNamed('r4', {
        fingerprint: { ...base.fingerprint, promptVersions: { main: 'p2' }, targetVersions: { gpt: 'gv9' } },
      }),
    ];
    const points = runs.map((run) => pointFromResults(run, [], 'pass_rate'));
    markChanges(points, runs);
    expect(points.map((point) => point.changes)).toEqual([[], [], ['prompt main'], ['target gpt']]);

    const filtered = runs.map((run) => pointFromResults(run, [], 'pass_rate'));
    markChanges(filtered, runs, 'claude');
    expect(filtered[3]!.changes).toEqual([]);
  });
});
