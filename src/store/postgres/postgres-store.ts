import { Kysely, PostgresDialect, type RawBuilder, type SqlBool, sql } from 'kysely';
import pg from 'pg';
import { postgresMigrations } from '../migrations/postgres/index.js';
import { migrate, pendingMigrations } from '../migrator.js';
import type { Database, ResultsTable, ScoresTable, TaskVersionsTable } from '../schema.js';
import { SqlCache } from '../sql-cache.js';
import { REPLACED_RESULT_COLUMNS, SqlStore } from '../sql-store.js';
import { connectionError, describeServer } from './connection-errors.js';
import { insertUnnest, RESULT_TYPES, SCORE_TYPES, TASK_VERSION_TYPES } from './unnest.js';

/** PostgreSQL's limit is 65,535 bound parameters per statement. */
const POSTGRES_MAX_PARAMETERS = 65_000;
/** One process writes through one connection at a time; a few more serve reads alongside. */
const POOL_SIZE = 5;
/** Any number that identifies "Assay migrates this database" to pg_advisory_lock. */
const MIGRATION_LOCK = 4_242_016;

/**
 * BIGINT (timestamps, counts) and NUMERIC (sums of integers, averages) arrive as strings from the
 * driver; the schema keeps them within 2^53, so numbers are exact.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The shared store: a PostgreSQL database reached through a small connection pool, migrated on open. */
/** One process migrates at a time: the others wait, then find nothing left to do. */
function migratePostgres(db: Kysely<Database>, url: string): Promise<number[]> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(connection);
    try {
      return await migrate(connection, postgresMigrations, { location: describeServer(url).shown });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(connection);
    }
  });
}

export class PostgresStore extends SqlStore {
  readonly dialect = 'postgres' as const;
  readonly cache: SqlCache;
  #closed = false;

  readonly #url: string;

  private constructor(db: Kysely<Database>, url: string) {
    super(db, POSTGRES_MAX_PARAMETERS);
    this.#url = url;
    this.cache = new SqlCache(db, POSTGRES_MAX_PARAMETERS);
  }

  /**
   * Connects and migrates. A refused connection, a failed login or a missing database is a
   * UserError that names the server (never the password) and the fix. `migrate: false` connects
   * only (`assay db status`); `readOnly` migrates only when migrations are pending, so a role that
   * may only read can browse.
   */
  static async open(
    url: string,
    options: { migrate?: boolean; readOnly?: boolean } = {},
  ): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: POOL_SIZE,
      connectionTimeoutMillis: 10_000,
      application_name: 'assay',
      keepAlive: true,
      types,
    });
    // An idle connection the server drops emits here; the next query fails with its own error.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      if (options.migrate === false) await sql`select 1`.execute(db);
      else if (
        !options.readOnly ||
        (await pendingMigrations(db, postgresMigrations, { location: describeServer(url).shown })).length > 0
      ) {
        await migratePostgres(db, url);
      }
    } catch (error) {
      await db.destroy().catch(() => {});
      throw connectionError(error, url) ?? error;
    }
    return new PostgresStore(db, url);
  }

  /** Applies pending migrations (what `open` does unless told not to). */
  async migrate(): Promise<number[]> {
    return migratePostgres(this.db, this.#url);
  }

  protected override async insertResultRows(
    trx: Kysely<Database>,
    rows: ResultsTable[],
  ): Promise<Array<{ run_id: string; item_id: string }>> {
    const replace = REPLACED_RESULT_COLUMNS.map(
      (column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`,
    );
    return insertUnnest(
      trx,
      'results',
      RESULT_TYPES,
      rows,
      sql`on conflict (run_id, item_id) do update set ${sql.join(replace)} where results.error_category = 'skipped_budget' returning run_id, item_id`,
    );
  }

  protected override async insertScoreRows(trx: Kysely<Database>, rows: ScoresTable[]): Promise<void> {
    await insertUnnest(trx, 'scores', SCORE_TYPES, rows);
  }

  protected override async insertTaskVersionRows(
    trx: Kysely<Database>,
    rows: TaskVersionsTable[],
  ): Promise<void> {
    await insertUnnest(trx, 'task_versions', TASK_VERSION_TYPES, rows, sql`on conflict do nothing`);
  }

  /** A text-array parameter: one parameter for any number of values. */
  protected inList(column: 'item_id', values: readonly string[]): RawBuilder<SqlBool> {
    return sql<SqlBool>`${sql.ref(column)} = any(${[...values]})`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }
}
