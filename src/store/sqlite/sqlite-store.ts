import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type RawBuilder, type SqlBool, SqliteDialect, sql } from 'kysely';
import { UserError } from '../../errors.js';
import type { ItemResult, PromptTemplate, Target, Task } from '../../types.js';
import { ensureParentFolder } from '../../util/output-files.js';
import { storageFailure } from '../failure.js';
import { sqliteMigrations } from '../migrations/sqlite/index.js';
import { migrate, pendingMigrations } from '../migrator.js';
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
  readonly #readOnly: boolean;

  private constructor(db: Kysely<Database>, hot: HotStatements, path: string, readOnly: boolean) {
    super(db, SQLITE_MAX_PARAMETERS);
    this.#hot = hot;
    this.#path = path;
    this.#readOnly = readOnly;
  }

  /**
   * Opens (creating it and its folder if needed) and migrates the database at `path`; `:memory:`
   * works. `migrate: false` opens it as it is (for `assay db status`). `readOnly` opens an existing
   * database for reading only, so commands that only read work on a file they cannot write; it is
   * opened for writing only when it needs a migration first. `where` names the flag or field the
   * path came from, for messages.
   */
  static async open(
    path: string,
    options: { migrate?: boolean; readOnly?: boolean; where?: string } = {},
  ): Promise<SqliteStore> {
    const memory = path === ':memory:' || path === '';
    if (options.readOnly && !memory && existsSync(path)) {
      const store = await SqliteStore.#openReadOnly(path, options.migrate !== false);
      if (store) return store;
    }
    if (!memory) await ensureParentFolder(path, options.where ?? path);
    const sqlite = openDatabase(path);
    const db = kyselyOver(sqlite);
    try {
      if (options.migrate !== false) await migrate(db, sqliteMigrations, { location: path });
    } catch (error) {
      sqlite.close();
      throw storageFailure(error, path) ?? error;
    }
    return new SqliteStore(db, new HotStatements(sqlite), path, false);
  }

  /** The database opened for reading; undefined when it needs migrating first (and `migrate` allows it). */
  static async #openReadOnly(path: string, migrate: boolean): Promise<SqliteStore | undefined> {
    const sqlite = openDatabase(path, { readOnly: true });
    const db = kyselyOver(sqlite);
    try {
      if (migrate && (await pendingMigrations(db, sqliteMigrations, { location: path })).length > 0) {
        sqlite.close();
        return undefined;
      }
    } catch (error) {
      sqlite.close();
      throw openError(path, error);
    }
    return new SqliteStore(db, new HotStatements(sqlite), path, true);
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
    // Lets SQLite refresh its planner statistics, as its docs advise before closing. Only a nicety:
    // on a full disk it fails, and must not hide the error that brought the command here.
    if (!this.#readOnly) await sql`pragma optimize`.execute(this.db).catch(() => undefined);
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

function kyselyOver(sqlite: BetterSqlite3.Database): Kysely<Database> {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

function openDatabase(path: string, options: { readOnly?: boolean } = {}): BetterSqlite3.Database {
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    if (options.readOnly) {
      // The file is already in WAL mode (set when it was created): nothing here writes.
      sqlite = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
      sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // Reads the schema: a file that is no database fails here, not at the first query.
      sqlite.pragma('schema_version');
      return sqlite;
    }
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
    throw openError(path, error);
  }
}

/** Why the database at `path` could not be opened, with what to do. */
function openError(path: string, error: unknown): Error {
  if (error instanceof UserError) return error;
  const failure = storageFailure(error, path);
  if (failure) return failure;
  if (path !== ':memory:' && path !== '' && readOnlyPlace(path)) {
    return new UserError(
      'the SQLite database is on a read-only disk or folder: SQLite writes beside it (its WAL index) even to read it',
      path,
      'copy it to a writable folder and point --db (or ASSAY_DATABASE_URL) at the copy, or make it writable',
      { cause: error },
    );
  }
  return new UserError(
    `Cannot open the SQLite database: ${error instanceof Error ? error.message : String(error)}`,
    path,
    'Check that the path is writable and is an Assay database (or does not exist yet).',
    { cause: error },
  );
}
