import type { Migration } from '../../migrator.js';

/**
 * The audit log: who changed what and when, for every change that is not a run writing its own
 * results (task archive and restore, run delete and prune, retried results, cache clear and prune,
 * restores). Each row is written in the transaction of the change it records; no command deletes rows.
 * Ids are random (not a sequence), so backups restore into any database without renumbering.
 */
export const auditLog: Migration = {
  version: 7,
  name: 'audit-log',
  sql: `
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT,
  details_json TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, id);
`,
};
