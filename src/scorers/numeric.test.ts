import { describe, expect, it } from 'vitest';
import { numericScorer, outputNumber, parseNumber } from './numeric.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';

describe('parseNumber', () => {
  it('reads signs, decimals, exponents and thousands separators', () => {
    expect(parseNumber(' -1,234.5 ')).toBe(-1234.5);
    expect(parseNumber('+2e-3')).toBe(0.002);
    expect(parseNumber('\u22127')).toBe(-7);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('1,234,567')).toBe(1234567);
  });

  it('rejects what is not one number', () => {
    for (const text of ['', 'abc', '1,23', '12,34,567', '1.2.3', '5 apples', '1e999', '--1']) {
      expect(parseNumber(text), text).toBeUndefined();
    }
  });
});

describe('outputNumber', () => {
  it('takes the last number of a sentence', () => {
    expect(outputNumber('There are 3 boxes of 12, so 36.')?.value).toBe(36);
    expect(outputNumber('Total: $1,234.50 (approx.)')?.value).toBe(1234.5);
    expect(outputNumber('x = -5')?.value).toBe(-5);
    expect(outputNumber('about 1.5e3 metres')?.value).toBe(1500);
  });

  it('does not read a dash between numbers as a sign, nor digits inside words', () => {
    expect(outputNumber('pages 5-3')?.value).toBe(3);
    expect(outputNumber('42 is stored in v2')?.value).toBe(42);
    expect(outputNumber('the values 1,2,3')?.value).toBe(3);
  });

  it('finds nothing in text without digits', () => {
    expect(outputNumber('no idea')).toBeUndefined();
  });
});

describe('numeric', () => {
  it('passes on an equal number, showing both', () => {
    expect(scoreWith(numericScorer, { value: 1234.5 }, makeInput('The total is 1,234.5.'))).toEqual({
      value: 1,
      pass: true,
      reason: 'got 1234.5, equals 1234.5',
    });
  });

  it('fails showing the expected and actual numbers and the difference', () => {
    expect(scoreWith(numericScorer, { value: 42 }, makeInput('41'))).toEqual({
      value: 0,
      pass: false,
      reason: 'expected 42, got 41 (off by 1)',
    });
  });

  it('accepts an absolute tolerance, inclusive and free of floating-point noise', () => {
    const spec = { value: 1, options: { tolerance: 0.1 } };
    // |1.1 - 1| is 0.10000000000000009 in floating point.
    expect(scoreWith(numericScorer, spec, makeInput('1.1'))).toEqual({
      value: 1,
      pass: true,
      reason: 'got 1.1, within (±0.1) of 1',
    });
    expect(scoreWith(numericScorer, spec, makeInput('1.2')).reason).toBe(
      'expected 1 (±0.1), got 1.2 (off by 0.2)',
    );
  });

  it('accepts a relative tolerance, and either margin when both are given', () => {
    const relative = { value: 200, options: { relative: 0.05 } };
    expect(scoreWith(numericScorer, relative, makeInput('209')).pass).toBe(true);
    expect(scoreWith(numericScorer, relative, makeInput('211')).reason).toBe(
      'expected 200 (±5%), got 211 (off by 11)',
    );
    expect(
      scoreWith(numericScorer, { value: 100, options: { relative: 0.07 } }, makeInput('90')).reason,
    ).toBe('expected 100 (±7%), got 90 (off by 10)');
    const both = { value: 200, options: { relative: 0.05, tolerance: 20 } };
    expect(scoreWith(numericScorer, both, makeInput('219')).reason).toBe(
      'got 219, within (±20 or ±5%) of 200',
    );
  });

  it("falls back on the task's expected output as numeric text", () => {
    const task = makeTask({ expected: '1,000' });
    expect(scoreWith(numericScorer, {}, makeInput('1000', { task }), task).pass).toBe(true);
  });

  it('shows the number as written when it differs', () => {
    expect(scoreWith(numericScorer, { value: 1500 }, makeInput('1.5e3')).reason).toBe(
      'got 1500 (1.5e3), equals 1500',
    );
  });

  it('fails when the output has no number', () => {
    expect(scoreWith(numericScorer, { value: 5 }, makeInput('five'))).toEqual({
      value: 0,
      pass: false,
      reason: 'no number found in "five"; expected 5',
    });
  });

  it('rejects a non-numeric value or a bad tolerance at prepare', () => {
    const prepare = (spec: Record<string, unknown>) => () =>
      numericScorer.prepare({ type: 'numeric', ...spec }, WHERE, makeTask(), CONTEXT);
    expectUserError(prepare({ value: 'five' }), /needs a number to compare with, got "five" \(string\)/);
    expectUserError(prepare({ value: Number.NaN }), /got NaN \(number\)/);
    expectUserError(prepare({}), /nothing to compare/);
    expectUserError(
      prepare({ value: 1, options: { tolerance: -1 } }),
      /"tolerance" must be a number from 0 and up, got -1/,
    );
    expectUserError(prepare({ value: 1, options: { relative: '5%' } }), /got "5%" \(string\)/);
    expectUserError(prepare({ value: 1, options: { tolerence: 1 } }), /did you mean "tolerance"/);
  });
});
