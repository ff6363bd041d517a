import type BetterSqlite3 from 'better-sqlite3';
import type { CacheEntriesTable, ResultsTable, ScoresTable, TaskVersionsTable } from '../schema.js';

const RESULT_COLUMNS = [
  'run_id',
  'item_id',
  'task_id',
  'task_version',
  'target_name',
  'target_version',
  'repeat_index',
  'status',
  'prompt_json',
  'output',
  'score',
  'latency_ms',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_input_tokens',
  'ttft_ms',
  'stale',
  'attempts_json',
  'computed_cost_usd',
  'reasoning_tokens',
  'usage_raw_json',
  'cost_usd',
  'judge_cost_usd',
  'saved_usd',
  'attempts',
  'cached',
  'served_by',
  'error_category',
  'error_message',
  'created_at',
] as const satisfies ReadonlyArray<keyof ResultsTable>;

const SCORE_COLUMNS = [
  'run_id',
  'item_id',
  'name',
  'ordinal',
  'value',
  'pass',
  'reason',
  'weight',
  'metric',
  'cost_usd',
] as const satisfies ReadonlyArray<keyof ScoresTable>;

const CACHE_COLUMNS = [
  'key',
  'output',
  'usage_json',
  'cost_usd',
  'latency_ms',
  'model',
  'created_at',
  'expires_at',
] as const satisfies ReadonlyArray<keyof CacheEntriesTable>;

const TASK_VERSION_COLUMNS = [
  'task_id',
  'version',
  'content_json',
  'created_at',
] as const satisfies ReadonlyArray<keyof TaskVersionsTable>;

function insertSql(table: string, columns: readonly string[]): string {
  return `insert into ${table} (${columns.map((column) => `"${column}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`;
}

/** Positional parameters bind faster than named ones in better-sqlite3. */
function values<T>(row: T, columns: ReadonlyArray<keyof T>): unknown[] {
  const out = new Array<unknown>(columns.length);
  for (let index = 0; index < columns.length; index++) out[index] = row[columns[index]!];
  return out;
}

/**
 * Prepared statements for the per-item paths (results, scores, task versions, cache). Kysely
 * builds and compiles a query on every call, which costs more than the insert itself when a run
 * writes thousands of rows; these are prepared once per connection. Everything else in the store
 * goes through Kysely.
 */
export class HotStatements {
  readonly insertResult: BetterSqlite3.Statement;
  readonly insertScore: BetterSqlite3.Statement;
  readonly insertTaskVersion: BetterSqlite3.Statement;
  readonly hasTaskVersion: BetterSqlite3.Statement;
  readonly anyTaskVersion: BetterSqlite3.Statement;
  readonly completedItemIds: BetterSqlite3.Statement;
  readonly getCache: BetterSqlite3.Statement;
  readonly upsertCache: BetterSqlite3.Statement;
  readonly deleteResult: BetterSqlite3.Statement;
  readonly deleteScores: BetterSqlite3.Statement;

  constructor(readonly sqlite: BetterSqlite3.Database) {
    const replace = RESULT_COLUMNS.filter((column) => column !== 'run_id' && column !== 'item_id')
      .map((column) => `"${column}" = excluded."${column}"`)
      .join(', ');
    // A stored result is final, except a budget skip, which the real outcome replaces on resume.
    this.insertResult = sqlite.prepare(
      `${insertSql('results', RESULT_COLUMNS)} on conflict (run_id, item_id) do update set ${replace} where results.error_category = 'skipped_budget'`,
    );
    this.insertScore = sqlite.prepare(insertSql('scores', SCORE_COLUMNS));
    this.deleteResult = sqlite.prepare('delete from results where run_id = ? and item_id = ?');
    this.deleteScores = sqlite.prepare('delete from scores where run_id = ? and item_id = ?');
    this.insertTaskVersion = sqlite.prepare(
      `${insertSql('task_versions', TASK_VERSION_COLUMNS)} on conflict do nothing`,
    );
    this.hasTaskVersion = sqlite
      .prepare('select 1 from task_versions where task_id = ? and version = ?')
      .pluck();
    this.anyTaskVersion = sqlite.prepare('select 1 from task_versions limit 1').pluck();
    // An item skipped for budget is not done: a resume with a larger budget runs it.
    this.completedItemIds = sqlite
      .prepare(
        "select item_id from results where run_id = ? and (error_category is null or error_category <> 'skipped_budget')",
      )
      .pluck();
    this.getCache = sqlite.prepare('select * from cache_entries where key = ? and expires_at > ?');
    const updates = CACHE_COLUMNS.filter((column) => column !== 'key')
      .map((column) => `"${column}" = excluded."${column}"`)
      .join(', ');
    this.upsertCache = sqlite.prepare(
      `${insertSql('cache_entries', CACHE_COLUMNS)} on conflict (key) do update set ${updates}`,
    );
  }

  readonly #cacheChunks = new Map<number, BetterSqlite3.Statement>();

  /** `select` of up to `size` cache keys at once (statements kept per size: at most two sizes per run). */
  getCacheChunk(size: number): BetterSqlite3.Statement {
    let statement = this.#cacheChunks.get(size);
    if (!statement) {
      statement = this.sqlite.prepare(
        `select * from cache_entries where key in (${new Array(size).fill('?').join(', ')}) and expires_at > ?`,
      );
      this.#cacheChunks.set(size, statement);
    }
    return statement;
  }

  /**
   * Inserts results and, for those not already stored, their scores, in one transaction. With
   * `replace`, a stored result of the same item (and its scores) is deleted first, in the same
   * transaction: a retry's new outcome takes the old one's place, or nothing changes.
   */
  readonly saveResults = (
    results: Array<{ row: ResultsTable; scores: ScoresTable[] }>,
    replace = false,
  ): void => {
    this.sqlite
      .transaction(() => {
        for (const { row, scores } of results) {
          if (replace) {
            this.deleteScores.run(row.run_id, row.item_id);
            this.deleteResult.run(row.run_id, row.item_id);
          }
          if (this.insertResult.run(values(row, RESULT_COLUMNS)).changes === 0) continue;
          for (const score of scores) this.insertScore.run(values(score, SCORE_COLUMNS));
        }
      })
      .immediate();
  };

  /**
   * Stores the task versions not stored yet. Every run of a dataset offers all its tasks again:
   * looking a stored version up costs less than building its row and letting the insert conflict.
   */
  readonly saveTaskVersions = <T extends { id: string; version: string }>(
    tasks: readonly T[],
    toRow: (task: T) => TaskVersionsTable,
  ): void => {
    this.sqlite
      .transaction(() => {
        const anyStored = this.anyTaskVersion.get() !== undefined;
        for (const task of tasks) {
          if (anyStored && this.hasTaskVersion.get(task.id, task.version) !== undefined) continue;
          this.insertTaskVersion.run(values(toRow(task), TASK_VERSION_COLUMNS));
        }
      })
      .immediate();
  };

  readonly setCache = (rows: CacheEntriesTable[]): void => {
    this.sqlite
      .transaction(() => {
        for (const row of rows) this.upsertCache.run(values(row, CACHE_COLUMNS));
      })
      .immediate();
  };
}
