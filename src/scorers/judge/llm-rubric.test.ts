import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { llmRubricScorer } from './llm-rubric.js';
import { fakeJudge, judgeContext, judgeWith, makeTask, WHERE } from './test-helpers.js';

const RUBRIC = 'Names "Paris" as the capital';

describe('llm-rubric', () => {
  it('puts the rubric in its tags and passes on the judge verdict', async () => {
    const judge = fakeJudge('{"reason": "names Paris", "score": 0.9, "pass": true}');
    const verdict = await judgeWith(llmRubricScorer, { value: RUBRIC }, 'Paris.', judge);
    expect(verdict).toEqual({ value: 0.9, pass: true, reason: 'judge: names Paris', costUsd: 0.002 });
    expect(judge.requests[0]?.messages[0]?.content).toContain(`<rubric>\n${RUBRIC}\n</rubric>`);
  });

  it('fails on a failing verdict', async () => {
    const judge = fakeJudge('```json\n{"reason": "names Lyon", "score": 0, "pass": false}\n```');
    expect(await judgeWith(llmRubricScorer, { value: RUBRIC }, 'Lyon.', judge)).toEqual({
      value: 0,
      pass: false,
      reason: 'judge: names Lyon',
      costUsd: 0.002,
    });
  });

  it('decides by the threshold when the assertion sets one, whatever the judge says', async () => {
    const judge = fakeJudge('{"reason": "partly", "score": 0.6, "pass": false}');
    expect((await judgeWith(llmRubricScorer, { value: RUBRIC, threshold: 0.5 }, 'x', judge)).pass).toBe(true);
    expect((await judgeWith(llmRubricScorer, { value: RUBRIC, threshold: 0.7 }, 'x', judge)).pass).toBe(
      false,
    );
  });

  it('passes a score of at least 0.5 when the judge gives no verdict', async () => {
    expect((await judgeWith(llmRubricScorer, { value: RUBRIC }, 'x', fakeJudge('Score: 0.5'))).pass).toBe(
      true,
    );
    expect((await judgeWith(llmRubricScorer, { value: RUBRIC }, 'x', fakeJudge('Score: 0.4'))).pass).toBe(
      false,
    );
  });

  it.each([undefined, '', '   ', 42, ['a', 'b']])('rejects the rubric %j at prepare', (value) => {
    const action = () =>
      llmRubricScorer.prepare({ type: 'llm-rubric', value }, WHERE, makeTask(), judgeContext());
    expect(action).toThrow(UserError);
    expect(action).toThrow(/^llm-rubric needs a rubric as "value", got /);
  });
});
