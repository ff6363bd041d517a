import { describe, expect, it } from 'vitest';
import { containsJsonScorer, jsonCandidates } from './contains-json.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

const check = (output: string, value?: unknown) =>
  scoreWith(containsJsonScorer, value === undefined ? {} : { value }, makeInput(output));

const NAMED = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };

describe('contains-json', () => {
  it('passes on an output that is JSON, like is-json', () => {
    expect(check('  {"a": 1}')).toEqual({
      value: 1,
      pass: true,
      reason: 'found a JSON object at line 1, column 3',
    });
    expect(check('42').reason).toBe('found a JSON number at line 1, column 1');
  });

  it('finds an object or array embedded in prose', () => {
    expect(check('Sure! Here it is:\n  {"name": "Ada", "tags": ["x"]}\nHope that helps.')).toEqual({
      value: 1,
      pass: true,
      reason: 'found a JSON object at line 2, column 3',
    });
    expect(check('The list is [1, 2, 3].').reason).toBe('found a JSON array at line 1, column 13');
  });

  it('finds a fenced block in the middle of an answer', () => {
    expect(check('Result:\n```json\n"done"\n```\nBye').reason).toBe(
      'found a JSON string at line 3, column 1',
    );
  });

  it('skips brackets that are not JSON and braces inside strings', () => {
    expect(check('Use {name} or [see below]: {"a": "}{", "b": [1]}').reason).toBe(
      'found a JSON object at line 1, column 28',
    );
  });

  it('fails when there is no JSON, ignoring bare numbers in prose', () => {
    expect(check('The answer is 42.')).toEqual({
      value: 0,
      pass: false,
      reason: 'no JSON found in "The answer is 42."',
    });
    expect(check('{"a": 1').pass).toBe(false);
    expect(check('').reason).toBe('no JSON found in ""');
  });

  it('with a schema, passes when one of the values found matches it', () => {
    expect(check('first {"id": 1} then {"name": "Ada"}', NAMED)).toEqual({
      value: 1,
      pass: true,
      reason: 'found a JSON object at line 1, column 22 matching the schema',
    });
  });

  it('with a schema, fails naming the first value and its problems', () => {
    expect(check('here: {"name": 5}', NAMED).reason).toBe(
      'found a JSON object at line 1, column 7 not matching the schema: /name must be string',
    );
    expect(check('{"id": 1} and [2]', NAMED).reason).toBe(
      'none of the 2 JSON values found matches the schema; the first, a JSON object at line 1, column 1: ' +
        "(root) must have required property 'name'",
    );
  });

  it('rejects a bad schema or unknown options at prepare', () => {
    const prepare = (spec: Record<string, unknown>) => () =>
      containsJsonScorer.prepare({ type: 'contains-json', ...spec }, WHERE, makeTask(), CONTEXT);
    expectUserError(prepare({ value: { type: 'nope' } }), /contains-json: invalid JSON Schema/);
    expectUserError(prepare({ value: 'missing.json' }), /JSON Schema file not found: missing\.json/);
    expectUserError(prepare({ options: { strict: true } }), /no option "strict"/);
  });
});

describe('jsonCandidates', () => {
  it('does not count objects nested in a value found', () => {
    const found = [...jsonCandidates('a {"b": {"c": 1}} d [2]')].map((candidate) => candidate.offset);
    expect(found).toEqual([2, 20]);
  });

  it('gives up after 200 unmatched openings instead of scanning on for ever', () => {
    expect([...jsonCandidates(`${'['.repeat(199)} {"ok": true}`)]).toHaveLength(1);
    expect([...jsonCandidates(`${'['.repeat(5000)} {"ok": true}`)]).toEqual([]);
  });
});
