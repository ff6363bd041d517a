import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssertionSpec } from '../types.js';
import { extractJson, isJsonScorer } from './is-json.js';
import { standalonePrepareContext } from './registry.js';
import type { PrepareContext } from './scorer.js';
import { expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

const check = (output: string) => scoreWith(isJsonScorer, {}, makeInput(output));

describe('is-json', () => {
  it('passes on a JSON object, saying what it is', () => {
    expect(check('{"answer": 5}')).toEqual({ value: 1, pass: true, reason: 'valid JSON object' });
  });

  it('accepts any JSON value and surrounding whitespace', () => {
    expect(check('  [1, 2]\n').reason).toBe('valid JSON array');
    expect(check('42').reason).toBe('valid JSON number');
    expect(check('"日本"').reason).toBe('valid JSON string');
  });

  it('accepts a fenced code block, tagged json or not', () => {
    expect(check('```json\n{"a": 1}\n```')).toEqual({
      value: 1,
      pass: true,
      reason: 'valid JSON object (in a code block)',
    });
    expect(check('\n```\n[1]\n```\n').pass).toBe(true);
    expect(check('```JSON\n{"a": 1}```').pass).toBe(true);
  });

  it('does not unwrap a block in another language', () => {
    expect(check('```python\n{"a": 1}\n```').pass).toBe(false);
  });

  it('fails with the line and column of the problem', () => {
    expect(check('{"a": }')).toEqual({
      value: 0,
      pass: false,
      reason: 'invalid JSON at line 1, column 7: unexpected "}"',
    });
  });

  it('reports positions in the output, counting the fence and leading whitespace', () => {
    expect(check('\n```json\n{\n  "a": 1,\n}\n```').reason).toBe(
      'invalid JSON at line 5, column 1: expected a property name in double quotes, found "}"',
    );
  });

  it('fails on prose around the JSON, and on empty output', () => {
    expect(check('Here it is: {"a": 1}').reason).toBe('invalid JSON at line 1, column 1: unexpected "H"');
    expect(check('{"a": 1} hope that helps').reason).toMatch(
      /column 10: unexpected "h" after the JSON value/,
    );
    expect(check('   ')).toEqual({ value: 0, pass: false, reason: 'invalid JSON: empty output' });
    expect(check('```json\n\n```').reason).toBe('invalid JSON: empty code block');
  });
});

const PERSON = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
};

describe('is-json with a JSON Schema', () => {
  let dir: string;
  let context: PrepareContext;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'assay-is-json-'));
    mkdirSync(path.join(dir, 'schemas'));
    writeFileSync(path.join(dir, 'schemas', 'person.json'), JSON.stringify(PERSON));
    writeFileSync(path.join(dir, 'schemas', 'broken.json'), '{\n  "type": "object",\n}');
    writeFileSync(path.join(dir, 'schemas', 'list.json'), '[1]');
    context = standalonePrepareContext(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const prepare = (spec: Omit<AssertionSpec, 'type'>) =>
    isJsonScorer.prepare({ type: 'is-json', ...spec }, WHERE, makeTask(), context);
  const score = (spec: Omit<AssertionSpec, 'type'>, output: string) => {
    const verdict = prepare(spec)(makeInput(output));
    if (verdict instanceof Promise) throw new Error('expected a synchronous verdict');
    return verdict;
  };

  it('passes when the JSON matches an inline schema', () => {
    expect(score({ value: PERSON }, '```json\n{"name": "Ada", "age": 36}\n```')).toEqual({
      value: 1,
      pass: true,
      reason: 'valid JSON object matching the schema (in a code block)',
    });
  });

  it('fails listing the first mismatches with their paths', () => {
    expect(score({ value: PERSON }, '{"age": -1, "extra": true}')).toEqual({
      value: 0,
      pass: false,
      reason:
        "JSON object does not match the schema: (root) must have required property 'name'; " +
        '(root) must NOT have additional properties ("extra"); /age must be >= 0',
    });
  });

  it('lists at most three mismatches', () => {
    const schema = { type: 'array', items: { type: 'string' } };
    expect(score({ value: schema }, '[1, 2, 3, 4, 5]').reason).toBe(
      'JSON array does not match the schema: /0 must be string; /1 must be string; /2 must be string; …and 2 more',
    );
  });

  it('still fails invalid JSON before checking the schema', () => {
    expect(score({ value: PERSON }, '{"name": }').reason).toMatch(/^invalid JSON at line 1/);
  });

  it('reads the schema from options.schema or a .json file relative to the base directory', () => {
    expect(score({ options: { schema: PERSON } }, '{"name": "Ada"}').pass).toBe(true);
    expect(score({ value: 'schemas/person.json' }, '{"name": "Ada"}').pass).toBe(true);
    expect(score({ options: { schema: 'schemas/person.json' } }, '{"name": 1}').reason).toBe(
      'JSON object does not match the schema: /name must be string',
    );
  });

  it('checks enums, formats and 2020-12 schemas', () => {
    const color = { type: 'string', enum: ['red', 'green'] };
    expect(score({ value: color }, '"blue"').reason).toBe(
      'JSON string does not match the schema: (root) must be equal to one of the allowed values (["red","green"])',
    );
    const when = { type: 'string', format: 'date' };
    expect(score({ value: when }, '"2024-02-29"').pass).toBe(true);
    expect(score({ value: when }, '"2023-02-29"').reason).toMatch(/must match format "date"/);
    const tuple = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'number' }],
      items: false,
    };
    expect(score({ value: tuple }, '[1]').pass).toBe(true);
    expect(score({ value: tuple }, '[1, 2]').pass).toBe(false);
  });

  it('rejects a missing, unreadable or invalid schema at prepare', () => {
    expectUserError(
      () => prepare({ value: 'schemas/nope.json' }),
      /JSON Schema file not found: schemas\/nope\.json/,
    );
    expectUserError(
      () => prepare({ value: 'schemas/broken.json' }),
      /schemas\/broken\.json is not valid JSON at line 3, column 1/,
    );
    expectUserError(() => prepare({ value: 'schemas/list.json' }), /must be an object, got \[1\] \(array\)/);
    expectUserError(
      () => prepare({ value: 'type: object' }),
      /path of a \.json schema file, got "type: object"/,
    );
    expectUserError(() => prepare({ value: 5 }), /got 5 \(number\)/);
    expectUserError(() => prepare({ value: PERSON, options: { schema: PERSON } }), /not both/);
    expectUserError(
      () => prepare({ options: { schem: PERSON } }),
      /no option "schem"; did you mean "schema"/,
    );
  });

  it('names the problem of an invalid schema', () => {
    expectUserError(
      () => prepare({ value: { type: 'objct' } }),
      /invalid JSON Schema in the inline schema: not a valid JSON Schema: \/type must be equal to one of the allowed values/,
    );
    expectUserError(
      () => prepare({ value: { type: 'object', requierd: ['name'] } }),
      /unknown keyword: "requierd"/,
    );
    const format = expectUserError(
      () => prepare({ value: { type: 'string', format: 'colour' } }),
      /unknown format "colour"/,
    );
    expect(format.hint).toMatch(/formats: date, time, date-time/);
  });

  it('compiles two different schemas with the same $id', () => {
    expect(score({ value: { $id: 'answer', type: 'string' } }, '"a"').pass).toBe(true);
    expect(score({ value: { $id: 'answer', type: 'number' } }, '1').pass).toBe(true);
  });

  it('rejects a schema that reuses one $id inside itself', () => {
    const schema = { type: 'object', properties: { a: { $id: 'x' }, b: { $id: 'x', type: 'string' } } };
    expectUserError(() => prepare({ value: schema }), /invalid JSON Schema in the inline schema: .*"x"/);
  });
});

describe('extractJson', () => {
  it('returns the inner text of a fence and where it starts', () => {
    expect(extractJson('  ```json\n[1]\n```')).toEqual({ text: '[1]\n', start: 10, fenced: true });
    expect(extractJson(' {} ')).toEqual({ text: '{}', start: 1, fenced: false });
  });
});
