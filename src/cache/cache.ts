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

/** Response cache contract. Keys are hashes that never include secrets. */
export interface Cache {
  get(key: string, now: number): Promise<CachedResponse | undefined>;
  /** Stores entries that expire `ttlMs` after `createdAt`. */
  set(entries: Array<{ key: string; value: CachedResponse; ttlMs: number }>): Promise<void>;
}
