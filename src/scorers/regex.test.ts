import { describe, expect, it } from 'vitest';
import { regexScorer } from './regex.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

const prepare = (value: unknown) => () =>
  regexScorer.prepare({ type: 'regex', value }, WHERE, makeTask(), CONTEXT);

describe('regex', () => {
  it('passes when a bare pattern matches', () => {
    expect(scoreWith(regexScorer, { value: '\\d+' }, makeInput('answer: 42'))).toEqual({
      value: 1,
      pass: true,
      reason: 'matches /\\d+/',
    });
  });

  it('fails, quoting the pattern and the output', () => {
    expect(scoreWith(regexScorer, { value: '^\\d+$' }, makeInput('forty-two'))).toEqual({
      value: 0,
      pass: false,
      reason: 'no match for /^\\d+$/ in "forty-two"',
    });
  });

  it('accepts the /pattern/flags form', () => {
    expect(scoreWith(regexScorer, { value: '/^yes$/i' }, makeInput('YES')).pass).toBe(true);
    expect(scoreWith(regexScorer, { value: '/^yes$/' }, makeInput('YES')).pass).toBe(false);
    expect(scoreWith(regexScorer, { value: '/a\\/b/' }, makeInput('a/b')).pass).toBe(true);
  });

  it('matches anchors against the trimmed output', () => {
    expect(scoreWith(regexScorer, { value: '^\\d+$' }, makeInput('  42\n')).pass).toBe(true);
  });

  it('gives the same verdict every time with a global or sticky flag', () => {
    for (const value of ['/4/g', '/4/y']) {
      const score = regexScorer.prepare({ type: 'regex', value }, WHERE, makeTask(), CONTEXT);
      const verdicts = [1, 2, 3].map(() => score(makeInput('42')));
      expect(verdicts.map((verdict) => 'pass' in verdict && verdict.pass)).toEqual([true, true, true]);
    }
  });

  it('handles Unicode patterns and an empty output', () => {
    expect(scoreWith(regexScorer, { value: '/^\\p{L}+$/u' }, makeInput('日本語')).pass).toBe(true);
    expect(scoreWith(regexScorer, { value: 'x' }, makeInput('')).reason).toBe('no match for /x/ in ""');
  });

  it('rejects an invalid pattern, naming it and the JavaScript error', () => {
    const error = expectUserError(prepare('(unclosed'), /invalid regex "\(unclosed": .*Unterminated group/);
    expect(error.hint).toMatch(/escape/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects unknown flags with a hint about them', () => {
    const error = expectUserError(prepare('/usr/bin'), /invalid regex "\/usr\/bin"/);
    expect(error.hint).toMatch(/valid flags/);
  });

  it('rejects a missing, empty or non-string pattern', () => {
    expectUserError(prepare(undefined), /pattern string.*undefined/);
    expectUserError(prepare(''), /non-empty pattern/);
    expectUserError(prepare(42), /42 \(number\)/);
  });

  it('cuts a very long pattern in the reason', () => {
    const pattern = 'a'.repeat(200);
    expect(scoreWith(regexScorer, { value: pattern }, makeInput('b')).reason).toBe(
      `no match for /${'a'.repeat(78)}… in "b"`,
    );
  });
});
