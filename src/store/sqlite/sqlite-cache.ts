import type { Kysely } from 'kysely';
import type { CachedResponse } from '../../cache/cache.js';
import type { CacheEntriesTable, Database } from '../schema.js';
import { fromCacheRow, SqlCache, toCacheRows } from '../sql-cache.js';
import type { HotStatements } from './hot-statements.js';
import { SQLITE_MAX_PARAMETERS } from './sqlite-limits.js';

/** Keys per `getMany` query (SQLite allows 32,766 parameters; smaller chunks reuse statements). */
const GET_MANY_CHUNK = 500;

/** The response cache as a table of the store's SQLite database; lookups and writes use prepared statements. */
export class SqliteCache extends SqlCache {
  readonly #hot: HotStatements;

  constructor(db: Kysely<Database>, hot: HotStatements) {
    super(db, SQLITE_MAX_PARAMETERS);
    this.#hot = hot;
  }

  override async get(key: string, now: number): Promise<CachedResponse | undefined> {
    const row = this.#hot.getCache.get(key, now) as CacheEntriesTable | undefined;
    return row ? fromCacheRow(row) : undefined;
  }

  override async getMany(keys: readonly string[], now: number): Promise<Map<string, CachedResponse>> {
    const found = new Map<string, CachedResponse>();
    const unique = [...new Set(keys)];
    for (let start = 0; start < unique.length; start += GET_MANY_CHUNK) {
      const chunk = unique.slice(start, start + GET_MANY_CHUNK);
      const rows = this.#hot.getCacheChunk(chunk.length).all(...chunk, now) as CacheEntriesTable[];
      for (const row of rows) found.set(row.key, fromCacheRow(row));
    }
    return found;
  }

  override async set(entries: Array<{ key: string; value: CachedResponse; ttlMs: number }>): Promise<void> {
    const rows = toCacheRows(entries);
    if (rows.length > 0) this.#hot.setCache(rows);
  }
}
