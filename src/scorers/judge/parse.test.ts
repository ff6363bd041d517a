import { describe, expect, it } from 'vitest';
import { findJsonObject, JudgeParseError, parseChoice, parseGrade, parseRating } from './parse.js';

function parseFailure(action: () => unknown): JudgeParseError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(JudgeParseError);
    return error as JudgeParseError;
  }
  throw new Error('expected a JudgeParseError');
}

describe('parseGrade', () => {
  it.each([
    [
      'bare JSON',
      '{"reason": "Names Paris.", "score": 1, "pass": true}',
      { score: 1, pass: true, reason: 'Names Paris.' },
    ],
    [
      'JSON in a ```json fence after prose',
      'Here is my evaluation:\n\n```json\n{\n  "reason": "Misses the date.",\n  "score": 0.4,\n  "pass": false\n}\n```\n',
      { score: 0.4, pass: false, reason: 'Misses the date.' },
    ],
    [
      'JSON in a bare fence',
      '```\n{"reason":"ok","score":0.9,"pass":true}\n```',
      { score: 0.9, pass: true, reason: 'ok' },
    ],
    [
      'JSON amid prose, braces inside strings',
      'Let me think. The rubric wants {format}.\nFinal answer: {"reason": "uses {curly} braces as asked", "score": 0.75, "pass": true} Done.',
      { score: 0.75, pass: true, reason: 'uses {curly} braces as asked' },
    ],
    [
      'capitalised keys and string values',
      '{"Reason": "Fine", "Score": "0.8", "Pass": "yes"}',
      { score: 0.8, pass: true, reason: 'Fine' },
    ],
    [
      'a Python dict with trailing comma',
      "{'reason': 'Too long', 'score': 0.2, 'pass': False,}",
      { score: 0.2, pass: false, reason: 'Too long' },
    ],
    [
      'only a pass verdict',
      '{"pass": true, "reasoning": "meets it"}',
      { score: 1, pass: true, reason: 'meets it' },
    ],
    [
      'only a score',
      '{"score": 0.3, "explanation": "weak"}',
      { score: 0.3, pass: undefined, reason: 'weak' },
    ],
    [
      'a fraction score',
      '{"score": "4/5", "reason": "good"}',
      { score: 0.8, pass: undefined, reason: 'good' },
    ],
    [
      'a percentage score',
      '{"score": "70%", "reason": "fair"}',
      { score: 0.7, pass: undefined, reason: 'fair' },
    ],
    [
      'prose around an object without reason',
      'The output is fine.\n{"score": 1, "pass": true}',
      { score: 1, pass: true, reason: 'The output is fine.' },
    ],
  ])('reads %s', (_label, text, expected) => {
    expect(parseGrade(text)).toEqual(expected);
  });

  it.each([
    ['Score: 0.8\nReason: mostly right', { score: 0.8, pass: undefined, reason: 'mostly right' }],
    ['**Score:** 4/5\n\nThe answer is complete but verbose.', { score: 0.8, pass: undefined }],
    ['I would give this a score of 3 out of 10.', { score: 0.3, pass: undefined }],
    ['Final score = 85%', { score: 0.85, pass: undefined }],
    ['PASS\nThe output names the capital.', { score: 1, pass: true }],
    ['The output omits the year, so: FAIL', { score: 0, pass: false }],
    ['Verdict: pass. Reason: it is polite', { score: 1, pass: true, reason: 'it is polite' }],
    ['Result: FAILED - missing citation', { score: 0, pass: false }],
    ['Score: 0.9 Verdict: PASS', { score: 0.9, pass: true }],
    ['Earlier I said score: 0.2, but on reflection the final score: 0.6', { score: 0.6 }],
  ])('falls back on patterns in %j', (text, expected) => {
    expect(parseGrade(text)).toMatchObject(expected);
  });

  it('takes the whole answer, on one line, as the reason when there is no label', () => {
    expect(parseGrade('PASS\n\nThe output   names\nthe capital.').reason).toBe(
      'PASS The output names the capital.',
    );
  });

  it.each([
    ['prose without a verdict', 'The answer seems reasonable to me.', /no score or pass\/fail verdict/],
    ['an empty answer', '', /no score or pass\/fail verdict/],
    ['a score outside 0..1 in JSON', '{"score": 8, "reason": "good"}', /score 8 is not a number from 0 to 1/],
    ['a score outside 0..1 in text', 'Score: 7', /score 7 is not a number from 0 to 1/],
    [
      'a pass value that is not a boolean',
      '{"pass": "maybe", "score": 0.5}',
      /pass "maybe" is not true or false/,
    ],
    ['JSON about something else', '{"answer": "Paris"}', /no score or pass\/fail verdict/],
    ['lowercase pass in prose', 'I think it should pass, mostly.', /no score/],
  ])('rejects %s', (_label, text, message) => {
    expect(parseFailure(() => parseGrade(text, 0.004)).message).toMatch(message);
  });

  it('keeps the cost and the answer on the error, quoting at most 200 characters', () => {
    const answer = `I refuse to grade this. ${'blah '.repeat(100)}`;
    const error = parseFailure(() => parseGrade(answer, 0.0031));
    expect(error.costUsd).toBe(0.0031);
    expect(error.answer).toBe(answer);
    expect(error.message).toBe(
      `judge answer not understood (no score or pass/fail verdict): ${JSON.stringify(answer.slice(0, 200)).slice(0, -1)}…"`,
    );
  });

  it('leaves the cost undefined when it is unknown', () => {
    expect(parseFailure(() => parseGrade('hm', null)).costUsd).toBeUndefined();
  });
});

describe('parseRating', () => {
  it.each([
    ['{"steps": ["a", "b"], "reason": "clear", "score": 4}', 4, 'clear'],
    ['```json\n{"score": "5", "reason": "excellent"}\n```', 5, 'excellent'],
    ['{"rating": 2.5, "reason": "mixed"}', 2.5, 'mixed'],
    ['{"score": "8/10", "reason": "x"}', 4, 'x'],
    ['Evaluation steps:\n1. Check structure.\n2. Check flow.\n\nScore: 3', 3, undefined],
    ['Rating: 4 out of 5. Reasoning: coherent', 4, 'coherent'],
    ['Overall I give it 2/5.', 2, undefined],
    ['5', 5, undefined],
  ])('reads %j', (text, rating, reason) => {
    const parsed = parseRating(text, 1, 5);
    expect(parsed.rating).toBe(rating);
    if (reason !== undefined) expect(parsed.reason).toBe(reason);
  });

  it.each([
    ['{"score": 0, "reason": "bad"}', /score 0 is not from 1 to 5/],
    ['{"score": 7}', /score 7 is not from 1 to 5/],
    ['{"score": "excellent"}', /score "excellent" is not from 1 to 5/],
    ['It is quite coherent overall.', /no score from 1 to 5/],
  ])('rejects %j', (text, message) => {
    const error = parseFailure(() => parseRating(text, 1, 5, 0.01));
    expect(error.message).toMatch(message);
    expect(error.costUsd).toBe(0.01);
  });
});

describe('parseChoice', () => {
  it.each([
    ['{"reason": "same facts", "choice": "C"}', 'C', 'same facts'],
    ['{"choice": "(B)", "reason": "adds detail"}', 'B', 'adds detail'],
    ['{"answer": "d. contradicts", "reason": "wrong year"}', 'D', 'wrong year'],
    ['```json\n{"choice": "e"}\n```', 'E', undefined],
    ['The submission leaves out the population.\nAnswer: A', 'A', undefined],
    ['Comparing both, (A) does not fit and the best match is (C).', 'C', undefined],
    ['My choice is **B** because it adds a fact.', 'B', undefined],
    ['D', 'D', undefined],
    ['(E)\n', 'E', undefined],
  ])('reads %j', (text, choice, reason) => {
    const parsed = parseChoice(text, 'ABCDE');
    expect(parsed.choice).toBe(choice);
    if (reason !== undefined) expect(parsed.reason).toBe(reason);
  });

  it.each([
    ['{"choice": "F"}', /choice "F" is not one of A, B, C, D, E/],
    ['{"choice": "Correct"}', /choice "Correct" is not one of/],
    ['The answer is a good one.', /no choice among A, B, C, D, E/],
    ['I cannot decide.', /no choice among/],
  ])('rejects %j', (text, message) => {
    expect(parseFailure(() => parseChoice(text, 'ABCDE')).message).toMatch(message);
  });
});

describe('findJsonObject', () => {
  it('returns the first object the predicate accepts, skipping others', () => {
    const text = 'Example format: {"x": 1}. My answer: {"score": 0.5}';
    expect(findJsonObject(text, (object) => 'score' in object)).toEqual({ score: 0.5 });
  });

  it('prefers a fenced block over objects in the prose', () => {
    expect(findJsonObject('{"a": 1}\n```json\n{"b": 2}\n```')).toEqual({ b: 2 });
  });

  it('returns undefined for unbalanced or invalid JSON', () => {
    expect(findJsonObject('{"score": 0.5')).toBeUndefined();
    expect(findJsonObject('{score: high}')).toBeUndefined();
  });
});
