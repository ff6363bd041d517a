import { describe, expect, it } from 'vitest';
import { chunkRows } from './chunks.js';

const rows = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ a: index, b: index, c: index }));

describe('chunkRows', () => {
  it('splits into power-of-two chunks that keep every row in order', () => {
    const chunks = chunkRows(rows(200), 30_000);
    expect(chunks.map((chunk) => chunk.length)).toEqual([128, 64, 8]);
    expect(chunks.flat()).toEqual(rows(200));
  });

  it('keeps each chunk under the parameter limit', () => {
    // 3 parameters per row, at most 100 parameters: 33 rows fit, so chunks of 32.
    expect(chunkRows(rows(70), 100).map((chunk) => chunk.length)).toEqual([32, 32, 4, 2]);
  });

  it('returns no chunk for no rows', () => {
    expect(chunkRows([], 100)).toEqual([]);
  });
});
