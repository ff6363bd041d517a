import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { FACTUALITY_SCORES, factualityScorer } from './factuality.js';
import { fakeJudge, judgeContext, judgeWith, makeTask, WHERE } from './test-helpers.js';

describe('factuality', () => {
  it.each([
    ['A', 0.75, true, 'subset of the reference'],
    ['B', 1, true, 'superset of the reference'],
    ['C', 1, true, 'same facts as the reference'],
    ['D', 0, false, 'contradicts the reference'],
    ['E', 1, true, 'differs only immaterially'],
  ])('maps choice %s to value %s, pass %s', async (choice, value, pass, label) => {
    const judge = fakeJudge(`{"reason": "because", "choice": "${choice}"}`);
    const verdict = await judgeWith(factualityScorer, { value: 'Paris is the capital' }, 'Paris', judge);
    expect(verdict).toEqual({ value, pass, reason: `judge: (${choice}) ${label}: because`, costUsd: 0.002 });
    expect(FACTUALITY_SCORES[choice]).toBe(value);
  });

  it('puts the reference in the expert answer tags, from the task expected output when there is no value', async () => {
    const judge = fakeJudge('Answer: C');
    const task = makeTask({ expected: 'Paris is the capital of France.' });
    await judgeWith(factualityScorer, {}, 'Paris', judge, task);
    expect(judge.requests[0]?.messages[0]?.content).toContain(
      '<expert_answer>\nParis is the capital of France.\n</expert_answer>',
    );
  });

  it('applies a stricter threshold', async () => {
    const judge = fakeJudge('{"choice": "A"}');
    expect((await judgeWith(factualityScorer, { value: 'x', threshold: 0.8 }, 'x', judge)).pass).toBe(false);
  });

  it('rejects a task without a reference at prepare', () => {
    const action = () => factualityScorer.prepare({ type: 'factuality' }, WHERE, makeTask(), judgeContext());
    expect(action).toThrow(UserError);
    expect(action).toThrow(/factuality has nothing to compare with/);
  });

  it('rejects a reference that is not text', () => {
    const action = () =>
      factualityScorer.prepare({ type: 'factuality', value: { a: 1 } }, WHERE, makeTask(), judgeContext());
    expect(action).toThrow(/needs a reference answer \(text\)/);
  });
});
