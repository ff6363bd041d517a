/** Run leases in SQL that every dialect runs (an upsert whose update only happens when allowed). */
import type { Kysely } from 'kysely';
import type { Database, RunLeasesTable } from './schema.js';
import type { LeaseOutcome, RunLease } from './store.js';

function checkLeaseTimes(now: number, ttlMs: number): void {
  if (!Number.isFinite(now)) {
    throw new RangeError(`Expected \`now\` to be a time in ms, got \`${String(now)}\` (${typeof now})`);
  }
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new RangeError(
      `Expected \`ttlMs\` to be a number of ms above 0, got \`${String(ttlMs)}\` (${typeof ttlMs})`,
    );
  }
}

function fromLeaseRow(row: RunLeasesTable): RunLease {
  return {
    runId: row.run_id,
    owner: row.owner,
    acquiredAt: Number(row.acquired_at),
    heartbeatAt: Number(row.heartbeat_at),
    expiresAt: Number(row.expires_at),
  };
}

export async function acquireLease(
  db: Kysely<Database>,
  request: { runId: string; owner: string; now: number; ttlMs: number; replacing?: string },
): Promise<LeaseOutcome> {
  const { runId, owner, now, ttlMs, replacing } = request;
  checkLeaseTimes(now, ttlMs);
  const row: RunLeasesTable = {
    run_id: runId,
    owner,
    acquired_at: now,
    heartbeat_at: now,
    expires_at: now + ttlMs,
  };
  // A holder can release between our refused upsert and the read of who holds it: try again then.
  for (let attempt = 0; attempt < 3; attempt++) {
    const taken = await db
      .insertInto('run_leases')
      .values(row)
      .onConflict((conflict) =>
        conflict
          .column('run_id')
          .doUpdateSet({
            owner: (eb) => eb.ref('excluded.owner'),
            acquired_at: (eb) => eb.ref('excluded.acquired_at'),
            heartbeat_at: (eb) => eb.ref('excluded.heartbeat_at'),
            expires_at: (eb) => eb.ref('excluded.expires_at'),
          })
          .where((eb) =>
            eb.or([
              eb('run_leases.expires_at', '<=', now),
              eb('run_leases.owner', '=', owner),
              ...(replacing === undefined ? [] : [eb('run_leases.owner', '=', replacing)]),
            ]),
          ),
      )
      .executeTakeFirst();
    if (Number(taken.numInsertedOrUpdatedRows ?? 0n) > 0) return { acquired: true, lease: fromLeaseRow(row) };
    const holder = await db
      .selectFrom('run_leases')
      .selectAll()
      .where('run_id', '=', runId)
      .executeTakeFirst();
    if (holder) return { acquired: false, holder: fromLeaseRow(holder) };
  }
  throw new Error(`Could not acquire the lease of run ${runId}: its holders kept changing`);
}

export async function renewLease(
  db: Kysely<Database>,
  request: { runId: string; owner: string; now: number; ttlMs: number },
): Promise<boolean> {
  const { runId, owner, now, ttlMs } = request;
  checkLeaseTimes(now, ttlMs);
  const updated = await db
    .updateTable('run_leases')
    .set({ heartbeat_at: now, expires_at: now + ttlMs })
    .where('run_id', '=', runId)
    .where('owner', '=', owner)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

export async function releaseLease(db: Kysely<Database>, runId: string, owner: string): Promise<void> {
  await db.deleteFrom('run_leases').where('run_id', '=', runId).where('owner', '=', owner).execute();
}
