import { UserError } from '../errors.js';
import type { Scorer } from './scorer.js';
import { nonNegativeOption, readOptions } from './scorer-options.js';
import { comparisonValue } from './spec.js';
import { describeValue, preview } from './text.js';

/** Digits with optional thousands separators (`1,234,567`), decimals and exponent. */
const MAGNITUDE = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+`;
const EXPONENT = String.raw`(?:[eE][+-]?\d+)?`;
/** Signs: ASCII `-` and `+`, and the Unicode minus `−` that some models write. */
const WHOLE_NUMBER = new RegExp(String.raw`^[-+\u2212]?(?:${MAGNITUDE})${EXPONENT}$`);
/** A number inside text: a sign counts only when it does not follow a word (`5-3` holds `5` and `3`). */
const NUMBER_IN_TEXT = new RegExp(
  String.raw`(?:(?<![\p{L}\p{N}.])[-+\u2212])?(?<![\p{L}\p{N}.])(?:${MAGNITUDE})${EXPONENT}(?![\p{N}])`,
  'gu',
);

/** Floating-point slack so that `1.1` is within `0.1` of `1`. */
const SLACK = 1e-12;

/** The value of a number as written (`-1,234.5`, `2e-3`, `−7`), or `undefined` when it is not one. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!WHOLE_NUMBER.test(trimmed)) return undefined;
  const value = Number(trimmed.replaceAll(',', '').replace('\u2212', '-'));
  return Number.isFinite(value) ? value : undefined;
}

/** The number an output answers: the whole trimmed output when it is one, else the last number in it. */
export function outputNumber(output: string): { value: number; text: string } | undefined {
  const whole = parseNumber(output);
  if (whole !== undefined) return { value: whole, text: output.trim() };
  const matches = [...output.matchAll(NUMBER_IN_TEXT)];
  for (let index = matches.length - 1; index >= 0; index -= 1) {
    const text = matches[index]?.[0] ?? '';
    const value = parseNumber(text);
    if (value !== undefined) return { value, text };
  }
  return undefined;
}

/**
 * Compares the output's number (see `outputNumber`) with `spec.value`, else the task's `expected`
 * (a number or numeric text). Passes on equality, or within `options.tolerance` (absolute) or
 * `options.relative` (a fraction of the expected value, e.g. 0.01 for 1%); with both, either
 * suffices. Value 1 on a pass, else 0.
 */
export const numericScorer: Scorer = {
  name: 'numeric',
  version: '1',
  prepare(spec, where, task) {
    const options = readOptions('numeric', spec, where, ['tolerance', 'relative']);
    const tolerance = nonNegativeOption('numeric', options, 'tolerance', where, 0.5) ?? 0;
    const relative = nonNegativeOption('numeric', options, 'relative', where, 0.01) ?? 0;
    const expected = expectedNumber(comparisonValue('numeric', spec, task, where), where);
    const allowed = Math.max(tolerance, relative * Math.abs(expected));
    const margin = [
      tolerance > 0 ? `±${tolerance}` : '',
      relative > 0 ? `±${Number((relative * 100).toPrecision(6))}%` : '',
    ].filter(Boolean);
    const within = margin.length > 0 ? ` (${margin.join(' or ')})` : '';
    return ({ output }) => {
      const found = outputNumber(output);
      if (found === undefined) {
        return {
          value: 0,
          pass: false,
          reason: `no number found in ${preview(output)}; expected ${expected}`,
        };
      }
      const difference = Math.abs(found.value - expected);
      const scale = Math.max(1, Math.abs(found.value), Math.abs(expected));
      const pass = difference <= allowed + SLACK * scale;
      const got = `got ${found.value}${found.text.replaceAll(',', '') === String(found.value) ? '' : ` (${found.text})`}`;
      if (pass) {
        return {
          value: 1,
          pass,
          reason: difference === 0 ? `${got}, equals ${expected}` : `${got}, within${within} of ${expected}`,
        };
      }
      return {
        value: 0,
        pass,
        reason: `expected ${expected}${within}, ${got} (off by ${Number(difference.toPrecision(6))})`,
      };
    };
  },
};

function expectedNumber(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const parsed = typeof value === 'string' ? parseNumber(value) : undefined;
  if (parsed !== undefined) return parsed;
  throw new UserError(
    `numeric needs a number to compare with, got ${describeValue(value)}`,
    where,
    'give value: 42 (or numeric text such as "1,234.5") on the assertion, or a numeric expected on the task',
  );
}
