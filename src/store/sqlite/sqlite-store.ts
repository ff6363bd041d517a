import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type RawBuilder, type SqlBool, SqliteDialect, sql } from 'kysely';
import { UserError } from '../../errors.js';
import type { ItemResult, PromptTemplate, Target, Task } from '../../types.js';
import { sqliteMigrations } from '../migrations/sqlite/index.js';
import { migrate } from '../migrator.js';
import { toResultRow, toScoreRows, toTaskVersionRow } from '../rows.js';
import type { Database } from '../schema.js';
import { firstPerItem, SqlStore } from '../sql-store.js';
import { HotStatements } from './hot-statements.js';
import { SqliteCache } from './sqlite-cache.js';
import { SQLITE_MAX_PARAMETERS } from './sqlite-limits.js';
import { withStatementCache } from './statement-cache.js';

/**
 * How long a write waits for another process's write to finish (SQLite retries taking the lock until
 * then). Several `assay run` share one file this way; write transactions start IMMEDIATE (hot
 * statements) or with a write, so a waiting writer never fails early on a stale read snapshot.
 */
const BUSY_TIMEOUT_MS = 30_000;

/** The embedded store: one SQLite file, WAL mode, migrated on open. */
export class SqliteStore extends SqlStore {
  readonly dialect = 'sqlite' as const;
  readonly #hot: HotStatements;
  #cache: SqliteCache | undefined;
  #closed = false;

  readonly #path: string;

  private constructor(db: Kysely<Database>, hot: HotStatements, path: string) {
    super(db, SQLITE_MAX_PARAMETERS);
    this.#hot = hot;
    this.#path = path;
  }

  /**
   * Opens (creating it and its directory if needed) and migrates the database at `path`; `:memory:`
   * works. `migrate: false` opens it as it is (for `assay db status`).
   */
  static async open(path: string, options: { migrate?: boolean } = {}): Promise<SqliteStore> {
    const sqlite = openDatabase(path);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    try {
      if (options.migrate !== false) await migrate(db, sqliteMigrations, { location: path });
    } catch (error) {
      sqlite.close();
      throw error;
    }
    return new SqliteStore(db, new HotStatements(sqlite), path);
  }

  /** Applies pending migrations (what `open` does unless told not to). */
  async migrate(): Promise<number[]> {
    return migrate(this.db, sqliteMigrations, { location: this.#path });
  }

  /** The response cache kept in the same database. */
  get cache(): SqliteCache {
    this.#cache ??= new SqliteCache(this.db, this.#hot);
    return this.#cache;
  }

  override async saveVersions(versions: {
    tasks: Task[];
    prompts: PromptTemplate[];
    targets: Target[];
  }): Promise<void> {
    const now = Date.now();
    this.#hot.saveTaskVersions(versions.tasks, (task) => toTaskVersionRow(task, now));
    await this.db.transaction().execute((trx) => this.savePromptAndTargetVersions(trx, versions, now));
  }

  override async completedItemIds(runId: string, among?: readonly string[]): Promise<Set<string>> {
    if (among) return super.completedItemIds(runId, among);
    return new Set(this.#hot.completedItemIds.all(runId) as string[]);
  }

  override async saveResults(results: ItemResult[], options: { replace?: boolean } = {}): Promise<void> {
    const unique = firstPerItem(results);
    if (unique.length === 0) return;
    // Only results written now get scores: a duplicate keeps the scores stored with it first.
    this.#hot.saveResults(
      unique.map((result) => ({ row: toResultRow(result), scores: toScoreRows(result) })),
      options.replace === true,
    );
  }

  /** One JSON parameter instead of one parameter per value. */
  protected inList(column: 'item_id', values: readonly string[]): RawBuilder<SqlBool> {
    return sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Lets SQLite refresh its planner statistics, as its docs advise before closing.
    await sql`pragma optimize`.execute(this.db);
    await this.db.destroy();
  }
}

/** Whether the database file or its folder cannot be written (a read-only mount, or permissions). */
function readOnlyPlace(path: string): boolean {
  for (const place of [path, dirname(path)]) {
    try {
      accessSync(place, constants.W_OK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return true;
    }
  }
  return false;
}

function openDatabase(path: string): BetterSqlite3.Database {
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    sqlite = new BetterSqlite3(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('foreign_keys = ON');
    // A run writes thousands of rows whose primary keys (hashed item ids) land all over the
    // indexes; checkpointing the WAL back every 1,000 pages (the default) copied those pages
    // dozens of times per run. 8,000 pages (32 MB at most) lets a run's writes reach the database
    // in a few checkpoints (docs/benchmarks.md).
    sqlite.pragma('wal_autocheckpoint = 8000');
    return sqlite;
  } catch (error) {
    sqlite?.close();
    if (path !== ':memory:' && path !== '' && readOnlyPlace(path)) {
      throw new UserError(
        'the SQLite database is on a read-only disk or folder: SQLite writes beside it (its WAL index) even to read it',
        path,
        'copy it to a writable folder and point --db (or ASSAY_DATABASE_URL) at the copy, or make it writable',
        { cause: error },
      );
    }
    throw new UserError(
      `Cannot open the SQLite database: ${error instanceof Error ? error.message : String(error)}`,
      path,
      'Check that the path is writable and is an Assay database (or does not exist yet).',
      { cause: error },
    );
  }
}
