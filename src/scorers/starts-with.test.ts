import { describe, expect, it } from 'vitest';
import { startsWithScorer } from './starts-with.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

describe('starts-with', () => {
  it('passes when the output starts with the value, ignoring leading whitespace', () => {
    expect(scoreWith(startsWithScorer, { value: 'Yes' }, makeInput('\n  Yes, it is.'))).toEqual({
      value: 1,
      pass: true,
      reason: 'starts with "Yes"',
    });
  });

  it('fails quoting the prefix and the start of the output', () => {
    expect(scoreWith(startsWithScorer, { value: 'Yes' }, makeInput('  Well, yes'))).toEqual({
      value: 0,
      pass: false,
      reason: 'expected to start with "Yes", got "Well, yes"',
    });
  });

  it('is case-sensitive unless ignoreCase is set', () => {
    expect(scoreWith(startsWithScorer, { value: 'YES' }, makeInput('yes')).pass).toBe(false);
    expect(
      scoreWith(startsWithScorer, { value: 'YES', options: { ignoreCase: true } }, makeInput('yes')).pass,
    ).toBe(true);
  });

  it("falls back on the task's expected output and accepts numbers", () => {
    const task = makeTask({ expected: '  42' });
    expect(scoreWith(startsWithScorer, {}, makeInput('42 apples', { task }), task).pass).toBe(true);
    expect(scoreWith(startsWithScorer, { value: 3.5 }, makeInput('3.5 m')).pass).toBe(true);
  });

  it('fails on an output shorter than the prefix', () => {
    expect(scoreWith(startsWithScorer, { value: 'Hello' }, makeInput('He')).pass).toBe(false);
  });

  it('rejects a missing, empty or non-text value at prepare', () => {
    const prepare = (value: unknown) => () =>
      startsWithScorer.prepare({ type: 'starts-with', value }, WHERE, makeTask(), CONTEXT);
    expectUserError(prepare(undefined), /nothing to compare/);
    expectUserError(prepare('   '), /non-empty prefix, got " {3}" \(string\)/);
    expectUserError(prepare(['a']), /string or number as the prefix, got \["a"\] \(array\)/);
  });
});
