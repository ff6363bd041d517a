import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CachedResponse } from '../../cache/cache.js';
import type { SqliteCache } from './sqlite-cache.js';
import { SqliteStore } from './sqlite-store.js';

const createdAt = 1_700_000_000_000;

function response(overrides: Partial<CachedResponse> = {}): CachedResponse {
  return {
    output: 'Paris',
    usage: { inputTokens: 12, outputTokens: 2, raw: { prompt_tokens: 12, completion_tokens: 2 } },
    costUsd: 0.000_01,
    latencyMs: 321.5,
    model: 'gpt-4o-mini-2024-07-18',
    createdAt,
    ...overrides,
  };
}

describe('SqliteCache', () => {
  let store: SqliteStore;
  let cache: SqliteCache;

  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
    cache = store.cache;
  });
  afterEach(() => store.close());

  it('returns a stored response until it expires', async () => {
    const value = response();
    await cache.set([{ key: 'k1', value, ttlMs: 1_000 }]);
    expect(await cache.get('k1', createdAt + 999)).toStrictEqual(value);
    expect(await cache.get('k1', createdAt + 1_000)).toBeUndefined();
  });

  it('misses an unknown key', async () => {
    expect(await cache.get('nope', createdAt)).toBeUndefined();
  });

  it('keeps "not reported" usage and a missing model as absent', async () => {
    const value = response({ usage: {}, costUsd: null });
    delete value.model;
    await cache.set([{ key: 'bare', value, ttlMs: 1_000 }]);
    expect(await cache.get('bare', createdAt)).toStrictEqual(value);
  });

  it('overwrites an entry on set, and the last entry for a key in a batch wins', async () => {
    await cache.set([{ key: 'k', value: response({ output: 'old' }), ttlMs: 10 }]);
    await cache.set([
      { key: 'k', value: response({ output: 'middle' }), ttlMs: 10 },
      { key: 'k', value: response({ output: 'new' }), ttlMs: 5_000 },
    ]);
    const hit = await cache.get('k', createdAt + 1_000);
    expect(hit?.output).toBe('new');
  });

  it('never expires an entry stored with an infinite TTL', async () => {
    await cache.set([{ key: 'forever', value: response(), ttlMs: Number.POSITIVE_INFINITY }]);
    expect(await cache.get('forever', Number.MAX_SAFE_INTEGER - 1)).toBeDefined();
  });

  it('rejects a negative TTL, quoting it', async () => {
    await expect(cache.set([{ key: 'k', value: response(), ttlMs: -5 }])).rejects.toThrow(
      'got `-5` (number)',
    );
  });

  it('prunes expired entries only', async () => {
    await cache.set([
      { key: 'short', value: response(), ttlMs: 10 },
      { key: 'long', value: response(), ttlMs: 10_000 },
    ]);
    expect(await cache.prune(createdAt + 10)).toBe(1);
    expect(await cache.get('long', createdAt + 10)).toBeDefined();
    expect(await cache.prune(createdAt + 10)).toBe(0);
  });

  it('clears every entry', async () => {
    await cache.set([
      { key: 'a', value: response(), ttlMs: 10_000 },
      { key: 'b', value: response(), ttlMs: 10_000 },
    ]);
    expect(await cache.clear()).toBe(2);
    expect(await cache.get('a', createdAt)).toBeUndefined();
  });
});
