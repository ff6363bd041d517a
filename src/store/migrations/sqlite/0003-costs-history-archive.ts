import type { Migration } from '../../migrator.js';

/**
 * Judge costs and cache savings per result, the metric and judge cost of each score, archived
 * tasks, and the indexes that run listings and cost breakdowns read through.
 */
export const costsHistoryArchive: Migration = {
  version: 3,
  name: 'costs-history-archive',
  sql: `
ALTER TABLE results ADD COLUMN judge_cost_usd REAL;
ALTER TABLE results ADD COLUMN saved_usd REAL;
ALTER TABLE scores ADD COLUMN metric TEXT;
ALTER TABLE scores ADD COLUMN cost_usd REAL;

CREATE TABLE task_archive (
  task_id TEXT PRIMARY KEY NOT NULL,
  archived_at INTEGER NOT NULL
);

-- Cost breakdowns and daily budgets select results by time across runs.
CREATE INDEX results_created_at ON results (created_at);
-- A task's results across runs.
CREATE INDEX results_task ON results (task_id);
-- Run listings filtered by target, a run's distinct targets, results of one target in a run.
CREATE INDEX results_run_target ON results (run_id, target_name);
`,
};
