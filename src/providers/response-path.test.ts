import { describe, expect, it } from 'vitest';
import { parsePath, valueAtPath } from './response-path.js';

const BODY = {
  choices: [{ text: 'first' }, { text: 'last' }],
  data: { 'content-type': 'json', 'a.b': 1, nested: { zero: 0, empty: '' } },
  list: [[1, 2]],
};

function read(path: string): unknown {
  const parsed = parsePath(path);
  if (!Array.isArray(parsed)) throw new Error(parsed.error);
  return valueAtPath(BODY, parsed);
}

describe('response paths', () => {
  it('parses names, indexes and quoted keys', () => {
    expect(parsePath('choices[0].text')).toEqual(['choices', 0, 'text']);
    expect(parsePath('data["a.b"]')).toEqual(['data', 'a.b']);
    expect(parsePath("data['content-type']")).toEqual(['data', 'content-type']);
    expect(parsePath('[0][1]')).toEqual([0, 1]);
    expect(parsePath('choices[-1]')).toEqual(['choices', -1]);
  });

  it('reads values, including falsy ones, and negative or dotted indexes', () => {
    expect(read('choices[0].text')).toBe('first');
    expect(read('choices[-1].text')).toBe('last');
    expect(read('choices.1.text')).toBe('last');
    expect(read('data["a.b"]')).toBe(1);
    expect(read("data['content-type']")).toBe('json');
    expect(read('data.nested.zero')).toBe(0);
    expect(read('data.nested.empty')).toBe('');
    expect(read('list[0][1]')).toBe(2);
    expect(valueAtPath([{ a: 1 }], [0, 'a'])).toBe(1);
  });

  it('finds nothing for missing steps, wrong types and inherited properties', () => {
    expect(read('choices[5].text')).toBeUndefined();
    expect(read('choices.text')).toBeUndefined();
    expect(read('data.nested.zero.more')).toBeUndefined();
    expect(read('data[0]')).toBeUndefined();
    expect(read('data.toString')).toBeUndefined();
    expect(read('data.constructor')).toBeUndefined();
  });

  it('rejects text that is not a path', () => {
    expect(parsePath('')).toEqual({ error: 'the path is empty' });
    expect(parsePath('a..b')).toEqual({ error: 'expected a name at position 2' });
    expect(parsePath('a[x]')).toEqual({ error: 'unexpected "[x]" at position 1' });
    expect(parsePath('a[0')).toEqual({ error: 'unexpected "[0" at position 1' });
    expect(parsePath('a.')).toEqual({ error: 'expected a name at position 2' });
    expect(parsePath('a[0]b')).toEqual({ error: 'expected "." or "[" at position 4' });
  });
});
