import { describe, expect, it } from 'vitest';
import { compareRuns } from './compare.js';
import { evaluateGate } from './gate.js';
import { manyTasks, resultsOf, runNamed } from './test-helpers.js';

const baselineRun = runNamed('base0000-run');
const newRun = runNamed('new00000-run');
const nothingAllowed = () => false;

function comparison(before: ReturnType<typeof resultsOf>, after: ReturnType<typeof resultsOf>) {
  return compareRuns({ runA: baselineRun, runB: newRun, resultsA: before, resultsB: after });
}

describe('evaluateGate', () => {
  const before = resultsOf('base', { ok: 'pass', flips: 'pass', known: 'fail' });
  const after = resultsOf('new', { ok: 'pass', flips: 'fail', known: 'fail' });

  it('regression: fails on a pass → fail flip, not on a task that already failed', () => {
    const gate = evaluateGate({
      failOn: 'regression',
      results: after,
      comparison: comparison(before, after),
      isAllowed: nothingAllowed,
    });
    expect(gate).toMatchObject({ failOn: 'regression', passed: false });
    expect(gate.reason).toBe('1 regression: passed in the baseline, not now (flips on gpt)');
  });

  it('regression: passes when the flipped task is allowed to fail, and says how many were allowed', () => {
    const gate = evaluateGate({
      failOn: 'regression',
      results: after,
      comparison: comparison(before, after),
      isAllowed: (task) => task === 'flips',
    });
    expect(gate.passed).toBe(true);
    expect(gate.reason).toBe('no regressions against baseline base0000; 1 item allowed to fail');
  });

  it('regression: a failing task with no baseline result fails the gate too', () => {
    const withNew = [...after, ...resultsOf('new', { fresh: 'error' })];
    const gate = evaluateGate({
      failOn: 'regression',
      results: withNew,
      comparison: comparison(before, withNew),
      isAllowed: (task) => task === 'flips',
    });
    expect(gate.passed).toBe(false);
    expect(gate.violations).toEqual(['1 item with no baseline result failed or errored (fresh on gpt)']);
  });

  it('any-failure: fails on every non-allowed failure, errors included', () => {
    const gate = evaluateGate({
      failOn: 'any-failure',
      results: after,
      comparison: null,
      isAllowed: (task) => task === 'known',
    });
    expect(gate.passed).toBe(false);
    expect(gate.reason).toBe('1 item failed or errored (flips on gpt); 1 item allowed to fail');
  });

  it('falls back to any-failure without a baseline and says so', () => {
    const gate = evaluateGate({
      failOn: 'significant-regression',
      results: resultsOf('new', { a: 'pass' }),
      comparison: null,
      isAllowed: nothingAllowed,
    });
    expect(gate).toMatchObject({ failOn: 'any-failure', passed: true });
    expect(gate.reason).toBe('no baseline, so gating on failures: no item failed');
  });

  it('significant-regression: ignores a single flip but fails on a significantly worse target', () => {
    const single = evaluateGate({
      failOn: 'significant-regression',
      results: after,
      comparison: comparison(before, after),
      isAllowed: nothingAllowed,
    });
    expect(single.passed).toBe(true);

    const many = manyTasks(20, () => 'pass');
    const broken = resultsOf(
      'new',
      manyTasks(20, (index) => (index > 10 ? 'fail' : 'pass')),
    );
    const gate = evaluateGate({
      failOn: 'significant-regression',
      results: broken,
      comparison: comparison(resultsOf('base', many), broken),
      isAllowed: nothingAllowed,
    });
    expect(gate.passed).toBe(false);
    expect(gate.reason).toMatch(/^significantly worse than the baseline: gpt \(McNemar p = 0\.00195/);
  });

  it('--min-pass-rate fails a target below it (allowed tasks left out of the rate)', () => {
    const results = resultsOf(
      'new',
      manyTasks(10, (index) => (index <= 8 ? 'pass' : 'fail')),
    );
    const failing = evaluateGate({
      failOn: 'any-failure',
      results,
      comparison: null,
      isAllowed: (task) => task === 't09' || task === 't10',
      minPassRate: 0.9,
    });
    expect(failing.passed).toBe(true);
    const strict = evaluateGate({
      failOn: 'any-failure',
      results,
      comparison: null,
      isAllowed: (task) => task === 't10',
      minPassRate: 0.95,
    });
    expect(strict.violations).toEqual([
      '1 item failed or errored (t09 on gpt)',
      'pass rate of gpt 88.9% (8/9) is below --min-pass-rate 95%',
    ]);
  });

  it('lists at most five names in the reason', () => {
    const results = resultsOf(
      'new',
      manyTasks(8, () => 'fail'),
    );
    const gate = evaluateGate({
      failOn: 'any-failure',
      results,
      comparison: null,
      isAllowed: nothingAllowed,
    });
    expect(gate.reason).toBe(
      '8 items failed or errored (t01 on gpt, t02 on gpt, t03 on gpt, t04 on gpt, t05 on gpt, … 3 more)',
    );
  });
});
