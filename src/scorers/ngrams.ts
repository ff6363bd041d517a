/** Word n-grams and references for the overlap metrics (`rouge-n`, `bleu`). */
import { UserError } from '../errors.js';
import type { AssertionSpec, Task } from '../types.js';
import { comparisonValue } from './spec.js';
import { describeValue } from './text.js';

/** Letters, digits and combining marks; everything else separates words. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * Lower-cased words in NFC form. Punctuation is dropped, as in the reference ROUGE scripts'
 * tokenizer (extended from ASCII to every script). Text without spaces (Chinese, Japanese) is
 * one word per run of characters.
 */
export function words(text: string): string[] {
  return text.normalize('NFC').toLowerCase().match(WORD) ?? [];
}

/** Counts of each n-gram of `tokens` (keys join the words with NUL, which no word contains). */
export function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let start = 0; start + n <= tokens.length; start += 1) {
    const key = tokens.slice(start, start + n).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** How many n-grams of `counts` occur in `other`, each at most as often as there (clipped). */
export function overlap(counts: ReadonlyMap<string, number>, other: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const [key, count] of counts) total += Math.min(count, other.get(key) ?? 0);
  return total;
}

/**
 * The reference texts of an overlap metric, as words: `spec.value` (a string or a list of
 * strings), else the task's `expected`. Each needs at least `minWords` words.
 */
export function referenceWords(
  scorer: string,
  spec: AssertionSpec,
  task: Task,
  where: string,
  minWords: number,
): string[][] {
  const value = comparisonValue(scorer, spec, task, where);
  const texts = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string')) {
    throw new UserError(
      `${scorer} needs a reference text or a list of them, got ${describeValue(value)}`,
      where,
      'for example value: "The cat sat on the mat." or value: ["first reference", "second reference"]',
    );
  }
  return texts.map((text: string, index) => {
    const tokens = words(text);
    if (tokens.length < minWords) {
      const which = texts.length > 1 ? `reference ${index + 1}` : 'the reference';
      throw new UserError(
        `${scorer}: ${which} needs at least ${minWords} word${minWords === 1 ? '' : 's'}, got ${describeValue(text)}`,
        where,
        minWords > 1
          ? `use a longer reference or a smaller "options.n"`
          : 'give a reference with words in it',
      );
    }
    return tokens;
  });
}
