/** The audit log in SQL every dialect runs: rows are only ever added, in the transaction of the change. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { AuditEntry, AuditQuery, AuditRecord } from './store.js';

export async function insertAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject,
      details_json: JSON.stringify(entry.details),
    })
    .execute();
}

export async function selectAudit(db: Kysely<Database>, query: AuditQuery): Promise<AuditRecord[]> {
  const { since, action, limit } = query;
  if (since !== undefined && (typeof since !== 'number' || Number.isNaN(since))) {
    throw new RangeError(`Expected \`since\` to be a time in ms, got \`${String(since)}\` (${typeof since})`);
  }
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new RangeError(
      `Expected \`limit\` to be an integer from 0 and up, got \`${limit}\` (${typeof limit})`,
    );
  }
  let selected = db.selectFrom('audit_log').selectAll();
  if (since !== undefined) selected = selected.where('at', '>=', since);
  if (action !== undefined) selected = selected.where('action', '=', action);
  selected = selected.orderBy('at').orderBy('id');
  if (limit !== undefined) selected = selected.limit(limit);
  const rows = await selected.execute();
  return rows.map((row) => ({
    id: row.id,
    at: Number(row.at),
    actor: row.actor,
    action: row.action as AuditRecord['action'],
    subject: row.subject,
    details: JSON.parse(row.details_json) as Record<string, unknown>,
  }));
}
