import { describe, expect, it } from 'vitest';
import { containsScorer } from './contains.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

describe('contains', () => {
  it('passes when the output contains the value', () => {
    expect(scoreWith(containsScorer, { value: 'Paris' }, makeInput('The capital is Paris.'))).toEqual({
      value: 1,
      pass: true,
      reason: 'contains "Paris"',
    });
  });

  it('fails, quoting the value and the output', () => {
    expect(scoreWith(containsScorer, { value: 'Paris' }, makeInput('Lyon'))).toEqual({
      value: 0,
      pass: false,
      reason: '"Paris" not found in "Lyon"',
    });
  });

  it('is case-sensitive', () => {
    expect(scoreWith(containsScorer, { value: 'Paris' }, makeInput('paris')).pass).toBe(false);
  });

  it('accepts a number as the value', () => {
    expect(scoreWith(containsScorer, { value: 42 }, makeInput('the answer is 42')).pass).toBe(true);
    expect(scoreWith(containsScorer, { value: 4.5 }, makeInput('4,5')).pass).toBe(false);
  });

  it("falls back on the task's expected output", () => {
    const task = makeTask({ expected: 'Paris' });
    expect(scoreWith(containsScorer, {}, makeInput('in Paris', { task }), task).pass).toBe(true);
  });

  it('rejects a missing, empty or non-text value at prepare', () => {
    const prepare = (value: unknown) => () =>
      containsScorer.prepare({ type: 'contains', value }, WHERE, makeTask(), CONTEXT);
    expectUserError(prepare(undefined), /nothing to compare/);
    expectUserError(prepare(''), /non-empty/);
    expectUserError(prepare(['a', 'b']), /string or number.*\["a","b"\] \(array\)/);
    expectUserError(prepare(Number.NaN), /string or number/);
    expectUserError(prepare(true), /true \(boolean\)/);
  });

  it('fails on an empty output', () => {
    expect(scoreWith(containsScorer, { value: 'x' }, makeInput('')).reason).toBe('"x" not found in ""');
  });

  it('matches composed and decomposed Unicode alike', () => {
    expect(scoreWith(containsScorer, { value: 'caf\u00e9' }, makeInput('un cafe\u0301 noir')).pass).toBe(
      true,
    );
    expect(scoreWith(containsScorer, { value: '日本' }, makeInput('私は日本人です')).pass).toBe(true);
  });

  it('truncates a long output in the reason', () => {
    const { reason } = scoreWith(containsScorer, { value: 'z' }, makeInput('y'.repeat(1000)));
    expect(reason).toBe(`"z" not found in "${'y'.repeat(80)}…"`);
  });
});

describe('options and thresholds contains does not take', () => {
  it('are configuration errors, not silently ignored', () => {
    const prepare = (extra: object) => () =>
      containsScorer.prepare({ type: 'contains', value: 'x', ...extra }, WHERE, makeTask(), CONTEXT);
    expectUserError(prepare({ options: { ignoreCas: true } }), /ignoreCas/);
    expectUserError(prepare({ threshold: 100 }), /takes no "threshold"/);
  });
});
