import { describe, expect, it } from 'vitest';
import { parseExpected } from './expected.js';

describe('parseExpected (promptfoo CSV __expected cells)', () => {
  it.each([
    ['Paris', { type: 'equals', value: 'Paris' }],
    ['  42 ', { type: 'equals', value: '42' }],
    ['Note: bring a jacket', { type: 'equals', value: 'Note: bring a jacket' }],
    ['paris: the capital', { type: 'equals', value: 'paris: the capital' }],
    ['contains: Paris', { type: 'contains', value: 'Paris' }],
    ['not-icontains:sorry', { type: 'not-icontains', value: 'sorry' }],
    ['contains-any:pickup,pick up', { type: 'contains-any', value: 'pickup,pick up' }],
    ['similar(0.8):The sky is blue', { type: 'similar', value: 'The sky is blue', threshold: 0.8 }],
    ['levenshtein(5): hello world', { type: 'levenshtein', value: 'hello world', threshold: 5 }],
    ['grade: is polite', { type: 'llm-rubric', value: 'is polite' }],
    ['fn: output.length < 80', { type: 'javascript', value: 'output.length < 80' }],
    ['eval:output.includes("x")', { type: 'javascript', value: 'output.includes("x")' }],
    ['is-json', { type: 'is-json' }],
    ['not-is-json', { type: 'not-is-json' }],
    ['contains-json', { type: 'contains-json' }],
    ['python: file://checks/tent.py', { type: 'python', value: 'file://checks/tent.py' }],
    ['file://checks/length.js', { type: 'javascript', value: 'file://checks/length.js' }],
    ['file://checks/tone.py', { type: 'python', value: 'file://checks/tone.py' }],
    ['equals', { type: 'equals', value: 'equals' }],
  ])('reads %j', (cell, assertion) => {
    expect(parseExpected(cell)).toEqual(assertion);
  });

  it('gives nothing for an empty cell', () => {
    expect(parseExpected('')).toBeUndefined();
    expect(parseExpected('   ')).toBeUndefined();
  });
});
