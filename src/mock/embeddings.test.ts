import { describe, expect, it } from 'vitest';
import { cosine, EMBEDDING_DIMENSIONS, embedText } from './embeddings.js';

describe('embedText', () => {
  it('is a deterministic unit vector of 64 numbers', () => {
    const vector = embedText('The quick brown fox');
    expect(vector).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(embedText('The quick brown fox')).toEqual(vector);
    expect(cosine(vector, vector)).toBeCloseTo(1, 12);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 12);
  });

  it('ignores case, punctuation and word order', () => {
    expect(embedText('Paris is the capital of France.')).toEqual(embedText('the CAPITAL of france is paris'));
  });

  it('gives texts sharing words a high similarity and unrelated texts a low one', () => {
    const base = embedText('The cat sat on the mat in the sun');
    expect(cosine(base, embedText('The cat sat on the mat'))).toBeGreaterThan(0.7);
    expect(Math.abs(cosine(base, embedText('Quarterly revenue grew eleven percent')))).toBeLessThan(0.3);
  });

  it('embeds text without words, and any requested length', () => {
    const punctuation = embedText('?!');
    expect(Math.hypot(...punctuation)).toBeCloseTo(1, 12);
    expect(punctuation).not.toEqual(embedText('...'));
    expect(embedText('hello', 8)).toHaveLength(8);
  });
});
