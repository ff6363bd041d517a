import { describe, expect, it } from 'vitest';
import { levenshteinDistance, levenshteinScorer } from './levenshtein.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

const chars = (text: string) => Array.from(text);

describe('levenshteinDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    // kitten → sitten (k→s) → sittin (e→i) → sitting (+g)
    expect(levenshteinDistance(chars('kitten'), chars('sitting'))).toBe(3);
    expect(levenshteinDistance(chars('sitting'), chars('kitten'))).toBe(3);
    expect(levenshteinDistance(chars('flaw'), chars('lawn'))).toBe(2);
    expect(levenshteinDistance(chars(''), chars('abc'))).toBe(3);
    expect(levenshteinDistance(chars('abc'), chars(''))).toBe(3);
    expect(levenshteinDistance(chars('same'), chars('same'))).toBe(0);
  });

  it('counts a swap of neighbours as two edits', () => {
    expect(levenshteinDistance(chars('ab'), chars('ba'))).toBe(2);
  });
});

describe('levenshtein', () => {
  it('scores the similarity, passing from the default threshold 0.8', () => {
    // "colour" (trimmed) → "colour!": one insertion over max(6, 7) characters: 1 - 1/7 = 0.857…
    const close = scoreWith(levenshteinScorer, { value: 'colour!' }, makeInput(' colour \n'));
    expect(close.value).toBeCloseTo(1 - 1 / 7, 12);
    expect(close).toMatchObject({ pass: true, reason: 'similarity 0.857 >= 0.8 (1 edit from "colour!")' });
    // "color" → "colour!": two insertions over 7 characters: 1 - 2/7 = 0.714…
    const far = scoreWith(levenshteinScorer, { value: 'colour!' }, makeInput('color'));
    expect(far.value).toBeCloseTo(1 - 2 / 7, 12);
    expect(far).toMatchObject({ pass: false, reason: 'similarity 0.714 < 0.8 (2 edits from "colour!")' });
  });

  it('uses the threshold, inclusive of the limit', () => {
    // kitten vs sitting: 1 - 3/7 = 0.571…; 'abcd' vs 'abcf': exactly 0.75
    expect(scoreWith(levenshteinScorer, { value: 'kitten', threshold: 0.5 }, makeInput('sitting')).pass).toBe(
      true,
    );
    expect(scoreWith(levenshteinScorer, { value: 'abcd', threshold: 0.75 }, makeInput('abcf')).pass).toBe(
      true,
    );
  });

  it("falls back on the task's expected output and ignores case on request", () => {
    const task = makeTask({ expected: 'Paris' });
    expect(scoreWith(levenshteinScorer, {}, makeInput('Paris', { task }), task).value).toBe(1);
    expect(
      scoreWith(levenshteinScorer, { value: 'PARIS', options: { ignoreCase: true } }, makeInput('paris'))
        .value,
    ).toBe(1);
  });

  it('counts code points, not UTF-16 units, in NFC form', () => {
    // 😀 is two UTF-16 units but one character: one substitution over 2 characters.
    expect(scoreWith(levenshteinScorer, { value: 'a😀' }, makeInput('ab')).value).toBe(0.5);
    expect(scoreWith(levenshteinScorer, { value: 'caf\u00e9' }, makeInput('cafe\u0301')).value).toBe(1);
  });

  it('scores two empty texts as identical and an empty output as 0', () => {
    expect(scoreWith(levenshteinScorer, { value: '  ' }, makeInput('')).value).toBe(1);
    expect(scoreWith(levenshteinScorer, { value: 'abc' }, makeInput('')).value).toBe(0);
  });

  it('rejects a bad threshold, reference or option at prepare', () => {
    const prepare = (spec: Record<string, unknown>) => () =>
      levenshteinScorer.prepare({ type: 'levenshtein', ...spec }, WHERE, makeTask(), CONTEXT);
    expectUserError(
      prepare({ value: 'a', threshold: 80 }),
      /"threshold" must be a number from 0 to 1, got 80/,
    );
    expectUserError(prepare({ value: 'a', threshold: -0.1 }), /got -0\.1 \(number\)/);
    expectUserError(prepare({}), /nothing to compare/);
    expectUserError(prepare({ value: ['a'] }), /needs a string to compare with, got \["a"\] \(array\)/);
    expectUserError(prepare({ value: 'a', options: { ignoreCase: 1 } }), /true or false, got 1/);
  });
});
