import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { answerRelevanceScorer } from './answer-relevance.js';
import { fakeJudge, judgeContext, judgeWith, makeTask, WHERE } from './test-helpers.js';

describe('answer-relevance', () => {
  it('fails an answer the judge finds off-topic', async () => {
    const judge = fakeJudge(
      '{"reason": "talks about weather", "answered_question": "Weather?", "score": 0.1, "pass": false}',
    );
    expect(await judgeWith(answerRelevanceScorer, {}, 'It is sunny.', judge)).toEqual({
      value: 0.1,
      pass: false,
      reason: 'judge: talks about weather',
      costUsd: 0.002,
    });
  });

  it('rejects a value at prepare', () => {
    const action = () =>
      answerRelevanceScorer.prepare(
        { type: 'answer-relevance', value: 'x' },
        WHERE,
        makeTask(),
        judgeContext(),
      );
    expect(action).toThrow(UserError);
    expect(action).toThrow(/answer-relevance takes no "value"/);
  });
});
