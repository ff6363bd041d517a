import { describe, expect, it } from 'vitest';
import { answer, estimateTokens, splitTokens, truncateToTokens } from './answer.js';
import { evaluate, findArithmetic } from './arithmetic.js';

describe('answer', () => {
  it.each([
    ['What is 12 * (3 + 4)?', '84'],
    ['What is 7/2?', '3.5'],
    ['Compute 2 + 3 * 4.', '14'],
    ['What is -3 + 5?', '2'],
    ['What is 10 / 4 - 1?', '1.5'],
    ['What is 1/3?', '0.3333333333'],
    ['Please work out (2+2) and reply with just the number', '4'],
  ])('answers arithmetic %j with %j', (message, expected) => {
    expect(answer(message)).toBe(expected);
  });

  it.each([
    ['Reply with exactly: hello', 'hello'],
    ['reply with OK', 'OK'],
    ['Say "good morning"', 'good morning'],
    ['Please SAY banana.', 'banana'],
    ["Respond with 'a.b.'", 'a.b.'],
  ])('answers the requested reply in %j', (message, expected) => {
    expect(answer(message)).toBe(expected);
  });

  it('answers JSON when asked, wrapping the plain answer', () => {
    expect(JSON.parse(answer('What is 6 * 7? Answer in JSON'))).toEqual({ answer: 42 });
    expect(JSON.parse(answer('Give me the capital of France as JSON'))).toEqual({
      answer: 'Echo: Give me the capital of France as JSON',
    });
    expect(JSON.parse(answer('hello', { json: true }))).toEqual({ answer: 'Echo: hello' });
  });

  it('echoes anything else', () => {
    expect(answer('Tell me a story')).toBe('Echo: Tell me a story');
    expect(answer('The year 2024 was long')).toBe('Echo: The year 2024 was long');
  });

  it('is deterministic', () => {
    expect(answer('What is 9 * 9?')).toBe(answer('What is 9 * 9?'));
  });
});

describe('arithmetic', () => {
  it('respects precedence and parentheses', () => {
    expect(evaluate('2 + 3 * 4')).toBe(14);
    expect(evaluate('(2 + 3) * 4')).toBe(20);
    expect(evaluate('8 / 2 / 2')).toBe(2);
    expect(evaluate('2 - -3')).toBe(5);
  });

  it('rejects incomplete expressions, bare numbers and division by zero', () => {
    expect(evaluate('2 +')).toBeUndefined();
    expect(evaluate('42')).toBeUndefined();
    expect(evaluate('(2 + 3')).toBeUndefined();
    expect(evaluate('1 / 0')).toBeUndefined();
  });

  it('ignores parentheses that belong to the prose', () => {
    expect(findArithmetic('the sum (of 2+2)')).toBe(4);
    expect(findArithmetic('(roughly 3*3)')).toBe(9);
  });
});

describe('tokens', () => {
  it('estimates ceil(chars / 4), at least 1', () => {
    expect(estimateTokens(0)).toBe(1);
    expect(estimateTokens(4)).toBe(1);
    expect(estimateTokens(5)).toBe(2);
    expect(estimateTokens(100)).toBe(25);
  });

  it('truncates to a token budget and says so', () => {
    expect(truncateToTokens('abcdefghij', 2)).toEqual({ text: 'abcdefgh', truncated: true });
    expect(truncateToTokens('abcd', 1)).toEqual({ text: 'abcd', truncated: false });
  });

  it('splits text into one-token pieces that join back', () => {
    expect(splitTokens('Echo: hi')).toEqual(['Echo', ': hi']);
    expect(splitTokens('')).toEqual([]);
  });
});

describe('answer with a preamble', () => {
  it('takes the request on the last line that makes one', () => {
    expect(answer('Answer with only the final result, no explanation.\n\nReply with exactly: hello')).toBe(
      'hello',
    );
  });
});
