import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { compareRuns, shellQuote } from './compare.js';
import { makeResult, manyTasks, resultsOf, runNamed } from './test-helpers.js';

const runA = runNamed('aaaaaaaa-0000-4000-8000-000000000001');
const runB = runNamed('bbbbbbbb-0000-4000-8000-000000000002', {
  fingerprint: { ...runA.fingerprint, promptVersions: { main: 'p2' }, targetVersions: { gpt: 'gv2' } },
});

describe('compareRuns', () => {
  it('calls a prompt change that breaks 8 of 20 tasks worse, with McNemar p and the flips', () => {
    const a = resultsOf(
      runA.id,
      manyTasks(20, () => 'pass'),
    );
    const b = resultsOf(
      runB.id,
      manyTasks(20, (index) => (index > 12 ? (index === 20 ? 'error' : 'fail') : 'pass')),
    );
    const comparison = compareRuns({ runA, runB, resultsA: a, resultsB: b });
    const [target] = comparison.targets;
    expect(comparison.targets).toHaveLength(1);
    expect(target).toMatchObject({ a: 'gpt', b: 'gpt', aligned: 20, verdict: 'worse' });
    expect(target!.passFail).toMatchObject({ n: 20, regressions: 8, improvements: 0 });
    expect(target!.passFail.pValue).toBeCloseTo(2 / 256, 12);
    expect(target!.regressions.map((flip) => flip.taskId)).toEqual([
      't13',
      't14',
      't15',
      't16',
      't17',
      't18',
      't19',
      't20',
    ]);
    expect(target!.regressions.at(-1)).toMatchObject({
      a: 'passed',
      b: 'error',
      reason: 'timeout: no answer',
    });
    expect(target!.regressions[0]!.command).toBe(`assay show ${runB.id} t13 --target gpt`);
    const passRate = target!.metrics.find((metric) => metric.name === 'pass_rate')!;
    expect(passRate).toMatchObject({ n: 20, a: 1, b: 0.6 });
    expect(passRate.delta).toBeCloseTo(-0.4);
    expect(passRate.high!).toBeLessThan(0);
    // A prompt edit is one thing of interest (its target version moves with it): no warning.
    expect(comparison.confounded).toEqual([]);
    expect(comparison.changes.map((change) => change.kind)).toEqual(['prompt', 'target']);
  });

  it('gives the same intervals for the same seed, and different ones for another seed', () => {
    const scored = (runId: string, shift: number) =>
      Object.keys(manyTasks(30, () => 'pass')).map((taskId, index) =>
        makeResult({ runId, taskId, score: ((index * 37 + shift) % 100) / 100 }),
      );
    const a = scored(runA.id, 0);
    const b = scored(runB.id, 11);
    const run = (seed?: string) =>
      compareRuns({ runA, runB, resultsA: a, resultsB: b, ...(seed ? { seed } : {}) }).targets[0]!
        .metrics[1]!;
    expect(run()).toEqual(run('1'));
    expect(run('7')).toEqual(run('7'));
    expect([run('7').low, run('7').high]).not.toEqual([run('1').low, run('1').high]);
  });

  it('is not comparable with too few aligned items, and counts tasks only in one run', () => {
    const a = resultsOf(runA.id, { t1: 'pass', t2: 'pass', gone: 'pass' });
    const b = resultsOf(runB.id, { t1: 'fail', t2: 'fail', added: 'pass' });
    const target = compareRuns({ runA, runB, resultsA: a, resultsB: b }).targets[0]!;
    expect(target.verdict).toBe('not comparable');
    expect(target.reason).toMatch(/n too small: 2 aligned items/);
    expect(target.onlyA).toEqual(['gone']);
    expect(target.onlyB).toEqual(['added']);
  });

  it('compares a renamed target (model swap) and says it changed', () => {
    const a = resultsOf(
      runA.id,
      manyTasks(10, () => 'fail'),
      { targetName: 'gpt-4o' },
    );
    const b = resultsOf(
      runB.id,
      manyTasks(10, () => 'pass'),
      { targetName: 'claude' },
    );
    const comparison = compareRuns({
      runA: runNamed('a', { fingerprint: { ...runA.fingerprint, targetVersions: { 'gpt-4o': 'g1' } } }),
      runB: runNamed('b', { fingerprint: { ...runA.fingerprint, targetVersions: { claude: 'c1' } } }),
      resultsA: a,
      resultsB: b,
    });
    expect(comparison.targets[0]).toMatchObject({ a: 'gpt-4o', b: 'claude', verdict: 'better' });
    expect(comparison.changes).toEqual([
      { kind: 'target', name: 'gpt-4o → claude', before: 'g1', after: 'c1' },
    ]);
    expect(comparison.targets[0]!.improvements[0]!.command).toBe('assay show b t01 --target claude');
  });

  it('warns when more than one thing of interest changed', () => {
    const comparison = compareRuns({
      runA,
      runB: runNamed('b', {
        fingerprint: { ...runB.fingerprint, datasetVersion: 'd2', scorerVersions: { contains: '2' } },
      }),
      resultsA: resultsOf('a', { t: 'pass' }),
      resultsB: resultsOf('b', { t: 'pass' }),
    });
    expect(comparison.confounded).toEqual(['prompt', 'dataset', 'scorer']);
  });

  it('compares named metrics and lets one decide the verdict', () => {
    const withAccuracy = (value: number) => ({
      scores: [{ name: 'equals', value, pass: value > 0.5, reason: '', weight: 1, metric: 'accuracy' }],
    });
    const a = manyTasks(12, () => 'pass');
    const resultsA = Object.keys(a).map((taskId) => makeResult({ taskId, ...withAccuracy(0.9) }));
    const resultsB = Object.keys(a).map((taskId) => makeResult({ taskId, ...withAccuracy(0.6) }));
    const comparison = compareRuns({ runA, runB, resultsA, resultsB, metric: 'accuracy' });
    const target = comparison.targets[0]!;
    expect(target.metrics.map((metric) => metric.name)).toEqual(['pass_rate', 'score', 'accuracy']);
    expect(target.verdict).toBe('worse');
    expect(target.reason).toMatch(/^accuracy Δ -0\.30/);
    expect(comparison.metric).toBe('accuracy');
  });

  it('rejects a metric no item has, listing the metrics there are', () => {
    const results = resultsOf('a', { t: 'pass' });
    expect(() =>
      compareRuns({ runA, runB, resultsA: results, resultsB: results, metric: 'acuracy' }),
    ).toThrow(UserError);
    expect(
      compareRuns({ runA, runB, resultsA: results, resultsB: results, metric: 'pass-rate' }).metric,
    ).toBe('pass_rate');
  });

  it('prices a cached answer at what it first cost, so a cached re-run is not cheaper', () => {
    const a = [makeResult({ taskId: 't', costUsd: 0.002 })];
    const b = [makeResult({ taskId: 't', costUsd: 0, cached: true, savedUsd: 0.002, latencyMs: 1 })];
    const target = compareRuns({ runA, runB, resultsA: a, resultsB: b }).targets[0]!;
    expect(target.cost.deltaTotalUsd).toBe(0);
    expect(target.latency.b).toEqual({ calls: 0, meanMs: null, totalMs: 0 });
    expect(target.latency.deltaMeanMs).toBeNull();
  });

  it('adds --repeat to the inspect command when the runs have repeats', () => {
    const a = resultsOf('a', { t: ['pass', 'pass'] });
    const b = resultsOf('b', { t: ['pass', 'fail'] });
    const target = compareRuns({ runA, runB, resultsA: a, resultsB: b }).targets[0]!;
    expect(target.regressions[0]).toMatchObject({ taskId: 't', repeat: 1 });
    expect(target.regressions[0]!.command).toBe(`assay show ${runB.id} t --target gpt --repeat 1`);
  });

  it('with repeats, resamples and tests tasks, not items (repeats are not independent)', () => {
    // 8 tasks × 3 repeats. In B, tasks t1..t4 fail one repeat each: 4 item flips, but as tasks
    // (pass_all) also 4 discordant tasks; the bootstrap runs over 8 task means, not 24 items.
    const spec = (broken: boolean) =>
      (broken ? ['pass', 'fail', 'pass'] : ['pass', 'pass', 'pass']) as Array<'pass' | 'fail'>;
    const outcomesA: Record<string, Array<'pass' | 'fail'>> = {};
    const outcomesB: Record<string, Array<'pass' | 'fail'>> = {};
    for (let index = 1; index <= 8; index++) {
      outcomesA[`t${index}`] = spec(false);
      outcomesB[`t${index}`] = spec(index <= 4);
    }
    const target = compareRuns({
      runA,
      runB,
      resultsA: resultsOf('a', outcomesA),
      resultsB: resultsOf('b', outcomesB),
    }).targets[0]!;
    expect(target.aligned).toBe(24);
    expect(target.passFail).toMatchObject({ n: 8, regressions: 4, improvements: 0 });
    // Exact McNemar, 4 discordant pairs all one way: p = 2 × 0.5^4 = 0.125.
    expect(target.passFail.pValue).toBeCloseTo(0.125, 10);
    const passRate = target.metrics.find((metric) => metric.name === 'pass_rate')!;
    expect(passRate.n).toBe(8);
    expect(passRate.delta).toBeCloseTo(-4 / 24, 10); // mean over tasks of (−1/3 for four, 0 for four)
    expect(target.regressions).toHaveLength(4); // the item-level flips are still listed
  });

  it('notes why nothing is compared when the runs share no target', () => {
    const comparison = compareRuns({
      runA,
      runB,
      resultsA: [
        ...resultsOf('a', { t: 'pass' }, { targetName: 'x' }),
        ...resultsOf('a', { t: 'pass' }, { targetName: 'y' }),
      ],
      resultsB: resultsOf('b', { t: 'pass' }, { targetName: 'z' }),
    });
    expect(comparison.targets).toEqual([]);
    expect(comparison.unpairedTargets).toEqual({ onlyA: ['x', 'y'], onlyB: ['z'] });
    expect(comparison.note).toMatch(/share no target/);
  });
});

describe('shellQuote', () => {
  it('quotes only words that need it', () => {
    expect(shellQuote('openai:gpt-4o-mini')).toBe('openai:gpt-4o-mini');
    expect(shellQuote('my task')).toBe("'my task'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});
