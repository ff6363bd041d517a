import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type RawBuilder, type SqlBool, SqliteDialect, sql } from 'kysely';
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
import { selectCostBreakdown } from '../cost-breakdown.js';
import { sqliteMigrations } from '../migrations/sqlite/index.js';
import { migrate } from '../migrator.js';
import {
  fromPromptVersionRow,
  fromResultRow,
  fromRunRow,
  fromScoreRow,
  fromTaskVersionRow,
  toPromptVersionRow,
  toResultRow,
  toRunRow,
  toScoreRows,
  toTargetVersionRow,
  toTaskVersionRow,
} from '../rows.js';
import { selectRunListings, selectRunStats } from '../run-listing.js';
import type { Database } from '../schema.js';
import type {
  CostDimension,
  CostRow,
  ResultQuery,
  RunListing,
  RunQuery,
  RunStats,
  Store,
  TaskIdSummary,
  VersionRecord,
} from '../store.js';
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
    this.#hot.saveTaskVersions(versions.tasks, (task) => toTaskVersionRow(task, now));
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
    const { runId, failedOnly = false, status, targetName, taskId, itemIds, limit, offset } = query;
    checkCount('limit', limit);
    checkCount('offset', offset);
    if (limit === 0 || status?.length === 0 || itemIds?.length === 0) return [];
    let selected = this.#db.selectFrom('results').where('run_id', '=', runId);
    if (failedOnly) selected = selected.where('status', 'in', ['failed', 'error']);
    if (status !== undefined) selected = selected.where('status', 'in', status);
    if (targetName !== undefined) selected = selected.where('target_name', '=', targetName);
    if (taskId !== undefined) selected = selected.where('task_id', '=', taskId);
    if (itemIds !== undefined) selected = selected.where(inList('item_id', itemIds));
    selected = selected.orderBy('created_at').orderBy('item_id');
    // SQLite needs a LIMIT before an OFFSET; -1 means none.
    if (limit !== undefined || offset !== undefined) selected = selected.limit(limit ?? -1);
    if (offset !== undefined) selected = selected.offset(offset);
    const rows = await selected.selectAll().execute();
    if (rows.length === 0) return [];

    let scoreQuery = this.#db
      .selectFrom('scores')
      .select(['item_id', 'name', 'value', 'pass', 'reason', 'weight', 'metric', 'cost_usd'])
      .where('run_id', '=', runId);
    const everything =
      !failedOnly &&
      status === undefined &&
      targetName === undefined &&
      taskId === undefined &&
      itemIds === undefined &&
      limit === undefined &&
      offset === undefined;
    if (!everything) scoreQuery = scoreQuery.where('item_id', 'in', selected.select('item_id'));
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

  async listRuns(query: RunQuery): Promise<RunListing[]> {
    return selectRunListings(this.#db, query);
  }

  async targetNames(): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('target_versions')
      .select('name')
      .distinct()
      .orderBy('name')
      .execute();
    return rows.map((row) => row.name);
  }

  async runStats(runId: string): Promise<RunStats> {
    return (await selectRunStats(this.#db, [runId])).get(runId)!;
  }

  async deleteResults(runId: string, itemIds: string[]): Promise<number> {
    if (itemIds.length === 0) return 0;
    return this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('scores').where('run_id', '=', runId).where(inList('item_id', itemIds)).execute();
      const deleted = await trx
        .deleteFrom('results')
        .where('run_id', '=', runId)
        .where(inList('item_id', itemIds))
        .executeTakeFirst();
      return Number(deleted.numDeletedRows);
    });
  }

  async reopenRun(runId: string): Promise<void> {
    await this.#db
      .updateTable('runs')
      .set({ status: 'running', finished_at: null })
      .where('id', '=', runId)
      .execute();
  }

  async costBreakdown(query: { since: number; until?: number; by: CostDimension }): Promise<CostRow[]> {
    return selectCostBreakdown(this.#db, query);
  }

  async taskHistory(taskId: string): Promise<VersionRecord<Task>[]> {
    const rows = await this.#db
      .selectFrom('task_versions')
      .selectAll()
      .where('task_id', '=', taskId)
      // Versions stored in the same call share a time; the version breaks the tie the same way every time.
      .orderBy('created_at')
      .orderBy('version')
      .execute();
    return rows.map((row) => ({
      version: row.version,
      createdAt: row.created_at,
      value: fromTaskVersionRow(row),
    }));
  }

  async promptHistory(name: string): Promise<VersionRecord<PromptTemplate>[]> {
    const rows = await this.#db
      .selectFrom('prompt_versions')
      .selectAll()
      .where('name', '=', name)
      .orderBy('created_at')
      .orderBy('version')
      .execute();
    return rows.map((row) => ({
      version: row.version,
      createdAt: row.created_at,
      value: fromPromptVersionRow(row),
    }));
  }

  async listTaskIds(): Promise<TaskIdSummary[]> {
    const rows = await this.#db
      .selectFrom('task_versions')
      .leftJoin('task_archive', 'task_archive.task_id', 'task_versions.task_id')
      .select((eb) => [
        'task_versions.task_id',
        eb.fn.countAll<number>().as('versions'),
        eb.fn.max('task_versions.created_at').as('latest_at'),
        'task_archive.archived_at',
      ])
      .groupBy(['task_versions.task_id', 'task_archive.archived_at'])
      .orderBy('task_versions.task_id')
      .execute();
    return rows.map((row) => ({
      taskId: row.task_id,
      versions: Number(row.versions),
      latestAt: Number(row.latest_at),
      archivedAt: row.archived_at === null ? null : Number(row.archived_at),
    }));
  }

  async archiveTask(taskId: string, at: number): Promise<void> {
    await this.#db
      .insertInto('task_archive')
      .values({ task_id: taskId, archived_at: at })
      .onConflict((conflict) => conflict.column('task_id').doNothing())
      .execute();
  }

  async restoreTask(taskId: string): Promise<void> {
    await this.#db.deleteFrom('task_archive').where('task_id', '=', taskId).execute();
  }

  async archivedTaskIds(): Promise<Set<string>> {
    const rows = await this.#db.selectFrom('task_archive').select('task_id').execute();
    return new Set(rows.map((row) => row.task_id));
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
    // A run writes thousands of rows whose primary keys (hashed item ids) land all over the
    // indexes; checkpointing the WAL back every 1,000 pages (the default) copied those pages
    // dozens of times per run. 8,000 pages (32 MB at most) lets a run's writes reach the database
    // in a few checkpoints (docs/benchmarks.md).
    sqlite.pragma('wal_autocheckpoint = 8000');
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

function checkCount(name: string, value: number | undefined): void {
  if (value === undefined || (Number.isInteger(value) && value >= 0)) return;
  throw new RangeError(
    `Expected \`${name}\` to be an integer from 0 and up, got \`${value}\` (${typeof value})`,
  );
}

/** `column IN (…)` for any number of values: one JSON parameter instead of one parameter per value. */
function inList(column: 'item_id', values: readonly string[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
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
