import { UserError } from '../errors.js';
import type { Scorer } from './scorer.js';
import { booleanOption, readOptions } from './scorer-options.js';
import { comparisonValue } from './spec.js';
import { describeValue, normalizeText, preview } from './text.js';

/**
 * Passes when the output, with leading whitespace ignored, starts with `spec.value` (a string or
 * number; else the task's `expected`). The value's own leading whitespace is ignored too.
 * `options.ignoreCase: true` folds case. Both sides are compared in Unicode NFC form.
 */
export const startsWithScorer: Scorer = {
  name: 'starts-with',
  version: '1',
  prepare(spec, where, task) {
    const options = readOptions('starts-with', spec, where, ['ignoreCase']);
    const ignoreCase = booleanOption('starts-with', options, 'ignoreCase', where);
    const fold = (text: string) => (ignoreCase ? normalizeText(text).toLowerCase() : normalizeText(text));
    const prefix = prefixText(comparisonValue('starts-with', spec, task, where), where);
    const folded = fold(prefix);
    const shown = preview(prefix);
    return ({ output }) => {
      const text = output.trimStart();
      return fold(text).startsWith(folded)
        ? { value: 1, pass: true, reason: `starts with ${shown}` }
        : { value: 0, pass: false, reason: `expected to start with ${shown}, got ${preview(text)}` };
    };
  },
};

function prefixText(value: unknown, where: string): string {
  const text =
    typeof value === 'string'
      ? value.trimStart()
      : typeof value === 'number' && Number.isFinite(value)
        ? String(value)
        : undefined;
  if (text === undefined) {
    throw new UserError(
      `starts-with needs a string or number as the prefix, got ${describeValue(value)}`,
      where,
      'for example value: "Yes"',
    );
  }
  if (text === '') {
    throw new UserError(
      `starts-with needs a non-empty prefix, got ${describeValue(value)}`,
      where,
      'every output starts with ""',
    );
  }
  return text;
}
