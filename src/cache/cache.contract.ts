import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cache, CachedResponse } from './cache.js';

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

export interface OpenedCache {
  cache: Cache;
  /** The audit entries of the store the cache lives in (clear and prune with an actor are audited). */
  audit(): Promise<Array<{ action: string; actor: string; details: Record<string, unknown> }>>;
  close(): Promise<void>;
}

/** The behaviour every `Cache` must have. `open` is called once per test. */
export function describeCacheContract(name: string, open: () => Promise<OpenedCache>): void {
  describe(`Cache contract: ${name}`, () => {
    let opened: OpenedCache;
    let cache: Cache;

    beforeEach(async () => {
      opened = await open();
      cache = opened.cache;
      // Suites may share one database between their tests: each test starts from an empty cache.
      await cache.clear();
    });
    afterEach(() => opened.close());

    it('returns a stored response until it expires', async () => {
      const value = response();
      await cache.set([{ key: 'k1', value, ttlMs: 1_000 }]);
      expect(await cache.get('k1', createdAt + 999)).toStrictEqual(value);
      expect(await cache.get('k1', createdAt + 1_000)).toBeUndefined();
    });

    it('looks many keys up at once, across chunks, skipping expired and unknown ones', async () => {
      const entries = Array.from({ length: 1203 }, (_, index) => ({
        key: `k${index}`,
        value: response({ output: `answer ${index}` }),
        ttlMs: index === 7 ? 10 : 1_000,
      }));
      await cache.set(entries);
      const keys = [...entries.map((entry) => entry.key), 'unknown', 'k1'];
      const found = await cache.getMany(keys, createdAt + 500);
      expect(found.size).toBe(1202); // k7 expired, "unknown" missing, k1 asked twice
      expect(found.get('k1200')).toStrictEqual(response({ output: 'answer 1200' }));
      expect(found.has('k7')).toBe(false);
      expect((await cache.getMany([], createdAt)).size).toBe(0);
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
      expect(await cache.prune({ expiredAt: createdAt + 10 })).toBe(1);
      expect(await cache.get('long', createdAt + 10)).toBeDefined();
      expect(await cache.prune({ expiredAt: createdAt + 10 })).toBe(0);
    });

    it('prunes entries created before a time, or also those expired', async () => {
      await cache.set([
        { key: 'old', value: response({ createdAt: createdAt - 5_000 }), ttlMs: 100_000 },
        { key: 'expired', value: response(), ttlMs: 10 },
        { key: 'fresh', value: response({ createdAt: createdAt + 5_000 }), ttlMs: 100_000 },
      ]);
      expect(await cache.prune({ createdBefore: createdAt })).toBe(1);
      expect(await cache.get('old', createdAt)).toBeUndefined();
      expect(await cache.get('expired', createdAt)).toBeDefined();
      expect(await cache.prune({ createdBefore: createdAt, expiredAt: createdAt + 10 })).toBe(1);
      expect(await cache.get('fresh', createdAt + 5_000)).toBeDefined();
      expect((await cache.stats(createdAt)).entries).toBe(1);
    });

    it('refuses to prune without a criterion, or with one that is not a time', async () => {
      await expect(cache.prune({})).rejects.toThrow('`createdBefore` or `expiredAt`');
      await expect(cache.prune({ expiredAt: Number.NaN })).rejects.toThrow('got `NaN` (number)');
    });

    it('clears every entry', async () => {
      await cache.set([
        { key: 'a', value: response(), ttlMs: 10_000 },
        { key: 'b', value: response(), ttlMs: 10_000 },
      ]);
      expect(await cache.clear()).toBe(2);
      expect(await cache.get('a', createdAt)).toBeUndefined();
      expect(await cache.clear()).toBe(0);
    });

    it('reports counts, expired entries, approximate size and age range', async () => {
      expect(await cache.stats(createdAt)).toStrictEqual({
        entries: 0,
        expired: 0,
        bytes: 0,
        oldestAt: null,
        newestAt: null,
      });
      const first = response({ output: 'abc', usage: {} });
      const second = response({ output: 'de', usage: { inputTokens: 1 }, createdAt: createdAt + 50 });
      await cache.set([
        { key: 'a', value: first, ttlMs: 100 },
        { key: 'b', value: second, ttlMs: 10_000 },
      ]);
      // 'abc' + '{}' and 'de' + '{"inputTokens":1}'.
      const bytes = 3 + 2 + 2 + JSON.stringify({ inputTokens: 1 }).length;
      expect(await cache.stats(createdAt + 99)).toStrictEqual({
        entries: 2,
        expired: 0,
        bytes,
        oldestAt: createdAt,
        newestAt: createdAt + 50,
      });
      expect((await cache.stats(createdAt + 100)).expired).toBe(1);
    });

    it('audits a clear and a prune given an actor, with how many entries went', async () => {
      await cache.set([
        { key: 'a', value: response(), ttlMs: 10 },
        { key: 'b', value: response(), ttlMs: 10_000 },
      ]);
      // Actors of this test only: a store shared by several suites holds their entries too.
      const [ana, bo] = [`ana-${Math.random()}`, `bo-${Math.random()}`];
      expect(await cache.prune({ expiredAt: createdAt + 10, actor: ana })).toBe(1);
      expect(await cache.clear({ actor: bo })).toBe(1);
      expect(await cache.clear()).toBe(0);
      const entries = (await opened.audit()).filter((entry) => entry.actor === ana || entry.actor === bo);
      // Both may carry the same millisecond: compare them in a fixed order.
      entries.sort((a, b) => a.action.localeCompare(b.action));
      expect(entries).toMatchObject([
        { action: 'cache.clear', actor: bo, details: { entries: 1 } },
        { action: 'cache.prune', actor: ana, details: { entries: 1, expiredAt: createdAt + 10 } },
      ]);
    });
  });
}
