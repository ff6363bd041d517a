/** Deleting whole runs (retention), in SQL that every dialect runs, audited in the same transaction. */
import type { Kysely } from 'kysely';
import { insertAudit } from './audit.js';
import type { Database } from './schema.js';
import type { DeletedRuns } from './store.js';

/** Deletes runs with their scores, results and leases; one audit entry per run actually deleted. */
export async function deleteRunRows(
  db: Kysely<Database>,
  runIds: readonly string[],
  audit: { actor: string; action: 'run.delete' | 'run.prune'; details?: Record<string, unknown> },
): Promise<DeletedRuns> {
  const total: DeletedRuns = { runs: 0, results: 0, scores: 0 };
  if (runIds.length === 0) return total;
  await db.transaction().execute(async (trx) => {
    const at = Date.now();
    for (const runId of runIds) {
      const scores = await trx.deleteFrom('scores').where('run_id', '=', runId).executeTakeFirst();
      const results = await trx.deleteFrom('results').where('run_id', '=', runId).executeTakeFirst();
      await trx.deleteFrom('run_leases').where('run_id', '=', runId).execute();
      const runs = await trx.deleteFrom('runs').where('id', '=', runId).executeTakeFirst();
      if (Number(runs.numDeletedRows) === 0) continue;
      const removed = { results: Number(results.numDeletedRows), scores: Number(scores.numDeletedRows) };
      total.runs += 1;
      total.results += removed.results;
      total.scores += removed.scores;
      await insertAudit(trx, {
        at,
        actor: audit.actor,
        action: audit.action,
        subject: runId,
        details: { ...removed, ...audit.details },
      });
    }
  });
  return total;
}
