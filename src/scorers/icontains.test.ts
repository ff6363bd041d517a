import { describe, expect, it } from 'vitest';
import { icontainsScorer } from './icontains.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

describe('icontains', () => {
  it('ignores case on both sides', () => {
    expect(scoreWith(icontainsScorer, { value: 'PARIS' }, makeInput('the capital is paris'))).toEqual({
      value: 1,
      pass: true,
      reason: 'contains "PARIS"',
    });
  });

  it('fails when the text is absent in any case', () => {
    expect(scoreWith(icontainsScorer, { value: 'Paris' }, makeInput('LYON'))).toEqual({
      value: 0,
      pass: false,
      reason: '"Paris" not found in "LYON"',
    });
  });

  it('folds non-ASCII letters and accepts numbers', () => {
    expect(scoreWith(icontainsScorer, { value: 'ÉCOLE' }, makeInput('une e\u0301cole')).pass).toBe(true);
    expect(scoreWith(icontainsScorer, { value: 7 }, makeInput('Agent 007')).pass).toBe(true);
  });

  it("falls back on the task's expected output and rejects bad values", () => {
    const task = makeTask({ expected: 'yes' });
    expect(scoreWith(icontainsScorer, {}, makeInput('YES!', { task }), task).pass).toBe(true);
    expectUserError(
      () => icontainsScorer.prepare({ type: 'icontains', value: {} }, WHERE, makeTask(), CONTEXT),
      /icontains/,
    );
  });
});
