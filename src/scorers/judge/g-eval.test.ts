import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { gEvalScorer } from './g-eval.js';
import { fakeJudge, judgeContext, judgeWith, makeTask, WHERE } from './test-helpers.js';

const CRITERIA = 'Coherence: the answer is well structured';

describe('g-eval', () => {
  it.each([
    [1, 0, false],
    [2, 0.25, false],
    [3, 0.5, true],
    [4, 0.75, true],
    [5, 1, true],
  ])('maps score %i to value %s (pass %s)', async (score, value, pass) => {
    const judge = fakeJudge(`{"steps": ["check"], "reason": "r", "score": ${score}}`);
    expect(await judgeWith(gEvalScorer, { value: CRITERIA }, 'x', judge)).toEqual({
      value,
      pass,
      reason: `judge: ${score}/5: r`,
      costUsd: 0.002,
    });
  });

  it('puts the criteria in their tags', async () => {
    const judge = fakeJudge('Score: 4');
    await judgeWith(gEvalScorer, { value: CRITERIA }, 'x', judge);
    expect(judge.requests[0]?.messages[0]?.content).toContain(`<criteria>\n${CRITERIA}\n</criteria>`);
  });

  it('applies the threshold to the 0..1 value', async () => {
    const judge = fakeJudge('{"score": 4}');
    expect((await judgeWith(gEvalScorer, { value: CRITERIA, threshold: 0.8 }, 'x', judge)).pass).toBe(false);
  });

  it('rejects missing criteria at prepare', () => {
    const action = () => gEvalScorer.prepare({ type: 'g-eval' }, WHERE, makeTask(), judgeContext());
    expect(action).toThrow(UserError);
    expect(action).toThrow('g-eval needs criteria as "value", got undefined (undefined)');
  });
});
