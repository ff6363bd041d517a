import type { Migration } from '../../migrator.js';

/**
 * The schema as SQLite has it at version 6, created at once: PostgreSQL support started at that
 * version, so both dialects share version numbers from here on (a backup names one version for
 * both). Timestamps are BIGINT ms, JSON is TEXT, booleans are 0/1 integers, as in `schema.ts`.
 */
export const initial: Migration = {
  version: 6,
  name: 'initial',
  sql: `
CREATE TABLE task_versions (
  task_id TEXT NOT NULL,
  version TEXT NOT NULL,
  content_json TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (task_id, version)
);

CREATE TABLE prompt_versions (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('text', 'chat')),
  source TEXT NOT NULL,
  git_commit TEXT,
  git_tag TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE target_versions (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  config_json TEXT NOT NULL,
  prompt_name TEXT NOT NULL,
  prompt_version TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE runs (
  id TEXT PRIMARY KEY NOT NULL,
  config_path TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed', 'budget_exceeded')),
  fingerprint_json TEXT NOT NULL,
  options_json TEXT NOT NULL,
  total_items INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  "user" TEXT
);
-- The run list: newest first, id breaking ties; "since" reads a range of it.
CREATE INDEX runs_started_at ON runs (started_at, id);

CREATE TABLE results (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  item_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  task_version TEXT NOT NULL,
  target_name TEXT NOT NULL,
  target_version TEXT NOT NULL,
  repeat_index INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('passed', 'failed', 'error')),
  prompt_json TEXT NOT NULL,
  output TEXT,
  score DOUBLE PRECISION NOT NULL,
  latency_ms DOUBLE PRECISION NOT NULL,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_input_tokens INTEGER,
  reasoning_tokens INTEGER,
  usage_raw_json TEXT,
  cost_usd DOUBLE PRECISION,
  attempts INTEGER NOT NULL,
  cached INTEGER NOT NULL,
  served_by TEXT NOT NULL,
  error_category TEXT,
  error_message TEXT,
  created_at BIGINT NOT NULL,
  ttft_ms DOUBLE PRECISION,
  cache_write_input_tokens INTEGER,
  stale INTEGER NOT NULL DEFAULT 0,
  attempts_json TEXT,
  computed_cost_usd DOUBLE PRECISION,
  judge_cost_usd DOUBLE PRECISION,
  saved_usd DOUBLE PRECISION,
  PRIMARY KEY (run_id, item_id)
);
-- A run's results page by page in creation order (filters by status, target or task apply on it).
CREATE INDEX results_run_created ON results (run_id, created_at, item_id);
-- Run listings filtered by target, a run's distinct targets, results of one target in a run.
CREATE INDEX results_run_target ON results (run_id, target_name);
-- Cost breakdowns and daily budgets select results by time across runs.
CREATE INDEX results_created_at ON results (created_at);
-- A task's results across runs (history).
CREATE INDEX results_task ON results (task_id);

CREATE TABLE scores (
  run_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  name TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  pass INTEGER NOT NULL,
  reason TEXT NOT NULL,
  weight DOUBLE PRECISION NOT NULL,
  metric TEXT,
  cost_usd DOUBLE PRECISION,
  PRIMARY KEY (run_id, item_id, ordinal),
  FOREIGN KEY (run_id, item_id) REFERENCES results (run_id, item_id) ON DELETE CASCADE
);

CREATE TABLE task_archive (
  task_id TEXT PRIMARY KEY NOT NULL,
  archived_at BIGINT NOT NULL
);

CREATE TABLE cache_entries (
  key TEXT PRIMARY KEY NOT NULL,
  output TEXT NOT NULL,
  usage_json TEXT NOT NULL,
  cost_usd DOUBLE PRECISION,
  latency_ms DOUBLE PRECISION NOT NULL,
  model TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX cache_entries_expires_at ON cache_entries (expires_at);

CREATE TABLE run_leases (
  run_id TEXT PRIMARY KEY NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  owner TEXT NOT NULL,
  acquired_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
`,
};
