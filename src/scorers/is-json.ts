import { findJsonProblem, lineAndColumn } from './json-error.js';
import { schemaOfAssertion } from './json-schema.js';
import type { Scorer } from './scorer.js';
import { readOptions } from './scorer-options.js';
import { clip } from './text.js';

const FENCE = '```';

/**
 * Passes when the output is one JSON value (any: object, array, string, number…). Surrounding
 * whitespace is ignored, and so is a Markdown fence around it (```` ```json ```` or a bare ```` ``` ````).
 * On failure the reason gives the line and column in the output, and what was found there.
 *
 * With a JSON Schema (`value` or `options.schema`: an inline schema, or the path of a `.json` file
 * relative to the config), the value must also match it; the reason lists the first mismatches.
 */
export const isJsonScorer: Scorer = {
  name: 'is-json',
  version: '1',
  prepare(spec, where, _task, context) {
    readOptions('is-json', spec, where, ['schema']);
    const validate = schemaOfAssertion('is-json', spec, where, context.baseDir);
    return ({ output }) => {
      const { text, start, fenced } = extractJson(output);
      if (text.trim() === '') {
        return {
          value: 0,
          pass: false,
          reason: fenced ? 'invalid JSON: empty code block' : 'invalid JSON: empty output',
        };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        return { value: 0, pass: false, reason: invalidReason(output, text, start, error) };
      }
      const block = fenced ? ' (in a code block)' : '';
      const problems = validate?.(parsed);
      if (problems !== undefined) {
        return {
          value: 0,
          pass: false,
          reason: `JSON ${jsonKind(parsed)}${block} does not match the schema: ${problems}`,
        };
      }
      const matching = validate ? ' matching the schema' : '';
      return { value: 1, pass: true, reason: `valid JSON ${jsonKind(parsed)}${matching}${block}` };
    };
  },
};

/** The candidate JSON text and its offset in the output. */
export function extractJson(output: string): { text: string; start: number; fenced: boolean } {
  const trimmed = output.trim();
  const start = output.length - output.trimStart().length;
  if (trimmed.length >= 2 * FENCE.length && trimmed.startsWith(FENCE) && trimmed.endsWith(FENCE)) {
    const newline = trimmed.indexOf('\n');
    const language = newline === -1 ? undefined : trimmed.slice(FENCE.length, newline).trim().toLowerCase();
    const end = trimmed.length - FENCE.length;
    if ((language === '' || language === 'json') && newline < end) {
      return { text: trimmed.slice(newline + 1, end), start: start + newline + 1, fenced: true };
    }
  }
  return { text: trimmed, start, fenced: false };
}

/** `object`, `array`, `string`, `number`, `boolean` or `null`. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function invalidReason(output: string, text: string, start: number, error: unknown): string {
  let problem: ReturnType<typeof findJsonProblem>;
  try {
    problem = findJsonProblem(text);
  } catch {
    // Deeply nested input can exhaust the stack of the checker; V8's message is the fallback.
    problem = undefined;
  }
  if (problem === undefined)
    return `invalid JSON: ${clip(error instanceof Error ? error.message : String(error))}`;
  const { line, column } = lineAndColumn(output, start + problem.offset);
  return `invalid JSON at line ${line}, column ${column}: ${problem.message}`;
}
