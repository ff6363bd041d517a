import type { Cache, CachedResponse } from '../cache/cache.js';
import type { Store } from '../store/store.js';
import type { ItemResult } from '../types.js';

export interface WriterOptions {
  batchSize: number;
  flushIntervalMs: number;
  cacheTtlMs: number;
  /** Results replace stored ones of the same items (a retry). @default false */
  replace?: boolean;
}

/**
 * Buffers results and cache entries and writes them in transactions. Flushes run one at a time;
 * a failed flush is kept as `failure` and rethrown by the next `flush()`.
 */
export class ResultWriter {
  #results: ItemResult[] = [];
  #cacheEntries: Array<{ key: string; value: CachedResponse; ttlMs: number }> = [];
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  failure: unknown;

  constructor(
    private readonly store: Store,
    private readonly cache: Cache | null,
    private readonly options: WriterOptions,
  ) {}

  add(result: ItemResult, cacheEntries: ReadonlyArray<{ key: string; value: CachedResponse }> = []): void {
    this.#results.push(result);
    if (this.cache) {
      for (const entry of cacheEntries) this.#cacheEntries.push({ ...entry, ttlMs: this.options.cacheTtlMs });
    }
    if (this.#results.length >= this.options.batchSize) this.#drain();
    else this.#timer ??= setTimeout(() => this.#drain(), this.options.flushIntervalMs);
  }

  #drain(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const results = this.#results;
    const entries = this.#cacheEntries;
    if (results.length === 0 && entries.length === 0) return;
    this.#results = [];
    this.#cacheEntries = [];
    this.#chain = this.#chain.then(async () => {
      if (this.failure) return;
      try {
        // Cache first: if the process dies between the two writes, a resume replays the answer
        // from the cache instead of paying for the call again.
        if (entries.length > 0) await this.cache?.set(entries);
        await this.store.saveResults(results, { replace: this.options.replace === true });
      } catch (error) {
        this.failure = error;
      }
    });
  }

  /** Writes everything buffered and waits for it. */
  async flush(): Promise<void> {
    this.#drain();
    await this.#chain;
    if (this.failure) throw this.failure;
  }
}
