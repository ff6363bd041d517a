import type { Usage } from '../types.js';

/** A stored provider answer. */
export interface CachedResponse {
  output: string;
  usage: Usage;
  /** What the original call cost; a cache hit costs nothing, but reports can show the saving. */
  costUsd: number | null;
  latencyMs: number;
  model?: string;
  createdAt: number;
}

export interface CacheStats {
  entries: number;
  /** Entries past their TTL at the time asked (still kept for `degrade: cache`). */
  expired: number;
  /** Approximate size: the length of every output and usage JSON. */
  bytes: number;
  oldestAt: number | null;
  newestAt: number | null;
}

/** Response cache contract. Keys are hashes that never include secrets. */
export interface Cache {
  get(key: string, now: number): Promise<CachedResponse | undefined>;
  /** Many lookups at once (a run prefetches its keys): the unexpired entries found, by key. */
  getMany(keys: readonly string[], now: number): Promise<Map<string, CachedResponse>>;
  /** Stores entries that expire `ttlMs` after `createdAt`. */
  set(entries: Array<{ key: string; value: CachedResponse; ttlMs: number }>): Promise<void>;
  stats(now: number): Promise<CacheStats>;
  /**
   * Deletes entries created before `createdBefore` (and, with expiredAt, those expired at that time);
   * returns how many. With `actor`, audited (`cache.prune`) in the same transaction.
   */
  prune(options: { createdBefore?: number; expiredAt?: number; actor?: string }): Promise<number>;
  /** Deletes every entry; returns how many. With `actor`, audited (`cache.clear`) in the same transaction. */
  clear(options?: { actor?: string }): Promise<number>;
}
