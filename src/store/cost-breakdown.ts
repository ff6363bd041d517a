/**
 * Costs grouped by one dimension, in SQL that every dialect runs: the database groups by a plain
 * column or a day number, and the keys that need parsing (provider, suite, week…) are derived and
 * merged here.
 */
import { type Kysely, sql } from 'kysely';
import type { RunOptions } from '../types.js';
import { dayKey, isoWeekKey, monthKey } from './calendar.js';
import { aggregate } from './figures.js';
import type { Database } from './schema.js';
import type { CostDimension, CostRow } from './store.js';

const DIMENSIONS: readonly CostDimension[] = [
  'provider',
  'model',
  'target',
  'suite',
  'task',
  'user',
  'day',
  'week',
  'month',
];
const TIME_DIMENSIONS: ReadonlySet<CostDimension> = new Set(['day', 'week', 'month']);

interface GroupRow {
  key: unknown;
  cost_usd: unknown;
  judge_cost_usd: unknown;
  saved_usd: unknown;
  calls: unknown;
  cached_calls: unknown;
}

export async function selectCostBreakdown(
  db: Kysely<Database>,
  query: { since: number; until?: number; by: CostDimension },
): Promise<CostRow[]> {
  const { since, until, by } = query;
  checkTime('since', since);
  if (until !== undefined) checkTime('until', until);
  if (!DIMENSIONS.includes(by)) {
    throw new RangeError(
      `Expected \`by\` to be one of ${DIMENSIONS.join(', ')}, got \`${String(by)}\` (${typeof by})`,
    );
  }

  let results = db
    .selectFrom('results')
    .where('results.created_at', '>=', since)
    // A budget skip made no call.
    .where((eb) =>
      eb.or([eb('results.error_category', 'is', null), eb('results.error_category', '<>', 'skipped_budget')]),
    );
  if (until !== undefined) results = results.where('results.created_at', '<', until);
  const sums = [
    sql<number>`coalesce(sum(results.cost_usd), 0)`.as('cost_usd'),
    sql<number>`coalesce(sum(results.judge_cost_usd), 0)`.as('judge_cost_usd'),
    sql<number>`coalesce(sum(results.saved_usd), 0)`.as('saved_usd'),
    sql<number>`count(*)`.as('calls'),
    sql<number>`coalesce(sum(results.cached), 0)`.as('cached_calls'),
  ];

  let rows: GroupRow[];
  let keyOf: (key: unknown) => string;
  switch (by) {
    case 'provider':
    case 'model': {
      rows = await results
        .leftJoin('target_versions', (join) =>
          join
            .onRef('target_versions.name', '=', 'results.target_name')
            .onRef('target_versions.version', '=', 'results.target_version'),
        )
        .select(['target_versions.provider_id as key', ...sums])
        .groupBy('target_versions.provider_id')
        .execute();
      keyOf =
        by === 'model'
          ? (key) => (key === null ? 'unknown' : String(key))
          : (key) => (key === null ? 'unknown' : String(key).split(':', 1)[0]!);
      break;
    }
    case 'target':
      rows = await results
        .select(['results.target_name as key', ...sums])
        .groupBy('results.target_name')
        .execute();
      keyOf = String;
      break;
    case 'task':
      rows = await results
        .select(['results.task_id as key', ...sums])
        .groupBy('results.task_id')
        .execute();
      keyOf = String;
      break;
    case 'user':
      rows = await results
        .innerJoin('runs', 'runs.id', 'results.run_id')
        .select(['runs.user as key', ...sums])
        .groupBy('runs.user')
        .execute();
      keyOf = (key) => (key === null ? 'unknown' : String(key));
      break;
    case 'suite':
      rows = await results
        .innerJoin('runs', 'runs.id', 'results.run_id')
        .select(['runs.options_json as key', ...sums])
        .groupBy(['runs.id', 'runs.options_json'])
        .execute();
      keyOf = (key) => (JSON.parse(String(key)) as Partial<RunOptions>).suite ?? '(none)';
      break;
    default: {
      // Whole UTC days since the epoch; the literal divisor keeps SELECT and GROUP BY one expression.
      const day = sql<number>`cast(results.created_at / 86400000 as integer)`;
      rows = await results
        .select([day.as('key'), ...sums])
        .groupBy(day)
        .execute();
      const name = by === 'day' ? dayKey : by === 'week' ? isoWeekKey : monthKey;
      keyOf = (key) => name(Number(key));
    }
  }

  const merged = new Map<string, CostRow>();
  for (const row of rows) {
    const key = keyOf(row.key);
    let entry = merged.get(key);
    if (!entry) {
      entry = { key, costUsd: 0, judgeCostUsd: 0, savedUsd: 0, calls: 0, cachedCalls: 0 };
      merged.set(key, entry);
    }
    entry.costUsd += Number(row.cost_usd);
    entry.judgeCostUsd += Number(row.judge_cost_usd);
    entry.savedUsd += Number(row.saved_usd);
    entry.calls += Number(row.calls);
    entry.cachedCalls += Number(row.cached_calls);
  }
  for (const entry of merged.values()) {
    entry.costUsd = aggregate(entry.costUsd);
    entry.judgeCostUsd = aggregate(entry.judgeCostUsd);
    entry.savedUsd = aggregate(entry.savedUsd);
  }
  const byKey = (left: CostRow, right: CostRow): number =>
    left.key < right.key ? -1 : left.key > right.key ? 1 : 0;
  return [...merged.values()].sort(
    TIME_DIMENSIONS.has(by) ? byKey : (left, right) => right.costUsd - left.costUsd || byKey(left, right),
  );
}

function checkTime(name: string, value: number): void {
  if (typeof value === 'number' && !Number.isNaN(value)) return;
  throw new RangeError(`Expected \`${name}\` to be a time in ms, got \`${String(value)}\` (${typeof value})`);
}
