import { describe, expect, it } from 'vitest';
import { costScorer, formatUsd } from './cost.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

describe('cost', () => {
  it('passes at or under the threshold in USD', () => {
    expect(scoreWith(costScorer, { threshold: 0.01 }, makeInput('', { costUsd: 0.0042 }))).toEqual({
      value: 1,
      pass: true,
      reason: 'cost $0.0042 <= $0.01',
    });
    expect(scoreWith(costScorer, { threshold: 0.01 }, makeInput('', { costUsd: 0.01 })).pass).toBe(true);
  });

  it('fails over the threshold', () => {
    expect(scoreWith(costScorer, { threshold: 0.01 }, makeInput('', { costUsd: 0.25 }))).toEqual({
      value: 0,
      pass: false,
      reason: 'cost $0.25 > $0.01',
    });
  });

  it('fails when the cost is unknown', () => {
    const verdict = scoreWith(costScorer, { threshold: 1 }, makeInput('', { costUsd: null }));
    expect(verdict.pass).toBe(false);
    expect(verdict.value).toBe(0);
    expect(verdict.reason).toMatch(/^cost unknown/);
  });

  it('accepts 0 as "must be free"', () => {
    expect(scoreWith(costScorer, { threshold: 0 }, makeInput('', { costUsd: 0 })).pass).toBe(true);
    expect(scoreWith(costScorer, { threshold: 0 }, makeInput('', { costUsd: 0.000001 })).pass).toBe(false);
  });

  it('requires a threshold from 0 up', () => {
    const prepare = (threshold?: number) => () =>
      costScorer.prepare({ type: 'cost', threshold }, WHERE, makeTask(), CONTEXT);
    expectUserError(prepare(undefined), /cost needs "threshold" in US dollars/);
    expectUserError(prepare(-0.5), /from 0 and up, got -0.5/);
    expectUserError(prepare(Number.NaN), /got NaN \(number\)/);
  });

  it('formats amounts with four significant digits', () => {
    expect(formatUsd(0.000123456)).toBe('$0.0001235');
    expect(formatUsd(12.5)).toBe('$12.5');
    expect(formatUsd(0)).toBe('$0');
  });
});
