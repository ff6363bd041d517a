import { extractJson, jsonKind } from './is-json.js';
import { lineAndColumn } from './json-error.js';
import { schemaOfAssertion } from './json-schema.js';
import type { Scorer } from './scorer.js';
import { readOptions } from './scorer-options.js';
import { preview } from './text.js';

/** Openings tried in prose before giving up: bounds the work on outputs full of unmatched brackets. */
const MAX_ATTEMPTS = 200;

const FENCED_BLOCK = /```[ \t]*(?:json)?[ \t]*\r?\n([\s\S]*?)```/gi;

/** A JSON value found in an output, and the offset where its text starts. */
export interface JsonCandidate {
  value: unknown;
  offset: number;
}

/**
 * Passes when the output contains a JSON value: the whole output (as `is-json` reads it), a
 * ```` ```json ```` or bare fenced block anywhere, or an object or array embedded in prose (bare
 * numbers and strings in prose do not count). With a JSON Schema (`value` or `options.schema`, as
 * for `is-json`) one of the values found must match it.
 */
export const containsJsonScorer: Scorer = {
  name: 'contains-json',
  version: '1',
  prepare(spec, where, _task, context) {
    readOptions('contains-json', spec, where, ['schema']);
    const validate = schemaOfAssertion('contains-json', spec, where, context.baseDir);
    return ({ output }) => {
      let found = 0;
      let first = { place: '', problems: '' };
      for (const candidate of jsonCandidates(output)) {
        found += 1;
        const place = describeCandidate(output, candidate);
        const problems = validate?.(candidate.value);
        if (problems === undefined) {
          const matching = validate ? ' matching the schema' : '';
          return { value: 1, pass: true, reason: `found ${place}${matching}` };
        }
        if (found === 1) first = { place, problems };
      }
      if (found === 0) return { value: 0, pass: false, reason: `no JSON found in ${preview(output)}` };
      const reason =
        found === 1
          ? `found ${first.place} not matching the schema: ${first.problems}`
          : `none of the ${found} JSON values found matches the schema; the first, ${first.place}: ${first.problems}`;
      return { value: 0, pass: false, reason };
    };
  },
};

function describeCandidate(output: string, { value, offset }: JsonCandidate): string {
  const { line, column } = lineAndColumn(output, offset);
  return `a JSON ${jsonKind(value)} at line ${line}, column ${column}`;
}

/** JSON values in `output`, in the order the scorer tries them (see `containsJsonScorer`). */
export function* jsonCandidates(output: string): Generator<JsonCandidate> {
  const whole = extractJson(output);
  const value = parse(whole.text);
  if (value.ok) {
    yield { value: value.value, offset: whole.start + (whole.text.length - whole.text.trimStart().length) };
    return;
  }
  const covered: Array<[number, number]> = [];
  for (const match of output.matchAll(FENCED_BLOCK)) {
    const inner = match[1] ?? '';
    const block = parse(inner);
    if (!block.ok) continue;
    const start = match.index + match[0].length - inner.length - 3;
    covered.push([match.index, match.index + match[0].length]);
    yield { value: block.value, offset: start + (inner.length - inner.trimStart().length) };
  }
  let attempts = 0;
  for (let index = 0; index < output.length && attempts < MAX_ATTEMPTS; index += 1) {
    const char = output[index];
    if (char !== '{' && char !== '[') continue;
    const inside = covered.find(([from, to]) => index >= from && index < to);
    if (inside) {
      index = inside[1] - 1;
      continue;
    }
    attempts += 1;
    const end = closingIndex(output, index);
    if (end === -1) continue;
    const embedded = parse(output.slice(index, end + 1));
    if (!embedded.ok) continue;
    yield { value: embedded.value, offset: index };
    // Objects nested in this one are part of it, not values of their own.
    index = end;
  }
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 when it never closes. */
function closingIndex(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{' || char === '[') {
      depth += 1;
    } else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return -1;
}
