import { describe, expect, it } from 'vitest';
import { containsAnyScorer } from './contains-any.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

describe('contains-any', () => {
  it('passes when one of the strings is found, naming the ones found', () => {
    expect(
      scoreWith(containsAnyScorer, { value: ['Paris', 'Lyon', 'Nice'] }, makeInput('Lyon, then Nice')),
    ).toEqual({ value: 1, pass: true, reason: 'contains "Lyon", "Nice" (2 of 3)' });
  });

  it('fails when none is found, naming them all', () => {
    expect(scoreWith(containsAnyScorer, { value: ['Paris', 'Lyon'] }, makeInput('Marseille'))).toEqual({
      value: 0,
      pass: false,
      reason: 'none of "Paris", "Lyon" found in "Marseille"',
    });
  });

  it('accepts a comma-separated string and numbers', () => {
    expect(scoreWith(containsAnyScorer, { value: 'yes, oui , ja' }, makeInput('oui')).reason).toBe(
      'contains "oui" (1 of 3)',
    );
    expect(scoreWith(containsAnyScorer, { value: [42, 'forty-two'] }, makeInput('it is 42')).pass).toBe(true);
  });

  it('is case-sensitive unless ignoreCase is set', () => {
    expect(scoreWith(containsAnyScorer, { value: ['PARIS'] }, makeInput('paris')).pass).toBe(false);
    const spec = { value: ['PARIS'], options: { ignoreCase: true } };
    expect(scoreWith(containsAnyScorer, spec, makeInput('paris')).pass).toBe(true);
  });

  it('lists at most five strings in a reason', () => {
    const value = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
    expect(scoreWith(containsAnyScorer, { value }, makeInput('none')).reason).toBe(
      'none of "a1", "a2", "a3", "a4", "a5" …and 2 more found in "none"',
    );
  });

  it('rejects a missing, empty or malformed value and bad options at prepare', () => {
    const prepare = (value: unknown, options?: Record<string, unknown>) => () =>
      containsAnyScorer.prepare(
        { type: 'contains-any', value, ...(options ? { options } : {}) },
        WHERE,
        makeTask({ expected: 'Paris' }),
        CONTEXT,
      );
    expectUserError(prepare(undefined), /list of strings in "value", got undefined/);
    expectUserError(prepare([]), /got \[\] \(array\)/);
    expectUserError(prepare({ a: 1 }), /\{"a":1\} \(object\)/);
    const gap = expectUserError(prepare('a,,b'), /item 2 must be a non-empty string, got "" \(string\)/);
    expect(gap.hint).toMatch(/YAML list/);
    expectUserError(prepare(['a', null]), /item 2 .* null \(null\)/);
    expectUserError(
      prepare(['a'], { ignorecase: true }),
      /no option "ignorecase"; did you mean "ignoreCase"/,
    );
    expectUserError(prepare(['a'], { ignoreCase: 'yes' }), /must be true or false, got "yes" \(string\)/);
  });
});
