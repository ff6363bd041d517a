import { UserError } from '../errors.js';
import type { Scorer } from './scorer.js';
import { rejectExtras } from './scorer-options.js';
import { comparisonValue } from './spec.js';
import { describeValue, normalizeText, preview } from './text.js';

/**
 * Exact match. The expected text is `spec.value` (non-strings as JSON, so `5` expects `5` and
 * `{a: 1}` expects `{"a":1}`), else the task's `expected`. Both sides are compared with surrounding
 * whitespace trimmed and in Unicode NFC form.
 */
export const equalsScorer: Scorer = {
  name: 'equals',
  version: '1',
  prepare(spec, where, task) {
    rejectExtras('equals', spec, where);
    const expected = normalizeText(expectedText(comparisonValue('equals', spec, task, where), where));
    const shown = preview(expected);
    return ({ output }) => {
      const actual = normalizeText(output.trim());
      if (actual === expected) return { value: 1, pass: true, reason: `equals ${shown}` };
      return { value: 0, pass: false, reason: mismatch(expected, shown, actual) };
    };
  },
};

function expectedText(value: unknown, where: string): string {
  if (typeof value === 'string') return value.trim();
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) {
    throw new UserError(
      `equals cannot compare with ${describeValue(value)}: it has no JSON form`,
      where,
      'use a string, number, boolean, null, array or object',
    );
  }
  return text;
}

function mismatch(expected: string, shown: string, actual: string): string {
  const got = preview(actual);
  if (got !== shown) return `expected ${shown}, got ${got}`;
  // Both previews are cut at the same place: say where the texts part.
  let index = 0;
  while (index < expected.length && expected[index] === actual[index]) index += 1;
  return `expected ${shown}, got ${got} (first difference at character ${index + 1})`;
}
