import { describe, expect, it } from 'vitest';
import type { AssertionSpec, Task } from '../types.js';
import { prepareTask } from './aggregate.js';
import { ScorerRegistry } from './registry.js';
import { defineScorer } from './scorer.js';
import { expectUserError, makeInput, makeTask } from './test-helpers.js';

/** Built-ins plus a scorer returning `spec.value` as its value, and two that break. */
function testRegistry(): ScorerRegistry {
  const registry = new ScorerRegistry();
  registry.register(
    defineScorer({
      name: 'fixed',
      version: '1',
      prepare(spec) {
        const value = Number(spec.value);
        return () => ({ value, pass: value >= 0.5, reason: `fixed ${value}` });
      },
    }),
  );
  registry.register(
    defineScorer({
      name: 'throws',
      version: '1',
      prepare: () => () => {
        throw new Error('judge unavailable');
      },
    }),
  );
  registry.register(
    defineScorer({
      name: 'rejects',
      version: '1',
      prepare: () => async () => {
        throw new Error('timed out');
      },
    }),
  );
  return registry;
}

async function scoreTask(assert: AssertionSpec[], output: string, overrides: Partial<Task> = {}) {
  const task = makeTask({ assert, ...overrides });
  return prepareTask(task, undefined, testRegistry())(makeInput(output, { task }));
}

describe('prepareTask', () => {
  it('passes a task without assertions with score 1', async () => {
    expect(await scoreTask([], 'anything')).toEqual({
      score: 1,
      pass: true,
      scores: [],
      reason: 'no assertions',
    });
  });

  it('passes when every assertion passes, keeping one score per assertion', async () => {
    const result = await scoreTask(
      [
        { type: 'contains', value: '5' },
        { type: 'not-contains', value: 'sorry', weight: 2 },
      ],
      'it is 5',
    );
    expect(result.score).toBe(1);
    expect(result.pass).toBe(true);
    expect(result.reason).toBe('all 2 assertions passed');
    expect(result.scores).toEqual([
      { name: 'contains', value: 1, pass: true, reason: 'contains "5"', weight: 1 },
      {
        name: 'not-contains',
        value: 1,
        pass: true,
        reason: 'not: "sorry" not found in "it is 5"',
        weight: 2,
      },
    ]);
  });

  it('scores the weighted mean and fails on any failing assertion without a threshold', async () => {
    const result = await scoreTask(
      [
        { type: 'contains', value: 'Paris', weight: 3 },
        { type: 'is-json', weight: 1 },
      ],
      'Paris',
    );
    expect(result.score).toBe(0.75);
    expect(result.pass).toBe(false);
    expect(result.reason).toBe('failed: is-json');
  });

  it('decides pass by the task threshold when there is one', async () => {
    const assert: AssertionSpec[] = [
      { type: 'contains', value: 'Paris', weight: 3 },
      { type: 'is-json', weight: 1 },
    ];
    const lenient = await scoreTask(assert, 'Paris', { threshold: 0.7 });
    expect(lenient).toMatchObject({ score: 0.75, pass: true, reason: 'score 0.75 >= threshold 0.7' });
    const strict = await scoreTask(assert, 'Paris', { threshold: 0.8 });
    expect(strict).toMatchObject({ score: 0.75, pass: false, reason: 'score 0.75 < threshold 0.8' });
  });

  it('does not let floating-point noise fail a score equal to the threshold', async () => {
    const result = await scoreTask(
      [
        { type: 'fixed', value: 0.7 },
        { type: 'fixed', value: 0.1 },
      ],
      '',
      { threshold: 0.4 },
    );
    expect(result.score).toBeLessThan(0.4);
    expect(result.pass).toBe(true);
  });

  it('reports weight-0 assertions without counting them', async () => {
    const result = await scoreTask(
      [
        { type: 'contains', value: 'a' },
        { type: 'is-json', weight: 0 },
      ],
      'a',
    );
    expect(result).toMatchObject({ score: 1, pass: true, reason: 'all 1 weighted assertions passed' });
    expect(result.scores[1]).toMatchObject({ name: 'is-json', pass: false, weight: 0 });
  });

  it('scores 1 and passes when every assertion has weight 0', async () => {
    const result = await scoreTask([{ type: 'is-json', weight: 0 }], 'not json');
    expect(result).toMatchObject({ score: 1, pass: true, reason: 'no assertion has weight' });
    expect(result.scores[0]?.pass).toBe(false);
  });

  it('turns a throwing or rejecting scorer into a failed assertion and scores the rest', async () => {
    const result = await scoreTask(
      [{ type: 'throws' }, { type: 'rejects' }, { type: 'contains', value: 'ok' }],
      'ok',
    );
    expect(result.scores.map(({ value, pass, reason }) => ({ value, pass, reason }))).toEqual([
      { value: 0, pass: false, reason: 'scorer error: judge unavailable' },
      { value: 0, pass: false, reason: 'scorer error: timed out' },
      { value: 1, pass: true, reason: 'contains "ok"' },
    ]);
    expect(result.score).toBeCloseTo(1 / 3);
    expect(result.pass).toBe(false);
  });

  it('treats a value outside 0..1 from a custom scorer as a scorer error', async () => {
    const result = await scoreTask([{ type: 'fixed', value: 1.5 }], '');
    expect(result.scores[0]).toMatchObject({
      value: 0,
      pass: false,
      reason: 'scorer error: value must be a number from 0 to 1, got 1.5 (number)',
    });
  });

  it('scores many outputs with one preparation', async () => {
    const task = makeTask({ assert: [{ type: 'regex', value: '^\\d+$' }] });
    const score = prepareTask(task);
    const results = await Promise.all(['1', 'x', '22'].map((output) => score(makeInput(output, { task }))));
    expect(results.map((result) => result.pass)).toEqual([true, false, true]);
  });

  it('locates a bad assertion by task and position', () => {
    const task = makeTask({ assert: [{ type: 'is-json' }, { type: 'regex', value: '[' }] });
    expectUserError(
      () => prepareTask(task),
      /invalid regex "\["/,
      'tasks/math.yaml: task "add-1" assertion 2',
    );
    expectUserError(
      () => prepareTask(task, 'suite.yaml: task 7'),
      /invalid regex/,
      'suite.yaml: task 7 assertion 2',
    );
  });

  it('validates configuration before any output is scored', () => {
    const bad = (assert: AssertionSpec[]) => () => prepareTask(makeTask({ assert }));
    const where = 'tasks/math.yaml: task "add-1" assertion 1';
    expectUserError(bad([{ type: 'latency' }]), /threshold/, where);
    expectUserError(bad([{ type: 'contains', value: 'a', weight: -1 }]), /weight/, where);
    expectUserError(bad([{ type: 'equal', value: 'a' }]), /did you mean "equals"/, where);
  });

  it('rejects a task threshold outside 0..1', () => {
    expectUserError(
      () => prepareTask(makeTask({ threshold: 80 })),
      /task "threshold" must be a number from 0 to 1, got 80/,
      'tasks/math.yaml: task "add-1"',
    );
  });
});
