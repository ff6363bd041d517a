import type { Kysely } from 'kysely';
import type { Cache, CachedResponse } from '../../cache/cache.js';
import type { Usage } from '../../types.js';
import { chunkRows } from '../chunks.js';
import type { CacheEntriesTable, Database } from '../schema.js';
import { SQLITE_MAX_PARAMETERS } from './sqlite-limits.js';

/** The response cache as a table of the store's SQLite database. */
export class SqliteCache implements Cache {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(key: string, now: number): Promise<CachedResponse | undefined> {
    const row = await this.#db
      .selectFrom('cache_entries')
      .selectAll()
      .where('key', '=', key)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    const response: CachedResponse = {
      output: row.output,
      usage: JSON.parse(row.usage_json) as Usage,
      costUsd: row.cost_usd,
      latencyMs: row.latency_ms,
      createdAt: row.created_at,
    };
    if (row.model !== null) response.model = row.model;
    return response;
  }

  /** Upserts entries in one transaction; `ttlMs: Infinity` never expires. */
  async set(entries: Array<{ key: string; value: CachedResponse; ttlMs: number }>): Promise<void> {
    // The last entry for a key wins, as it would with one upsert per entry.
    const byKey = new Map<string, CacheEntriesTable>();
    for (const { key, value, ttlMs } of entries) {
      if (Number.isNaN(ttlMs) || ttlMs < 0) {
        throw new RangeError(
          `Expected \`ttlMs\` to be a number from 0 and up, got \`${ttlMs}\` (${typeof ttlMs})`,
        );
      }
      byKey.set(key, {
        key,
        output: value.output,
        usage_json: JSON.stringify(value.usage),
        cost_usd: value.costUsd,
        latency_ms: value.latencyMs,
        model: value.model ?? null,
        created_at: value.createdAt,
        expires_at: Math.min(value.createdAt + ttlMs, Number.MAX_SAFE_INTEGER),
      });
    }
    if (byKey.size === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      for (const chunk of chunkRows([...byKey.values()], SQLITE_MAX_PARAMETERS)) {
        await trx
          .insertInto('cache_entries')
          .values(chunk)
          .onConflict((conflict) =>
            conflict.column('key').doUpdateSet((eb) => ({
              output: eb.ref('excluded.output'),
              usage_json: eb.ref('excluded.usage_json'),
              cost_usd: eb.ref('excluded.cost_usd'),
              latency_ms: eb.ref('excluded.latency_ms'),
              model: eb.ref('excluded.model'),
              created_at: eb.ref('excluded.created_at'),
              expires_at: eb.ref('excluded.expires_at'),
            })),
          )
          .execute();
      }
    });
  }

  /** Deletes expired entries; returns how many. */
  async prune(now: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('cache_entries')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes every entry; returns how many. */
  async clear(): Promise<number> {
    const result = await this.#db.deleteFrom('cache_entries').executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
