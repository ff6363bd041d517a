/**
 * Multi-row inserts as `INSERT … SELECT * FROM unnest($1::text[], $2::float8[], …)`: one array
 * parameter per column instead of one parameter per value. Kysely builds and compiles a node per value
 * of a multi-row VALUES list, which cost more than the insert itself for a batch of 1,000 results;
 * the server unpacks arrays in C. Used for the per-item paths only (results, scores, task versions).
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, ResultsTable, ScoresTable, TaskVersionsTable } from '../schema.js';

type ColumnTypes<T> = { [K in keyof T]-?: 'text' | 'int4' | 'int8' | 'float8' };

export const RESULT_TYPES: ColumnTypes<ResultsTable> = {
  run_id: 'text',
  item_id: 'text',
  task_id: 'text',
  task_version: 'text',
  target_name: 'text',
  target_version: 'text',
  repeat_index: 'int4',
  status: 'text',
  prompt_json: 'text',
  output: 'text',
  score: 'float8',
  latency_ms: 'float8',
  input_tokens: 'int4',
  output_tokens: 'int4',
  cached_input_tokens: 'int4',
  cache_write_input_tokens: 'int4',
  ttft_ms: 'float8',
  stale: 'int4',
  attempts_json: 'text',
  computed_cost_usd: 'float8',
  reasoning_tokens: 'int4',
  usage_raw_json: 'text',
  cost_usd: 'float8',
  judge_cost_usd: 'float8',
  saved_usd: 'float8',
  attempts: 'int4',
  cached: 'int4',
  served_by: 'text',
  error_category: 'text',
  error_message: 'text',
  created_at: 'int8',
};

export const SCORE_TYPES: ColumnTypes<ScoresTable> = {
  run_id: 'text',
  item_id: 'text',
  name: 'text',
  ordinal: 'int4',
  value: 'float8',
  pass: 'int4',
  reason: 'text',
  weight: 'float8',
  metric: 'text',
  cost_usd: 'float8',
};

export const TASK_VERSION_TYPES: ColumnTypes<TaskVersionsTable> = {
  task_id: 'text',
  version: 'text',
  content_json: 'text',
  created_at: 'int8',
};

/** `insert into <table> (<columns>) select * from unnest(<one array per column>) <rest>`. */
export async function insertUnnest<T extends object, R = unknown>(
  db: Kysely<Database>,
  table: keyof Database & string,
  types: ColumnTypes<T>,
  rows: readonly T[],
  rest: RawBuilder<unknown> = sql``,
): Promise<R[]> {
  if (rows.length === 0) return [];
  const columns = Object.keys(types) as Array<keyof T & string>;
  const arrays = columns.map(
    (column) => sql`${rows.map((row) => row[column] ?? null)}::${sql.raw(types[column])}[]`,
  );
  const result =
    await sql<R>`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))}) select * from unnest(${sql.join(arrays)}) ${rest}`.execute(
      db,
    );
  return result.rows;
}
