import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { UserError } from '../../errors.js';
import type {
  ItemResult,
  PromptTemplate,
  RunRecord,
  RunStatus,
  ScoreResult,
  Target,
  Task,
} from '../../types.js';
import { chunkRows } from '../chunks.js';
import { sqliteMigrations } from '../migrations/sqlite/index.js';
import { migrate } from '../migrator.js';
import {
  fromResultRow,
  fromRunRow,
  fromScoreRow,
  toPromptVersionRow,
  toResultRow,
  toRunRow,
  toScoreRows,
  toTargetVersionRow,
  toTaskVersionRow,
} from '../rows.js';
import type { Database } from '../schema.js';
import type { ResultQuery, Store } from '../store.js';
import { HotStatements } from './hot-statements.js';
import { SqliteCache } from './sqlite-cache.js';
import { SQLITE_MAX_PARAMETERS } from './sqlite-limits.js';
import { withStatementCache } from './statement-cache.js';

const BUSY_TIMEOUT_MS = 5_000;

/** The embedded store: one SQLite file, WAL mode, migrated on open. */
export class SqliteStore implements Store {
  readonly #db: Kysely<Database>;
  readonly #hot: HotStatements;
  #cache: SqliteCache | undefined;
  #closed = false;

  private constructor(db: Kysely<Database>, hot: HotStatements) {
    this.#db = db;
    this.#hot = hot;
  }

  /** Opens (creating it and its directory if needed) and migrates the database at `path`; `:memory:` works. */
  static async open(path: string): Promise<SqliteStore> {
    const sqlite = openDatabase(path);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    try {
      await migrate(db, sqliteMigrations, { location: path });
    } catch (error) {
      sqlite.close();
      throw error;
    }
    return new SqliteStore(db, new HotStatements(sqlite));
  }

  /** The response cache kept in the same database. */
  get cache(): SqliteCache {
    this.#cache ??= new SqliteCache(this.#db, this.#hot);
    return this.#cache;
  }

  async saveVersions(versions: {
    tasks: Task[];
    prompts: PromptTemplate[];
    targets: Target[];
  }): Promise<void> {
    const now = Date.now();
    this.#hot.saveTaskVersions(versions.tasks.map((task) => toTaskVersionRow(task, now)));
    const prompts = chunkRows(
      versions.prompts.map((prompt) => toPromptVersionRow(prompt, now)),
      SQLITE_MAX_PARAMETERS,
    );
    const targets = chunkRows(
      versions.targets.map((target) => toTargetVersionRow(target, now)),
      SQLITE_MAX_PARAMETERS,
    );
    // Versions are immutable: a row already stored under the same key is kept.
    await this.#db.transaction().execute(async (trx) => {
      for (const chunk of prompts) {
        await trx
          .insertInto('prompt_versions')
          .values(chunk)
          .onConflict((conflict) => conflict.doNothing())
          .execute();
      }
      for (const chunk of targets) {
        await trx
          .insertInto('target_versions')
          .values(chunk)
          .onConflict((conflict) => conflict.doNothing())
          .execute();
      }
    });
  }

  async createRun(run: RunRecord): Promise<void> {
    await this.#db.insertInto('runs').values(toRunRow(run)).execute();
  }

  async finishRun(runId: string, status: RunStatus, finishedAt: number): Promise<void> {
    await this.#db
      .updateTable('runs')
      .set({ status, finished_at: finishedAt })
      .where('id', '=', runId)
      .execute();
  }

  async getRun(idOrLatest: string): Promise<RunRecord | undefined> {
    const query = this.#db.selectFrom('runs').selectAll();
    const row =
      idOrLatest === 'latest'
        ? await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
        : await query.where('id', '=', idOrLatest).executeTakeFirst();
    return row && fromRunRow(row);
  }

  async completedItemIds(runId: string): Promise<Set<string>> {
    return new Set(this.#hot.completedItemIds.all(runId) as string[]);
  }

  async saveResults(results: ItemResult[]): Promise<void> {
    const unique = firstPerItem(results);
    if (unique.length === 0) return;
    // Only results written now get scores: a duplicate keeps the scores stored with it first.
    this.#hot.saveResults(
      unique.map((result) => ({ row: toResultRow(result), scores: toScoreRows(result) })),
    );
  }

  async listResults(query: ResultQuery): Promise<ItemResult[]> {
    const { runId, failedOnly = false, limit } = query;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new RangeError(
        `Expected \`limit\` to be an integer from 0 and up, got \`${limit}\` (${typeof limit})`,
      );
    }
    let selected = this.#db.selectFrom('results').where('run_id', '=', runId);
    if (failedOnly) selected = selected.where('status', 'in', ['failed', 'error']);
    selected = selected.orderBy('created_at').orderBy('item_id');
    if (limit !== undefined) selected = selected.limit(limit);
    const rows = await selected.selectAll().execute();
    if (rows.length === 0) return [];

    let scoreQuery = this.#db
      .selectFrom('scores')
      .select(['item_id', 'name', 'value', 'pass', 'reason', 'weight'])
      .where('run_id', '=', runId);
    if (failedOnly || limit !== undefined) {
      scoreQuery = scoreQuery.where('item_id', 'in', selected.select('item_id'));
    }
    const scoreRows = await scoreQuery.orderBy('item_id').orderBy('ordinal').execute();
    const scores = new Map<string, ScoreResult[]>();
    for (const row of scoreRows) {
      const list = scores.get(row.item_id);
      if (list) list.push(fromScoreRow(row));
      else scores.set(row.item_id, [fromScoreRow(row)]);
    }
    return rows.map((row) => fromResultRow(row, scores.get(row.item_id) ?? []));
  }

  async spentSince(since: number): Promise<number> {
    const row = await this.#db
      .selectFrom('results')
      .select((eb) => eb.fn.sum<number | null>('cost_usd').as('spent'))
      .where('created_at', '>=', since)
      .executeTakeFirst();
    return Number(row?.spent ?? 0);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Lets SQLite refresh its planner statistics, as its docs advise before closing.
    await sql`pragma optimize`.execute(this.#db);
    await this.#db.destroy();
  }
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
    return sqlite;
  } catch (error) {
    sqlite?.close();
    throw new UserError(
      `Cannot open the SQLite database: ${error instanceof Error ? error.message : String(error)}`,
      path,
      'Check that the path is writable and is an Assay database (or does not exist yet).',
      { cause: error },
    );
  }
}

function itemKey(runId: string, itemId: string): string {
  return `${runId}\u0000${itemId}`;
}

/** Keeps the first result per (run, item), matching what the database keeps across batches. */
function firstPerItem(results: readonly ItemResult[]): ItemResult[] {
  const seen = new Set<string>();
  const unique: ItemResult[] = [];
  for (const result of results) {
    const key = itemKey(result.runId, result.itemId);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(result);
  }
  return unique;
}
