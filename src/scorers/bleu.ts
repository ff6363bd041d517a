import { ngramCounts, referenceWords, words } from './ngrams.js';
import type { Scorer } from './scorer.js';
import { formatScore, reaches, readOptions, unitThreshold } from './scorer-options.js';

const DEFAULT_THRESHOLD = 0.5;
const MAX_N = 4;

/** Sentence BLEU with the parts a reason shows. */
export interface BleuScore {
  bleu: number;
  /** Modified precisions for n = 1..4, after smoothing. */
  precisions: number[];
  brevityPenalty: number;
}

/**
 * Sentence BLEU (Papineni et al. 2002): the geometric mean of the modified (clipped) n-gram
 * precisions for n = 1..4, times the brevity penalty `exp(1 - r/c)` when the output (c words) is
 * shorter than the reference closest in length (r words; the shorter one on a tie).
 *
 * Smoothing: add-one for n > 1 (Lin & Och 2004, "BLEU+1"): p_n = (matches + 1) / (n-grams + 1), so a
 * short output with no matching 4-gram does not score 0. Unigram precision is not smoothed: an
 * output sharing no word with the references scores 0.
 */
export function sentenceBleu(
  candidate: readonly string[],
  references: readonly (readonly string[])[],
): BleuScore {
  if (candidate.length === 0) return { bleu: 0, precisions: [0, 0, 0, 0], brevityPenalty: 0 };
  const precisions: number[] = [];
  for (let n = 1; n <= MAX_N; n += 1) {
    const counts = ngramCounts(candidate, n);
    const referenceCounts = references.map((reference) => ngramCounts(reference, n));
    let matches = 0;
    let total = 0;
    for (const [key, count] of counts) {
      const allowed = referenceCounts.reduce((high, reference) => Math.max(high, reference.get(key) ?? 0), 0);
      matches += Math.min(count, allowed);
      total += count;
    }
    precisions.push(n === 1 ? matches / total : (matches + 1) / (total + 1));
  }
  const c = candidate.length;
  let r = references[0]?.length ?? 0;
  for (const reference of references) {
    const length = reference.length;
    if (Math.abs(length - c) < Math.abs(r - c) || (Math.abs(length - c) === Math.abs(r - c) && length < r)) {
      r = length;
    }
  }
  const brevityPenalty = c > r ? 1 : Math.exp(1 - r / c);
  const logMean = precisions.reduce((sum, p) => sum + Math.log(p), 0) / MAX_N;
  const bleu = precisions[0] === 0 ? 0 : Math.min(1, brevityPenalty * Math.exp(logMean));
  return { bleu, precisions, brevityPenalty };
}

/**
 * Sentence BLEU between the output and `spec.value` (a string, or a list of strings for several
 * references), else the task's `expected`. Words are lower-cased letters and digits (punctuation
 * is ignored). The verdict's value is the BLEU score; it passes from `threshold` (0..1, default 0.5).
 */
export const bleuScorer: Scorer = {
  name: 'bleu',
  version: '1',
  prepare(spec, where, task) {
    readOptions('bleu', spec, where, []);
    const threshold = unitThreshold('bleu', spec, where, DEFAULT_THRESHOLD);
    const references = referenceWords('bleu', spec, task, where, 1);
    return ({ output }) => {
      const { bleu, precisions, brevityPenalty } = sentenceBleu(words(output), references);
      const pass = reaches(bleu, threshold);
      return {
        value: bleu,
        pass,
        reason:
          `BLEU ${formatScore(bleu)} ${pass ? '>=' : '<'} ${threshold} ` +
          `(precisions ${precisions.map(formatScore).join('/')}, brevity penalty ${formatScore(brevityPenalty)})`,
      };
    };
  },
};
