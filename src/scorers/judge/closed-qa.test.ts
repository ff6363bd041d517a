import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { closedQaScorer } from './closed-qa.js';
import { fakeJudge, judgeContext, judgeWith, makeTask, WHERE } from './test-helpers.js';

describe('closed-qa', () => {
  it('grades against the reference in its tags', async () => {
    const judge = fakeJudge('{"reason": "matches the reference", "score": 1, "pass": true}');
    const verdict = await judgeWith(closedQaScorer, { value: 5 }, 'It is 5.', judge);
    expect(verdict).toEqual({ value: 1, pass: true, reason: 'judge: matches the reference', costUsd: 0.002 });
    expect(judge.requests[0]?.messages[0]?.content).toContain('<reference>\n5\n</reference>');
  });

  it("falls back on the task's expected output and fails a wrong answer", async () => {
    const judge = fakeJudge('Verdict: FAIL. Reason: says 6, the reference says 5');
    const verdict = await judgeWith(closedQaScorer, {}, '6', judge, makeTask({ expected: '5' }));
    expect(verdict).toMatchObject({ value: 0, pass: false, reason: 'judge: says 6, the reference says 5' });
  });

  it('rejects a missing reference at prepare', () => {
    const action = () => closedQaScorer.prepare({ type: 'closed-qa' }, WHERE, makeTask(), judgeContext());
    expect(action).toThrow(UserError);
    expect(action).toThrow(/closed-qa has nothing to compare with/);
  });
});
