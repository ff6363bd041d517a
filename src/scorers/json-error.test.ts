import { describe, expect, it } from 'vitest';
import { findJsonProblem, lineAndColumn } from './json-error.js';

const valid = [
  '{}',
  '[]',
  '0',
  '-1.5e+10',
  '"a\\u00e9\\n\\"b"',
  ' { "a" : [1, true, false, null, {"b": "c"}] } ',
  '"日本 👍"',
];

const invalid: Array<[string, number, RegExp]> = [
  ['', 0, /end of input/],
  ['{"a":}', 5, /unexpected "}"/],
  ['{"a":1', 6, /expected "," or "}", found end of input/],
  ['[1,2,]', 5, /unexpected "]"/],
  ['{a:1}', 1, /property name in double quotes/],
  ['{"a" 1}', 5, /expected ":"/],
  ['"abc', 0, /unterminated string/],
  ['"\\x"', 1, /bad escape/],
  ['"\\u12G4"', 1, /bad escape/],
  ['"a\tb"', 2, /control character/],
  ['-', 0, /invalid number/],
  ['01', 1, /unexpected "1" after the JSON value/],
  ['{"a":1} trailing', 8, /unexpected "t" after the JSON value/],
  ['tru', 0, /unexpected "t"/],
  ["{'a':1}", 1, /property name/],
  ['[1 2]', 3, /expected "," or "]"/],
];

describe('findJsonProblem', () => {
  it.each(valid)('finds nothing wrong in %j, like JSON.parse', (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(findJsonProblem(text)).toBeUndefined();
  });

  it.each(invalid)('locates the problem in %j at offset %i', (text, offset, message) => {
    expect(() => JSON.parse(text)).toThrow();
    const problem = findJsonProblem(text);
    expect(problem?.offset).toBe(offset);
    expect(problem?.message).toMatch(message);
  });
});

describe('lineAndColumn', () => {
  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\nef', 6)).toEqual({ line: 3, column: 1 });
  });
});
