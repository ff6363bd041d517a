import { UserError } from '../errors.js';
import type { Scorer } from './scorer.js';
import { booleanOption, readOptions } from './scorer-options.js';
import { describeValue, normalizeText, preview } from './text.js';

/** How many of the strings a reason quotes before `…and N more`. */
const LISTED = 5;

/**
 * Builds a scorer that looks for several substrings in the raw output: `contains-any` passes when
 * one is found, `contains-all` when every one is. `spec.value` is a list of strings (or numbers),
 * or one comma-separated string; `options.ignoreCase: true` folds case (`String#toLowerCase`).
 * Both sides are compared in Unicode NFC form. There is no fallback on the task's `expected`: a
 * single expected text is what `contains` checks.
 */
export function substringListScorer(name: string, mode: 'any' | 'all'): Scorer {
  return {
    name,
    version: '1',
    prepare(spec, where) {
      const options = readOptions(name, spec, where, ['ignoreCase']);
      const ignoreCase = booleanOption(name, options, 'ignoreCase', where);
      const fold = (text: string) => (ignoreCase ? normalizeText(text).toLowerCase() : normalizeText(text));
      const needles = needleList(name, spec.value, where);
      const folded = needles.map(fold);
      return ({ output }) => {
        const text = fold(output);
        const found = needles.filter((_, index) => text.includes(folded[index] ?? ''));
        const missing = needles.filter((needle) => !found.includes(needle));
        const total = needles.length;
        if (mode === 'any') {
          return found.length > 0
            ? { value: 1, pass: true, reason: `contains ${quoteList(found)} (${found.length} of ${total})` }
            : { value: 0, pass: false, reason: `none of ${quoteList(needles)} found in ${preview(output)}` };
        }
        if (missing.length === 0) return { value: 1, pass: true, reason: `contains all ${total}` };
        return {
          value: found.length / total,
          pass: false,
          reason: `missing ${quoteList(missing)} (${found.length} of ${total} found) in ${preview(output)}`,
        };
      };
    },
  };
}

function needleList(name: string, value: unknown, where: string): string[] {
  const items = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;
  if (!Array.isArray(items) || items.length === 0) {
    throw new UserError(
      `${name} needs a list of strings in "value", got ${describeValue(value)}`,
      where,
      'for example value: [Paris, Lyon] or value: "Paris, Lyon"',
    );
  }
  const needles: string[] = [];
  for (const [index, item] of items.entries()) {
    const text =
      typeof item === 'string' ? item : typeof item === 'number' && Number.isFinite(item) ? String(item) : '';
    if (text === '') {
      throw new UserError(
        `${name} "value" item ${index + 1} must be a non-empty string, got ${describeValue(item)}`,
        where,
        typeof value === 'string'
          ? 'remove the empty item between commas; to look for a comma, write value as a YAML list'
          : 'every item is a substring to look for, e.g. value: [Paris, Lyon]',
      );
    }
    if (!needles.includes(text)) needles.push(text);
  }
  return needles;
}

function quoteList(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).map((item) => preview(item, 40));
  const more = items.length - LISTED;
  return more > 0 ? `${shown.join(', ')} …and ${more} more` : shown.join(', ');
}

/** Passes when the output contains at least one of the strings in `value` (value 1, else 0). */
export const containsAnyScorer: Scorer = substringListScorer('contains-any', 'any');
