import { describe, expect, it } from 'vitest';
import { equalsScorer } from './equals.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

describe('equals', () => {
  it('passes on an exact match, ignoring surrounding whitespace of the output', () => {
    expect(scoreWith(equalsScorer, { value: '5' }, makeInput('  5\n'))).toEqual({
      value: 1,
      pass: true,
      reason: 'equals "5"',
    });
  });

  it('fails with what was expected and what came back', () => {
    expect(scoreWith(equalsScorer, { value: '5' }, makeInput('6'))).toEqual({
      value: 0,
      pass: false,
      reason: 'expected "5", got "6"',
    });
  });

  it('does not ignore whitespace or case inside the text', () => {
    expect(scoreWith(equalsScorer, { value: 'a b' }, makeInput('a  b')).pass).toBe(false);
    expect(scoreWith(equalsScorer, { value: 'Paris' }, makeInput('paris')).pass).toBe(false);
  });

  it('compares non-string values as JSON', () => {
    expect(scoreWith(equalsScorer, { value: 5 }, makeInput('5')).pass).toBe(true);
    expect(scoreWith(equalsScorer, { value: 5 }, makeInput('5.0')).pass).toBe(false);
    expect(scoreWith(equalsScorer, { value: true }, makeInput('true')).pass).toBe(true);
    expect(scoreWith(equalsScorer, { value: { a: [1, 2] } }, makeInput('{"a":[1,2]}')).pass).toBe(true);
    expect(scoreWith(equalsScorer, { value: null }, makeInput('null')).pass).toBe(true);
  });

  it("falls back on the task's expected output, trimmed like the output", () => {
    const task = makeTask({ expected: 'Paris\n' });
    expect(scoreWith(equalsScorer, {}, makeInput('Paris', { task }), task).pass).toBe(true);
    expect(scoreWith(equalsScorer, {}, makeInput('Lyon', { task }), task).reason).toBe(
      'expected "Paris", got "Lyon"',
    );
  });

  it("prefers the assertion's value over the task's expected output", () => {
    const task = makeTask({ expected: 'Paris' });
    expect(scoreWith(equalsScorer, { value: 'Lyon' }, makeInput('Lyon', { task }), task).pass).toBe(true);
  });

  it('rejects an assertion with nothing to compare with, at prepare', () => {
    const error = expectUserError(
      () => equalsScorer.prepare({ type: 'equals' }, WHERE, makeTask(), CONTEXT),
      /nothing to compare/,
    );
    expect(error.hint).toMatch(/expected/);
  });

  it('rejects a value without a JSON form', () => {
    expectUserError(
      () => equalsScorer.prepare({ type: 'equals', value: 10n }, WHERE, makeTask(), CONTEXT),
      /no JSON form/,
    );
  });

  it('handles an empty output', () => {
    expect(scoreWith(equalsScorer, { value: '' }, makeInput('  \n')).pass).toBe(true);
    expect(scoreWith(equalsScorer, { value: '5' }, makeInput('')).reason).toBe('expected "5", got ""');
  });

  it('treats composed and decomposed Unicode as equal', () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    expect(scoreWith(equalsScorer, { value: composed }, makeInput(decomposed)).pass).toBe(true);
    expect(scoreWith(equalsScorer, { value: '👍 日本' }, makeInput('👍 日本')).pass).toBe(true);
  });

  it('truncates long outputs in the reason', () => {
    const { reason } = scoreWith(equalsScorer, { value: 'short' }, makeInput('x'.repeat(500)));
    expect(reason).toBe(`expected "short", got "${'x'.repeat(80)}…"`);
  });

  it('says where two long texts part when their previews look the same', () => {
    const expected = `${'a'.repeat(100)}b`;
    const { reason } = scoreWith(equalsScorer, { value: expected }, makeInput(`${'a'.repeat(100)}c`));
    expect(reason).toMatch(/\(first difference at character 101\)$/);
  });
});
