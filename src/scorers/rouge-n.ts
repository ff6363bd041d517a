import { UserError } from '../errors.js';
import { ngramCounts, overlap, referenceWords, words } from './ngrams.js';
import type { Scorer } from './scorer.js';
import { formatScore, reaches, readOptions, unitThreshold } from './scorer-options.js';
import { describeValue } from './text.js';

const DEFAULT_THRESHOLD = 0.5;
const GRAM_NAMES = ['unigrams', 'bigrams', 'trigrams', '4-grams'];

/**
 * ROUGE-N recall (Lin 2004): the share of the reference's word n-grams that the output contains,
 * each counted at most as often as it occurs in the output. Words are lower-cased letters and
 * digits (see `words`). The reference is `spec.value` (a string, or a list for several references,
 * scoring the best one as Lin does), else the task's `expected`. `options.n` is 1 to 4 (default 1);
 * the verdict's value is the recall, passing from `threshold` (0..1, default 0.5).
 */
export const rougeNScorer: Scorer = {
  name: 'rouge-n',
  version: '1',
  prepare(spec, where, task) {
    const options = readOptions('rouge-n', spec, where, ['n']);
    const n = gramSize(options.n, where);
    const threshold = unitThreshold('rouge-n', spec, where, DEFAULT_THRESHOLD);
    const references = referenceWords('rouge-n', spec, task, where, n).map((tokens) =>
      ngramCounts(tokens, n),
    );
    const several = references.length > 1 ? `, best of ${references.length} references` : '';
    return ({ output }) => {
      const counts = ngramCounts(words(output), n);
      let best = { recall: -1, found: 0, total: 0 };
      for (const reference of references) {
        const total = [...reference.values()].reduce((sum, count) => sum + count, 0);
        const found = overlap(reference, counts);
        if (found / total > best.recall) best = { recall: found / total, found, total };
      }
      const pass = reaches(best.recall, threshold);
      return {
        value: best.recall,
        pass,
        reason:
          `ROUGE-${n} recall ${formatScore(best.recall)} ${pass ? '>=' : '<'} ${threshold} ` +
          `(${best.found} of ${best.total} reference ${GRAM_NAMES[n - 1]} found${several})`,
      };
    };
  },
};

function gramSize(value: unknown, where: string): number {
  if (value === undefined) return 1;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 4) return value;
  throw new UserError(
    `rouge-n option "n" must be a whole number from 1 to 4, got ${describeValue(value)}`,
    where,
    'n is the n-gram length: options: { n: 2 } compares word pairs (ROUGE-2)',
  );
}
