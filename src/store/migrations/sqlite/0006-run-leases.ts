import type { Migration } from '../../migrator.js';

/**
 * Run leases: the process executing a run holds a row it renews (heartbeat) and that lapses at
 * `expires_at`, so two processes never execute the same run at once and a killed one's claim ends.
 */
export const runLeases: Migration = {
  version: 6,
  name: 'run-leases',
  sql: `
CREATE TABLE run_leases (
  run_id TEXT PRIMARY KEY NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  owner TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
`,
};
