/** Run listings and per-run aggregates, in SQL that every dialect runs. */
import { type Kysely, sql } from 'kysely';
import type { RunRecord } from '../types.js';
import { aggregate } from './figures.js';
import { fromRunRow } from './rows.js';
import type { Database } from './schema.js';
import type { RunListing, RunQuery, RunStats } from './store.js';

/** Runs per `IN (…)` list, well under every database's bound-parameter limit. */
const RUN_IDS_PER_QUERY = 500;
/** Runs read per query when suite or target filters are applied after reading. */
const PAGE_SIZE = 200;

export function emptyRunStats(): RunStats {
  return {
    results: 0,
    passed: 0,
    failed: 0,
    errored: 0,
    costUsd: 0,
    judgeCostUsd: 0,
    savedUsd: 0,
    cached: 0,
    meanScore: null,
    meanLatencyMs: null,
    targets: [],
  };
}

/** Stats of each run, in two queries per 500 runs; a run without results gets empty stats. */
export async function selectRunStats(
  db: Kysely<Database>,
  runIds: readonly string[],
): Promise<Map<string, RunStats>> {
  const stats = new Map<string, RunStats>();
  for (const id of runIds) stats.set(id, emptyRunStats());
  for (let start = 0; start < runIds.length; start += RUN_IDS_PER_QUERY) {
    const chunk = runIds.slice(start, start + RUN_IDS_PER_QUERY);
    // Drivers return aggregates as numbers, bigints or numeric strings: Number() takes all three;
    // floating-point sums and means go through aggregate() so every database gives the same figures.
    const rows = await db
      .selectFrom('results')
      .select([
        'run_id',
        sql<number>`count(*)`.as('results'),
        sql<number>`sum(case when status = 'passed' then 1 else 0 end)`.as('passed'),
        sql<number>`sum(case when status = 'failed' then 1 else 0 end)`.as('failed'),
        sql<number>`sum(case when status = 'error' then 1 else 0 end)`.as('errored'),
        sql<number>`coalesce(sum(cost_usd), 0)`.as('cost_usd'),
        sql<number>`coalesce(sum(judge_cost_usd), 0)`.as('judge_cost_usd'),
        sql<number>`coalesce(sum(saved_usd), 0)`.as('saved_usd'),
        sql<number>`sum(cached)`.as('cached'),
        sql<number | null>`avg(case when status <> 'error' then score end)`.as('mean_score'),
        sql<number | null>`avg(case when status <> 'error' and cached = 0 then latency_ms end)`.as(
          'mean_latency_ms',
        ),
      ])
      .where('run_id', 'in', chunk)
      .groupBy('run_id')
      .execute();
    for (const row of rows) {
      const entry = stats.get(row.run_id)!;
      entry.results = Number(row.results);
      entry.passed = Number(row.passed);
      entry.failed = Number(row.failed);
      entry.errored = Number(row.errored);
      entry.costUsd = aggregate(row.cost_usd);
      entry.judgeCostUsd = aggregate(row.judge_cost_usd);
      entry.savedUsd = aggregate(row.saved_usd);
      entry.cached = Number(row.cached);
      entry.meanScore = row.mean_score === null ? null : aggregate(row.mean_score);
      entry.meanLatencyMs = row.mean_latency_ms === null ? null : aggregate(row.mean_latency_ms);
    }
    const targets = await db
      .selectFrom('results')
      .select(['run_id', 'target_name'])
      .distinct()
      .where('run_id', 'in', chunk)
      .orderBy('target_name')
      .execute();
    for (const row of targets) stats.get(row.run_id)!.targets.push(row.target_name);
  }
  return stats;
}

/** Runs newest first with their stats. Suite and target are matched on the runs read, page by page. */
export async function selectRunListings(db: Kysely<Database>, query: RunQuery): Promise<RunListing[]> {
  const { suite, target, since, before, limit, statuses } = query;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new RangeError(
      `Expected \`limit\` to be an integer from 0 and up, got \`${limit}\` (${typeof limit})`,
    );
  }
  if (since !== undefined && (typeof since !== 'number' || Number.isNaN(since))) {
    throw new RangeError(`Expected \`since\` to be a time in ms, got \`${String(since)}\` (${typeof since})`);
  }
  if (before !== undefined && (typeof before !== 'number' || Number.isNaN(before))) {
    throw new RangeError(
      `Expected \`before\` to be a time in ms, got \`${String(before)}\` (${typeof before})`,
    );
  }
  if (limit === 0 || statuses?.length === 0) return [];

  let selected = db.selectFrom('runs').selectAll();
  if (since !== undefined) selected = selected.where('started_at', '>=', since);
  if (before !== undefined) selected = selected.where('started_at', '<', before);
  if (statuses !== undefined) selected = selected.where('status', 'in', statuses);
  selected = selected.orderBy('started_at', 'desc').orderBy('id', 'desc');

  let runs: RunRecord[];
  if (suite === undefined && target === undefined) {
    const rows = await (limit === undefined ? selected : selected.limit(limit)).execute();
    runs = rows.map(fromRunRow);
  } else {
    // Suite and planned targets live in JSON columns, which each dialect reads differently.
    const wanted = limit ?? Number.POSITIVE_INFINITY;
    runs = [];
    for (let offset = 0; runs.length < wanted; offset += PAGE_SIZE) {
      const page = (await selected.limit(PAGE_SIZE).offset(offset).execute()).map(fromRunRow);
      const withResults =
        target === undefined
          ? new Set<string>()
          : await runsWithResultsFor(
              db,
              target,
              page.map((run) => run.id),
            );
      for (const run of page) {
        if (suite !== undefined && run.options.suite !== suite) continue;
        if (target !== undefined && !withResults.has(run.id) && !plans(run, target)) continue;
        runs.push(run);
        if (runs.length >= wanted) break;
      }
      if (page.length < PAGE_SIZE) break;
    }
  }

  const stats = await selectRunStats(
    db,
    runs.map((run) => run.id),
  );
  return runs.map((run) => ({ run, stats: stats.get(run.id)! }));
}

async function runsWithResultsFor(
  db: Kysely<Database>,
  target: string,
  runIds: readonly string[],
): Promise<Set<string>> {
  if (runIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('results')
    .select('run_id')
    .distinct()
    .where('run_id', 'in', runIds)
    .where('target_name', '=', target)
    .execute();
  return new Set(rows.map((row) => row.run_id));
}

function plans(run: RunRecord, target: string): boolean {
  // Rows written by hand or by early versions may lack the map.
  const versions: Record<string, string> | undefined = run.fingerprint.targetVersions;
  return versions !== undefined && Object.hasOwn(versions, target);
}
