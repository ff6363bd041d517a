import { describe, expect, it } from 'vitest';
import { editDistance, nearestName } from './suggest.js';

const names = ['equals', 'contains', 'icontains', 'regex', 'is-json', 'latency', 'cost'];

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('contain', 'contains')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(editDistance('contian', 'contain')).toBe(1);
  });
});

describe('nearestName', () => {
  it.each([
    ['contain', 'contains'],
    ['equal', 'equals'],
    ['regexp', 'regex'],
    ['is_json', 'is-json'],
    ['json', 'is-json'],
    ['Latency', 'latency'],
    ['icontain', 'icontains'],
    ['contian', 'contains'],
  ])('suggests %s → %s', (typo, expected) => {
    expect(nearestName(typo, names)).toBe(expected);
  });

  it('suggests nothing for an unrelated name', () => {
    expect(nearestName('llm-rubric', names)).toBeUndefined();
    expect(nearestName('xy', names)).toBeUndefined();
  });
});
