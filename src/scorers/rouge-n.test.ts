import { describe, expect, it } from 'vitest';
import { rougeNScorer } from './rouge-n.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

const REFERENCE = 'The cat is on the mat.';
const OUTPUT = 'The cat sat on the mat!';

describe('rouge-n', () => {
  it('scores ROUGE-1 recall by default', () => {
    // Reference unigrams: the×2, cat, is, on, mat (6). The output has the×2, cat, on, mat: 5 of 6.
    expect(scoreWith(rougeNScorer, { value: REFERENCE }, makeInput(OUTPUT))).toEqual({
      value: 5 / 6,
      pass: true,
      reason: 'ROUGE-1 recall 0.833 >= 0.5 (5 of 6 reference unigrams found)',
    });
  });

  it('scores ROUGE-2 with options.n', () => {
    // Reference bigrams: the cat, cat is, is on, on the, the mat (5); found: the cat, on the, the mat (3).
    expect(scoreWith(rougeNScorer, { value: REFERENCE, options: { n: 2 } }, makeInput(OUTPUT))).toEqual({
      value: 3 / 5,
      pass: true,
      reason: 'ROUGE-2 recall 0.6 >= 0.5 (3 of 5 reference bigrams found)',
    });
    // Trigrams: the cat is, cat is on, is on the, on the mat (4); found: on the mat (1) → 0.25.
    const trigrams = scoreWith(rougeNScorer, { value: REFERENCE, options: { n: 3 } }, makeInput(OUTPUT));
    expect(trigrams).toMatchObject({ value: 0.25, pass: false });
  });

  it('clips repeated words to their count in the output', () => {
    // Reference "the the cat": the×2, cat. Output "the dog": the×1 → 1 of 3.
    expect(scoreWith(rougeNScorer, { value: 'the the cat' }, makeInput('the dog')).value).toBeCloseTo(
      1 / 3,
      12,
    );
    // And to their count in the reference: output "the the the" against "the cat" → 1 of 2.
    expect(scoreWith(rougeNScorer, { value: 'the cat' }, makeInput('the the the')).value).toBe(0.5);
  });

  it('takes the best of several references', () => {
    const verdict = scoreWith(rougeNScorer, { value: ['a dog barked', REFERENCE] }, makeInput(OUTPUT));
    expect(verdict.value).toBe(5 / 6);
    expect(verdict.reason).toBe(
      'ROUGE-1 recall 0.833 >= 0.5 (5 of 6 reference unigrams found, best of 2 references)',
    );
  });

  it("falls back on the task's expected output, ignoring case and punctuation", () => {
    const task = makeTask({ expected: 'Hello, World' });
    expect(scoreWith(rougeNScorer, {}, makeInput('hello world!', { task }), task).value).toBe(1);
  });

  it('scores an empty output 0 and applies the threshold', () => {
    expect(scoreWith(rougeNScorer, { value: REFERENCE }, makeInput('')).value).toBe(0);
    expect(scoreWith(rougeNScorer, { value: REFERENCE, threshold: 0.9 }, makeInput(OUTPUT)).pass).toBe(false);
  });

  it('rejects a bad n, threshold or reference at prepare', () => {
    const prepare = (spec: Record<string, unknown>) => () =>
      rougeNScorer.prepare({ type: 'rouge-n', ...spec }, WHERE, makeTask(), CONTEXT);
    expectUserError(
      prepare({ value: 'a b', options: { n: 5 } }),
      /"n" must be a whole number from 1 to 4, got 5/,
    );
    expectUserError(prepare({ value: 'a b', options: { n: 1.5 } }), /got 1\.5 \(number\)/);
    expectUserError(
      prepare({ value: 'a b', threshold: 2 }),
      /"threshold" must be a number from 0 to 1, got 2/,
    );
    expectUserError(
      prepare({ value: 'one', options: { n: 2 } }),
      /the reference needs at least 2 words, got "one"/,
    );
    expectUserError(
      prepare({ value: ['ok', '...'] }),
      /reference 2 needs at least 1 word, got "\.\.\." \(string\)/,
    );
    expectUserError(prepare({ value: 5 }), /reference text or a list of them, got 5 \(number\)/);
    expectUserError(prepare({}), /nothing to compare/);
  });
});
