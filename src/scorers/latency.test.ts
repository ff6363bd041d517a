import { describe, expect, it } from 'vitest';
import { latencyScorer } from './latency.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

const prepare = (spec: { value?: unknown; threshold?: number }) => () =>
  latencyScorer.prepare({ type: 'latency', ...spec }, WHERE, makeTask(), CONTEXT);

describe('latency', () => {
  it('passes at or under the threshold', () => {
    expect(scoreWith(latencyScorer, { threshold: 500 }, makeInput('', { latencyMs: 120.4 }))).toEqual({
      value: 1,
      pass: true,
      reason: 'latency 120 ms <= 500 ms',
    });
    expect(scoreWith(latencyScorer, { threshold: 500 }, makeInput('', { latencyMs: 500 })).pass).toBe(true);
  });

  it('fails over the threshold', () => {
    expect(scoreWith(latencyScorer, { threshold: 500 }, makeInput('', { latencyMs: 501 }))).toEqual({
      value: 0,
      pass: false,
      reason: 'latency 501 ms > 500 ms',
    });
  });

  it('requires a positive, finite threshold', () => {
    expectUserError(prepare({}), /latency needs "threshold" in milliseconds.*got undefined/);
    expectUserError(prepare({ threshold: 0 }), /greater than 0, got 0 \(number\)/);
    expectUserError(prepare({ threshold: -5 }), /got -5/);
    expectUserError(prepare({ threshold: Number.POSITIVE_INFINITY }), /threshold/);
  });

  it('points out a limit written as value', () => {
    const error = expectUserError(prepare({ value: 500 }), /threshold/);
    expect(error.hint).toBe('write the limit as "threshold: 500", not "value: 500"');
  });
});
