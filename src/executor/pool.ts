/**
 * Runs `work` over items that arrive in batches from `source`, with at most `concurrency` in
 * flight. The next batch is asked for as soon as one arrives, so it is prepared (store and cache
 * lookups) while the current one runs; at most two batches are held at once. Stops taking new items
 * once `signal` aborts; items already started finish.
 */
export async function runPool<T>(
  source: AsyncIterator<T[]>,
  concurrency: number,
  signal: AbortSignal,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let batch: T[] = [];
  let index = 0;
  // A batch asked for ahead may fail after the pool stopped waiting for it: that is not unhandled.
  const ask = () => {
    const pending = source.next();
    pending.catch(() => {});
    return pending;
  };
  let next: Promise<IteratorResult<T[]>> | null = ask();
  const take = async (): Promise<T | undefined> => {
    while (index >= batch.length) {
      const pending = next;
      if (pending === null) return undefined;
      const result = await pending;
      // Several workers may wait on the same batch: the first one back takes it in.
      if (next !== pending) continue;
      if (result.done) {
        next = null;
        return undefined;
      }
      batch = result.value;
      index = 0;
      next = ask();
    }
    return batch[index++];
  };
  const worker = async () => {
    while (!signal.aborted) {
      const item = await take();
      if (item === undefined) return;
      await work(item);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    // A stopped run leaves its source mid-way: let it clean up.
    await source.return?.();
  }
}
