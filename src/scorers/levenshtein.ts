import { UserError } from '../errors.js';
import type { Scorer } from './scorer.js';
import { booleanOption, formatScore, reaches, readOptions, unitThreshold } from './scorer-options.js';
import { comparisonValue } from './spec.js';
import { describeValue, normalizeText, preview } from './text.js';

/** Default similarity needed to pass. */
const DEFAULT_THRESHOLD = 0.8;

/**
 * Edit distance between the output (trimmed) and `spec.value` (else the task's `expected`),
 * normalised to a similarity: `1 - distance / max(length)`, counted in Unicode code points after
 * NFC normalisation. The verdict's value is the similarity; it passes when the similarity reaches
 * `threshold` (0..1, default 0.8). `options.ignoreCase: true` compares lower-cased texts.
 */
export const levenshteinScorer: Scorer = {
  name: 'levenshtein',
  version: '1',
  prepare(spec, where, task) {
    const options = readOptions('levenshtein', spec, where, ['ignoreCase']);
    const ignoreCase = booleanOption('levenshtein', options, 'ignoreCase', where);
    const threshold = unitThreshold('levenshtein', spec, where, DEFAULT_THRESHOLD);
    const reference = referenceText(comparisonValue('levenshtein', spec, task, where), where);
    const fold = (text: string) => {
      const normal = normalizeText(text.trim());
      return Array.from(ignoreCase ? normal.toLowerCase() : normal);
    };
    const expected = fold(reference);
    const shown = preview(reference);
    return ({ output }) => {
      const actual = fold(output);
      const distance = levenshteinDistance(actual, expected);
      const longest = Math.max(actual.length, expected.length);
      const similarity = longest === 0 ? 1 : 1 - distance / longest;
      const pass = reaches(similarity, threshold);
      const edits = `${distance} edit${distance === 1 ? '' : 's'}`;
      return {
        value: similarity,
        pass,
        reason: `similarity ${formatScore(similarity)} ${pass ? '>=' : '<'} ${threshold} (${edits} from ${shown})`,
      };
    };
  },
};

function referenceText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new UserError(
    `levenshtein needs a string to compare with, got ${describeValue(value)}`,
    where,
    'for example value: "The capital of France is Paris."',
  );
}

/**
 * Levenshtein distance (insertions, deletions and substitutions each cost 1) between two
 * sequences, in O(n·m) time and O(min(n, m)) memory: two rows of the dynamic-programming table.
 */
export function levenshteinDistance<T>(a: readonly T[], b: readonly T[]): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let previous = new Uint32Array(short.length + 1);
  let current = new Uint32Array(short.length + 1);
  for (let j = 0; j <= short.length; j += 1) previous[j] = j;
  for (let i = 1; i <= long.length; i += 1) {
    current[0] = i;
    const item = long[i - 1];
    for (let j = 1; j <= short.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (item === short[j - 1] ? 0 : 1);
      const deletion = (previous[j] ?? 0) + 1;
      const insertion = (current[j - 1] ?? 0) + 1;
      current[j] = Math.min(substitution, deletion, insertion);
    }
    [previous, current] = [current, previous];
  }
  return previous[short.length] ?? 0;
}
