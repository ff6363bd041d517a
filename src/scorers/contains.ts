import { UserError } from '../errors.js';
import type { Scorer } from './scorer.js';
import { rejectExtras } from './scorer-options.js';
import { comparisonValue } from './spec.js';
import { describeValue, normalizeText, preview } from './text.js';

/** Builds a substring scorer; `icontains` is the case-insensitive twin. */
export function substringScorer(name: string, ignoreCase: boolean): Scorer {
  const fold = ignoreCase
    ? (text: string) => normalizeText(text).toLowerCase()
    : (text: string) => normalizeText(text);
  return {
    name,
    version: '1',
    prepare(spec, where, task) {
      rejectExtras(name, spec, where);
      const needle = needleText(name, comparisonValue(name, spec, task, where), where);
      const folded = fold(needle);
      const shown = preview(needle);
      return ({ output }) =>
        fold(output).includes(folded)
          ? { value: 1, pass: true, reason: `contains ${shown}` }
          : { value: 0, pass: false, reason: `${shown} not found in ${preview(output)}` };
    },
  };
}

function needleText(name: string, value: unknown, where: string): string {
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' && Number.isFinite(value)
        ? String(value)
        : undefined;
  if (text === undefined) {
    throw new UserError(
      `${name} needs a string or number to look for, got ${describeValue(value)}`,
      where,
      'for several substrings, write one assertion each',
    );
  }
  if (text === '') {
    throw new UserError(
      `${name} needs a non-empty string to look for, got ""`,
      where,
      'every output contains ""',
    );
  }
  return text;
}

/**
 * Substring match on the raw output. The substring is `spec.value` (a string or number), else the
 * task's `expected`; both sides are compared in Unicode NFC form.
 */
export const containsScorer: Scorer = substringScorer('contains', false);
