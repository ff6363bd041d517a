import { describe, expect, it } from 'vitest';
import { containsAllScorer } from './contains-all.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

describe('contains-all', () => {
  it('passes when every string is found', () => {
    expect(scoreWith(containsAllScorer, { value: ['Paris', 'Lyon'] }, makeInput('Lyon and Paris'))).toEqual({
      value: 1,
      pass: true,
      reason: 'contains all 2',
    });
  });

  it('fails naming the missing ones, with the share found as value', () => {
    expect(
      scoreWith(containsAllScorer, { value: 'Paris, Lyon, Nice, Lille' }, makeInput('Paris only')),
    ).toEqual({
      value: 0.25,
      pass: false,
      reason: 'missing "Lyon", "Nice", "Lille" (1 of 4 found) in "Paris only"',
    });
  });

  it('folds case with ignoreCase and counts a repeated string once', () => {
    const spec = { value: ['Paris', 'LYON', 'Paris'], options: { ignoreCase: true } };
    expect(scoreWith(containsAllScorer, spec, makeInput('paris, lyon'))).toEqual({
      value: 1,
      pass: true,
      reason: 'contains all 2',
    });
  });

  it('matches composed and decomposed Unicode alike', () => {
    expect(
      scoreWith(containsAllScorer, { value: ['caf\u00e9', '日本'] }, makeInput('cafe\u0301 日本')).pass,
    ).toBe(true);
  });

  it('fails on an empty output', () => {
    expect(scoreWith(containsAllScorer, { value: ['x'] }, makeInput('')).reason).toBe(
      'missing "x" (0 of 1 found) in ""',
    );
  });

  it('does not fall back on the task expected output', () => {
    expectUserError(
      () => containsAllScorer.prepare({ type: 'contains-all' }, WHERE, makeTask({ expected: 'x' }), CONTEXT),
      /contains-all needs a list of strings/,
    );
  });
});
