import { describe, expect, it } from 'vitest';
import { clip, describeValue, preview } from './text.js';

describe('preview', () => {
  it('quotes short text as JSON, escaping newlines', () => {
    expect(preview('a "b"\nc')).toBe('"a \\"b\\"\\nc"');
  });

  it('cuts long text without splitting a surrogate pair', () => {
    expect(preview('abcdef', 3)).toBe('"abc…"');
    expect(preview('ab👍cd', 3)).toBe('"ab…"');
  });
});

describe('clip', () => {
  it('keeps short text and cuts long text to the limit', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('abcdef', 5)).toBe('abcd…');
  });
});

describe('describeValue', () => {
  it('shows the value and its type', () => {
    expect(describeValue(-1)).toBe('-1 (number)');
    expect(describeValue('5')).toBe('"5" (string)');
    expect(describeValue(undefined)).toBe('undefined (undefined)');
    expect(describeValue(null)).toBe('null (null)');
    expect(describeValue([1])).toBe('[1] (array)');
    expect(describeValue(Number.NaN)).toBe('NaN (number)');
    expect(describeValue(10n)).toBe('10 (bigint)');
  });
});
