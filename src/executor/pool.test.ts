import { describe, expect, it } from 'vitest';
import { runPool } from './pool.js';

async function* batches(count: number, size: number, asked: number[]): AsyncGenerator<number[]> {
  for (let start = 0; start < count; start += size) {
    asked.push(start);
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield Array.from({ length: Math.min(size, count - start) }, (_, index) => start + index);
  }
}

describe('runPool', () => {
  it('works every item of every batch once, never more than `concurrency` at a time', async () => {
    const seen: number[] = [];
    let running = 0;
    let most = 0;
    await runPool(batches(103, 10, []), 4, new AbortController().signal, async (item) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, item % 3));
      seen.push(item);
      running--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, index) => index));
    expect(most).toBe(4);
  });

  it('holds at most the current batch and the next one', async () => {
    const asked: number[] = [];
    const finished: number[] = [];
    await runPool(batches(50, 10, asked), 2, new AbortController().signal, async (item) => {
      // When item n is worked, batches beyond the one after n's are not asked for yet.
      expect(Math.max(...asked)).toBeLessThanOrEqual(Math.floor(item / 10) * 10 + 10);
      await new Promise((resolve) => setTimeout(resolve, 1));
      finished.push(item);
    });
    expect(finished).toHaveLength(50);
  });

  it('stops taking items once the signal aborts, and closes the source', async () => {
    const stop = new AbortController();
    const worked: number[] = [];
    let closed = false;
    async function* source(): AsyncGenerator<number[]> {
      try {
        for (let start = 0; ; start += 5) yield [start, start + 1, start + 2, start + 3, start + 4];
      } finally {
        closed = true;
      }
    }
    await runPool(source(), 2, stop.signal, async (item) => {
      worked.push(item);
      if (worked.length === 7) stop.abort();
      await new Promise((resolve) => setTimeout(resolve, 1));
    });
    expect(worked.length).toBeGreaterThanOrEqual(7);
    expect(worked.length).toBeLessThanOrEqual(8);
    expect(closed).toBe(true);
  });

  it('fails when the source fails', async () => {
    async function* broken(): AsyncGenerator<number[]> {
      yield [1];
      throw new Error('the store went away');
    }
    await expect(runPool(broken(), 3, new AbortController().signal, async () => {})).rejects.toThrow(
      'the store went away',
    );
  });
});
