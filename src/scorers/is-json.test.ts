import { describe, expect, it } from 'vitest';
import { extractJson, isJsonScorer } from './is-json.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

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

  it('rejects a value (no JSON Schema support yet)', () => {
    const error = expectUserError(
      () => isJsonScorer.prepare({ type: 'is-json', value: { type: 'object' } }, WHERE, makeTask(), CONTEXT),
      /takes no "value"/,
    );
    expect(error.hint).toMatch(/JSON Schema/);
  });
});

describe('extractJson', () => {
  it('returns the inner text of a fence and where it starts', () => {
    expect(extractJson('  ```json\n[1]\n```')).toEqual({ text: '[1]\n', start: 10, fenced: true });
    expect(extractJson(' {} ')).toEqual({ text: '{}', start: 1, fenced: false });
  });
});
