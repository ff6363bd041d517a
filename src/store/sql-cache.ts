/** The Cache contract in Kysely queries that every SQL dialect runs; a dialect may replace the hot paths. */
import { type Kysely, sql } from 'kysely';
import type { Cache, CachedResponse, CacheStats } from '../cache/cache.js';
import type { Usage } from '../types.js';
import { insertAudit } from './audit.js';
import { chunkRows } from './chunks.js';
import type { CacheEntriesTable, Database } from './schema.js';

/** Keys per `getMany` query: well under every dialect's bound-parameter limit. */
const GET_MANY_CHUNK = 500;

export function fromCacheRow(row: CacheEntriesTable): CachedResponse {
  const response: CachedResponse = {
    output: row.output,
    usage: JSON.parse(row.usage_json) as Usage,
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    createdAt: Number(row.created_at),
  };
  if (row.model !== null) response.model = row.model;
  return response;
}

/** Rows to upsert, one per key (the last entry for a key wins, as one upsert per entry would). */
export function toCacheRows(
  entries: Array<{ key: string; value: CachedResponse; ttlMs: number }>,
): CacheEntriesTable[] {
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
      // `ttlMs: Infinity` never expires.
      expires_at: Math.min(value.createdAt + ttlMs, Number.MAX_SAFE_INTEGER),
    });
  }
  return [...byKey.values()];
}

export class SqlCache implements Cache {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly maxParameters: number,
  ) {}

  async get(key: string, now: number): Promise<CachedResponse | undefined> {
    const row = await this.db
      .selectFrom('cache_entries')
      .selectAll()
      .where('key', '=', key)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row ? fromCacheRow(row) : undefined;
  }

  async getMany(keys: readonly string[], now: number): Promise<Map<string, CachedResponse>> {
    const found = new Map<string, CachedResponse>();
    const unique = [...new Set(keys)];
    for (let start = 0; start < unique.length; start += GET_MANY_CHUNK) {
      const rows = await this.db
        .selectFrom('cache_entries')
        .selectAll()
        .where('key', 'in', unique.slice(start, start + GET_MANY_CHUNK))
        .where('expires_at', '>', now)
        .execute();
      for (const row of rows) found.set(row.key, fromCacheRow(row));
    }
    return found;
  }

  /** Upserts entries in one transaction; `ttlMs: Infinity` never expires. */
  async set(entries: Array<{ key: string; value: CachedResponse; ttlMs: number }>): Promise<void> {
    const rows = toCacheRows(entries);
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of chunkRows(rows, this.maxParameters)) {
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

  async stats(now: number): Promise<CacheStats> {
    const row = await this.db
      .selectFrom('cache_entries')
      .select((eb) => [
        eb.fn.countAll<number>().as('entries'),
        sql<number>`coalesce(sum(case when expires_at <= ${now} then 1 else 0 end), 0)`.as('expired'),
        sql<number>`coalesce(sum(length(output) + length(usage_json)), 0)`.as('bytes'),
        eb.fn.min<number | null>('created_at').as('oldest_at'),
        eb.fn.max<number | null>('created_at').as('newest_at'),
      ])
      .executeTakeFirstOrThrow();
    return {
      entries: Number(row.entries),
      expired: Number(row.expired),
      bytes: Number(row.bytes),
      oldestAt: row.oldest_at === null ? null : Number(row.oldest_at),
      newestAt: row.newest_at === null ? null : Number(row.newest_at),
    };
  }

  /** Deletes entries created before `createdBefore` or expired at `expiredAt`; returns how many. */
  async prune(options: { createdBefore?: number; expiredAt?: number; actor?: string }): Promise<number> {
    const { createdBefore, expiredAt, actor } = options;
    checkTime('createdBefore', createdBefore);
    checkTime('expiredAt', expiredAt);
    if (createdBefore === undefined && expiredAt === undefined) {
      throw new TypeError('Expected `createdBefore` or `expiredAt` to say which cache entries to prune');
    }
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom('cache_entries')
        .where((eb) =>
          eb.or([
            ...(createdBefore === undefined ? [] : [eb('created_at', '<', createdBefore)]),
            ...(expiredAt === undefined ? [] : [eb('expires_at', '<=', expiredAt)]),
          ]),
        )
        .executeTakeFirst();
      const entries = Number(result.numDeletedRows);
      if (actor !== undefined) {
        await insertAudit(trx, {
          at: Date.now(),
          actor,
          action: 'cache.prune',
          subject: null,
          details: {
            entries,
            ...(createdBefore !== undefined ? { createdBefore } : {}),
            ...(expiredAt !== undefined ? { expiredAt } : {}),
          },
        });
      }
      return entries;
    });
  }

  /** Deletes every entry; returns how many. */
  async clear(options: { actor?: string } = {}): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('cache_entries').executeTakeFirst();
      const entries = Number(result.numDeletedRows);
      if (options.actor !== undefined) {
        await insertAudit(trx, {
          at: Date.now(),
          actor: options.actor,
          action: 'cache.clear',
          subject: null,
          details: { entries },
        });
      }
      return entries;
    });
  }
}

function checkTime(name: string, value: number | undefined): void {
  if (value === undefined || (typeof value === 'number' && !Number.isNaN(value))) return;
  throw new RangeError(`Expected \`${name}\` to be a time in ms, got \`${String(value)}\` (${typeof value})`);
}
