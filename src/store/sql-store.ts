/**
 * The Store contract in Kysely queries that every SQL dialect runs. A dialect's store extends it,
 * says how to match a column against a list (`inList`), and may replace the write paths with faster
 * ones of its own (SQLite prepares its hot statements once).
 */
import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type {
  ItemResult,
  PromptTemplate,
  RunRecord,
  RunStatus,
  ScoreResult,
  Target,
  Task,
} from '../types.js';
import { insertAudit, selectAudit } from './audit.js';
import { chunkRows } from './chunks.js';
import { selectCostBreakdown } from './cost-breakdown.js';
import { aggregate } from './figures.js';
import { acquireLease, releaseLease, renewLease } from './leases.js';
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
} from './rows.js';
import { deleteRunRows } from './run-deletion.js';
import { selectRunListings, selectRunStats } from './run-listing.js';
import type { Database, ResultsTable, ScoresTable, TaskVersionsTable } from './schema.js';
import type {
  AuditEntry,
  AuditQuery,
  AuditRecord,
  CostDimension,
  CostRow,
  DeletedRuns,
  LeaseOutcome,
  ResultQuery,
  RunListing,
  RunQuery,
  RunStats,
  Store,
  TaskIdSummary,
  VersionRecord,
} from './store.js';
import { selectPromptHistory, selectTaskHistory, selectTaskIds } from './version-history.js';

/** Every column of a result but its key: what a result replacing a budget skip overwrites. */
export const REPLACED_RESULT_COLUMNS = [
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
] as const satisfies ReadonlyArray<Exclude<keyof ResultsTable, 'run_id' | 'item_id'>>;

export abstract class SqlStore implements Store {
  /** Which SQL dialect this is (backups record it; the queries here do not depend on it). */
  abstract readonly dialect: 'sqlite' | 'postgres';

  protected constructor(
    /** The database itself, for whole-database work (backup, restore, copy, status). */
    readonly db: Kysely<Database>,
    /** Most bound parameters one statement may carry in this dialect. */
    readonly maxParameters: number,
  ) {}

  /** `column IN (values)` for any number of values, as this dialect does it best. */
  protected abstract inList(column: 'item_id', values: readonly string[]): RawBuilder<SqlBool>;

  abstract close(): Promise<void>;

  /** Applies the migrations this database lacks; returns their versions. */
  abstract migrate(): Promise<number[]>;

  async saveVersions(versions: {
    tasks: Task[];
    prompts: PromptTemplate[];
    targets: Target[];
  }): Promise<void> {
    const now = Date.now();
    // Versions are immutable: a row already stored under the same key is kept.
    await this.db.transaction().execute(async (trx) => {
      await this.insertTaskVersionRows(
        trx,
        versions.tasks.map((task) => toTaskVersionRow(task, now)),
      );
      await this.savePromptAndTargetVersions(trx, versions, now);
    });
  }

  /** Inserts task versions not stored yet (a stored version is kept as it is). */
  protected async insertTaskVersionRows(trx: Kysely<Database>, rows: TaskVersionsTable[]): Promise<void> {
    for (const chunk of chunkRows(rows, this.maxParameters)) {
      await trx
        .insertInto('task_versions')
        .values(chunk)
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    }
  }

  protected async savePromptAndTargetVersions(
    trx: Kysely<Database>,
    versions: { prompts: PromptTemplate[]; targets: Target[] },
    now: number,
  ): Promise<void> {
    for (const chunk of chunkRows(
      versions.prompts.map((prompt) => toPromptVersionRow(prompt, now)),
      this.maxParameters,
    )) {
      await trx
        .insertInto('prompt_versions')
        .values(chunk)
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    }
    for (const chunk of chunkRows(
      versions.targets.map((target) => toTargetVersionRow(target, now)),
      this.maxParameters,
    )) {
      await trx
        .insertInto('target_versions')
        .values(chunk)
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    }
  }

  async createRun(run: RunRecord): Promise<void> {
    await this.db.insertInto('runs').values(toRunRow(run)).execute();
  }

  async finishRun(runId: string, status: RunStatus, finishedAt: number): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({ status, finished_at: finishedAt })
      .where('id', '=', runId)
      .execute();
  }

  async getRun(idOrLatest: string): Promise<RunRecord | undefined> {
    const query = this.db.selectFrom('runs').selectAll();
    const row =
      idOrLatest === 'latest'
        ? await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
        : await query.where('id', '=', idOrLatest).executeTakeFirst();
    return row && fromRunRow(row);
  }

  async completedItemIds(runId: string, among?: readonly string[]): Promise<Set<string>> {
    if (among?.length === 0) return new Set();
    let query = this.db
      .selectFrom('results')
      .select('item_id')
      .where('run_id', '=', runId)
      // An item skipped for budget is not done: a resume with a larger budget runs it.
      .where((eb) => eb.or([eb('error_category', 'is', null), eb('error_category', '<>', 'skipped_budget')]));
    if (among) query = query.where(this.inList('item_id', among));
    return new Set((await query.execute()).map((row) => row.item_id));
  }

  async countCompleted(runId: string): Promise<number> {
    const row = await this.db
      .selectFrom('results')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('run_id', '=', runId)
      .where((eb) => eb.or([eb('error_category', 'is', null), eb('error_category', '<>', 'skipped_budget')]))
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /**
   * Multi-row inserts in one transaction. A stored result is final, except a budget skip, which
   * the real outcome replaces, and any result when `replace` is asked (a retry: the old result
   * and its scores are deleted in the same transaction); only results written now get their scores.
   */
  async saveResults(results: ItemResult[], options: { replace?: boolean } = {}): Promise<void> {
    const unique = firstPerItem(results);
    if (unique.length === 0) return;
    const byKey = new Map(unique.map((result) => [itemKey(result.runId, result.itemId), result]));
    await this.db.transaction().execute(async (trx) => {
      if (options.replace) {
        const byRun = new Map<string, string[]>();
        for (const result of unique)
          byRun.set(result.runId, [...(byRun.get(result.runId) ?? []), result.itemId]);
        for (const [runId, itemIds] of byRun) {
          for (const table of ['scores', 'results'] as const) {
            await trx
              .deleteFrom(table)
              .where('run_id', '=', runId)
              .where(this.inList('item_id', itemIds))
              .execute();
          }
        }
      }
      const written: ItemResult[] = [];
      for (const row of await this.insertResultRows(trx, unique.map(toResultRow))) {
        written.push(byKey.get(itemKey(row.run_id, row.item_id))!);
      }
      await this.insertScoreRows(trx, written.flatMap(toScoreRows));
    });
  }

  /**
   * Inserts result rows; a row whose (run, item) is stored already replaces it only when that one is
   * a budget skip. Returns the keys written (inserted or replaced).
   */
  protected async insertResultRows(
    trx: Kysely<Database>,
    rows: ResultsTable[],
  ): Promise<Array<{ run_id: string; item_id: string }>> {
    const written: Array<{ run_id: string; item_id: string }> = [];
    for (const chunk of chunkRows(rows, this.maxParameters)) {
      written.push(
        ...(await trx
          .insertInto('results')
          .values(chunk)
          .onConflict((conflict) =>
            conflict
              .columns(['run_id', 'item_id'])
              .doUpdateSet((eb) =>
                Object.fromEntries(
                  REPLACED_RESULT_COLUMNS.map((column) => [column, eb.ref(`excluded.${column}`)]),
                ),
              )
              .where('results.error_category', '=', 'skipped_budget'),
          )
          .returning(['run_id', 'item_id'])
          .execute()),
      );
    }
    return written;
  }

  protected async insertScoreRows(trx: Kysely<Database>, rows: ScoresTable[]): Promise<void> {
    for (const chunk of chunkRows(rows, this.maxParameters)) {
      await trx.insertInto('scores').values(chunk).execute();
    }
  }

  async listResults(query: ResultQuery): Promise<ItemResult[]> {
    const { runId, failedOnly = false, status, targetName, taskId, itemIds, limit, offset } = query;
    checkCount('limit', limit);
    checkCount('offset', offset);
    if (limit === 0 || status?.length === 0 || itemIds?.length === 0) return [];
    let selected = this.db.selectFrom('results').where('run_id', '=', runId);
    if (failedOnly) selected = selected.where('status', 'in', ['failed', 'error']);
    if (status !== undefined) selected = selected.where('status', 'in', status);
    if (targetName !== undefined) selected = selected.where('target_name', '=', targetName);
    if (taskId !== undefined) selected = selected.where('task_id', '=', taskId);
    if (itemIds !== undefined) selected = selected.where(this.inList('item_id', itemIds));
    selected = selected.orderBy('created_at').orderBy('item_id');
    // Some dialects (SQLite) need a LIMIT before an OFFSET.
    if (limit !== undefined || offset !== undefined)
      selected = selected.limit(limit ?? Number.MAX_SAFE_INTEGER);
    if (offset !== undefined) selected = selected.offset(offset);
    const rows = await selected.selectAll().execute();
    if (rows.length === 0) return [];

    let scoreQuery = this.db
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
    const row = await this.db
      .selectFrom('results')
      .select(sql<number | null>`sum(cost_usd)`.as('spent'))
      .where('created_at', '>=', since)
      .executeTakeFirst();
    return aggregate(row?.spent ?? 0);
  }

  async listRuns(query: RunQuery): Promise<RunListing[]> {
    return selectRunListings(this.db, query);
  }

  async targetNames(): Promise<string[]> {
    const rows = await this.db.selectFrom('target_versions').select('name').distinct().execute();
    // Sorted here, not by the database's collation, so every dialect gives one order.
    return rows.map((row) => row.name).sort();
  }

  async runStats(runId: string): Promise<RunStats> {
    return (await selectRunStats(this.db, [runId])).get(runId)!;
  }

  async deleteResults(runId: string, itemIds: string[], actor?: string): Promise<number> {
    if (itemIds.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      const scores = await trx
        .deleteFrom('scores')
        .where('run_id', '=', runId)
        .where(this.inList('item_id', itemIds))
        .executeTakeFirst();
      const deleted = await trx
        .deleteFrom('results')
        .where('run_id', '=', runId)
        .where(this.inList('item_id', itemIds))
        .executeTakeFirst();
      const results = Number(deleted.numDeletedRows);
      if (actor !== undefined) {
        await insertAudit(trx, {
          at: Date.now(),
          actor,
          action: 'run.retry',
          subject: runId,
          details: { results, scores: Number(scores.numDeletedRows) },
        });
      }
      return results;
    });
  }

  async deleteRuns(
    runIds: readonly string[],
    audit: { actor: string; action: 'run.delete' | 'run.prune'; details?: Record<string, unknown> },
  ): Promise<DeletedRuns> {
    return deleteRunRows(this.db, runIds, audit);
  }

  async recordAudit(entry: AuditEntry): Promise<void> {
    await insertAudit(this.db, entry);
  }

  async listAudit(query: AuditQuery): Promise<AuditRecord[]> {
    return selectAudit(this.db, query);
  }

  async reopenRun(runId: string): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({ status: 'running', finished_at: null })
      .where('id', '=', runId)
      .execute();
  }

  async costBreakdown(query: { since: number; until?: number; by: CostDimension }): Promise<CostRow[]> {
    return selectCostBreakdown(this.db, query);
  }

  async taskHistory(taskId: string): Promise<VersionRecord<Task>[]> {
    return selectTaskHistory(this.db, taskId);
  }

  async promptHistory(name: string): Promise<VersionRecord<PromptTemplate>[]> {
    return selectPromptHistory(this.db, name);
  }

  async listTaskIds(): Promise<TaskIdSummary[]> {
    return selectTaskIds(this.db);
  }

  async archiveTask(taskId: string, at: number, actor?: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('task_archive')
        .values({ task_id: taskId, archived_at: at })
        .onConflict((conflict) => conflict.column('task_id').doNothing())
        .execute();
      if (actor !== undefined) {
        await insertAudit(trx, { at, actor, action: 'task.archive', subject: taskId, details: {} });
      }
    });
  }

  async restoreTask(taskId: string, actor?: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const restored = await trx.deleteFrom('task_archive').where('task_id', '=', taskId).executeTakeFirst();
      if (actor !== undefined && Number(restored.numDeletedRows) > 0) {
        await insertAudit(trx, {
          at: Date.now(),
          actor,
          action: 'task.restore',
          subject: taskId,
          details: {},
        });
      }
    });
  }

  async archivedTaskIds(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('task_archive').select('task_id').execute();
    return new Set(rows.map((row) => row.task_id));
  }

  async acquireRunLease(request: {
    runId: string;
    owner: string;
    now: number;
    ttlMs: number;
    replacing?: string;
  }): Promise<LeaseOutcome> {
    return acquireLease(this.db, request);
  }

  async renewRunLease(request: {
    runId: string;
    owner: string;
    now: number;
    ttlMs: number;
  }): Promise<boolean> {
    return renewLease(this.db, request);
  }

  async releaseRunLease(runId: string, owner: string): Promise<void> {
    await releaseLease(this.db, runId, owner);
  }
}

function checkCount(name: string, value: number | undefined): void {
  if (value === undefined || (Number.isInteger(value) && value >= 0)) return;
  throw new RangeError(
    `Expected \`${name}\` to be an integer from 0 and up, got \`${value}\` (${typeof value})`,
  );
}

function itemKey(runId: string, itemId: string): string {
  return `${runId}\u0000${itemId}`;
}

/** Keeps the first result per (run, item), matching what the database keeps across batches. */
export function firstPerItem(results: readonly ItemResult[]): ItemResult[] {
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
