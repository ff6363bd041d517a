import { describe, expect, it } from 'vitest';
import { bleuScorer, sentenceBleu } from './bleu.js';
import { words } from './ngrams.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

const REFERENCE = 'The cat is on the mat.';

describe('sentenceBleu', () => {
  it('matches a hand-computed score', () => {
    // Output "the cat sat on the mat" against "the cat is on the mat" (6 words each, so BP = 1):
    // p1 = 5/6 (the×2, cat, on, mat); p2 = (3 + 1)/(5 + 1) (the cat, on the, the mat);
    // p3 = (1 + 1)/(4 + 1) (on the mat); p4 = (0 + 1)/(3 + 1).
    // BLEU = (5/6 · 4/6 · 2/5 · 1/4)^(1/4) = (1/18)^(1/4) = 0.48549…
    const score = sentenceBleu(words('The cat sat on the mat'), [words(REFERENCE)]);
    expect(score.precisions).toEqual([5 / 6, 4 / 6, 2 / 5, 1 / 4]);
    expect(score.brevityPenalty).toBe(1);
    expect(score.bleu).toBeCloseTo((1 / 18) ** 0.25, 12);
    expect(score.bleu).toBeCloseTo(0.48549, 5);
  });

  it('clips counts to the reference (Papineni’s "the the the…" example)', () => {
    // 7 × "the" against "the cat is on the mat": p1 = 2/7; p2 = (0 + 1)/(6 + 1); p3 = 1/6; p4 = 1/5.
    // c = 7 > r = 6, so BP = 1. BLEU = (2/7 · 1/7 · 1/6 · 1/5)^(1/4) = (1/735)^(1/4) = 0.19206…
    const score = sentenceBleu(words('the the the the the the the'), [words(REFERENCE)]);
    expect(score.precisions[0]).toBe(2 / 7);
    expect(score.bleu).toBeCloseTo((1 / 735) ** 0.25, 12);
  });

  it('applies the brevity penalty to a short output', () => {
    // "the cat": p1 = 2/2, p2 = (1 + 1)/(1 + 1), p3 = p4 = (0 + 1)/(0 + 1) = 1; c = 2, r = 6:
    // BP = exp(1 - 6/2) = e^-2 = 0.13533…
    const score = sentenceBleu(words('the cat'), [words(REFERENCE)]);
    expect(score.precisions).toEqual([1, 1, 1, 1]);
    expect(score.bleu).toBeCloseTo(Math.exp(-2), 12);
  });

  it('uses the reference closest in length, the shorter one on a tie', () => {
    // c = 4; references of 3 and 5 words are as close: r = 3 < c, so BP = 1.
    const score = sentenceBleu(words('a b c d'), [words('a b c'), words('a b c d e')]);
    expect(score.brevityPenalty).toBe(1);
    // c = 2 against 3 and 6 words: r = 3, BP = exp(1 - 3/2).
    expect(sentenceBleu(words('a b'), [words('a b c d e f'), words('a b c')]).brevityPenalty).toBeCloseTo(
      Math.exp(-0.5),
      12,
    );
  });

  it('scores 0 with no word in common or an empty output', () => {
    expect(sentenceBleu(words('dog'), [words(REFERENCE)]).bleu).toBe(0);
    expect(sentenceBleu([], [words(REFERENCE)]).bleu).toBe(0);
  });

  it('clips each n-gram to its highest count in any reference', () => {
    // "the the cat": the×2 allowed by the second reference; p1 = 3/3.
    expect(sentenceBleu(words('the the cat'), [words('the cat'), words('the the dog')]).precisions[0]).toBe(
      1,
    );
  });
});

describe('bleu', () => {
  it('passes an identical output with 1', () => {
    expect(scoreWith(bleuScorer, { value: REFERENCE }, makeInput('the cat is on the mat'))).toEqual({
      value: 1,
      pass: true,
      reason: 'BLEU 1 >= 0.5 (precisions 1/1/1/1, brevity penalty 1)',
    });
  });

  it('fails below the default threshold 0.5, showing the precisions', () => {
    expect(scoreWith(bleuScorer, { value: REFERENCE }, makeInput('The cat sat on the mat'))).toMatchObject({
      pass: false,
      reason: 'BLEU 0.485 < 0.5 (precisions 0.833/0.667/0.4/0.25, brevity penalty 1)',
    });
    expect(
      scoreWith(bleuScorer, { value: REFERENCE, threshold: 0.4 }, makeInput('The cat sat on the mat')).pass,
    ).toBe(true);
  });

  it("takes several references, else the task's expected output", () => {
    const several = scoreWith(
      bleuScorer,
      { value: ['a dog', REFERENCE] },
      makeInput('the cat is on the mat'),
    );
    expect(several.value).toBe(1);
    const task = makeTask({ expected: REFERENCE });
    expect(scoreWith(bleuScorer, {}, makeInput('the cat is on the mat', { task }), task).value).toBe(1);
  });

  it('rejects a bad reference, threshold or option at prepare', () => {
    const prepare = (spec: Record<string, unknown>) => () =>
      bleuScorer.prepare({ type: 'bleu', ...spec }, WHERE, makeTask(), CONTEXT);
    expectUserError(prepare({ value: [] }), /reference text or a list of them, got \[\] \(array\)/);
    expectUserError(prepare({ value: ['a', 2] }), /got \["a",2\] \(array\)/);
    expectUserError(prepare({ value: '!!' }), /at least 1 word/);
    expectUserError(prepare({ value: 'a', threshold: 1.5 }), /got 1\.5/);
    expectUserError(prepare({ value: 'a', options: { n: 2 } }), /bleu has no option "n"/);
  });
});
