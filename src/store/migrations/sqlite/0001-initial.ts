import type { Migration } from '../../migrator.js';

/** Versions, runs, results, scores and the response cache. Timestamps are integer ms, JSON is TEXT. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE task_versions (
  task_id TEXT NOT NULL,
  version TEXT NOT NULL,
  content_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (task_id, version)
);

CREATE TABLE prompt_versions (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('text', 'chat')),
  source TEXT NOT NULL,
  git_commit TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE target_versions (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  config_json TEXT NOT NULL,
  prompt_name TEXT NOT NULL,
  prompt_version TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (name, version)
);

-- "user" is quoted because it is a reserved word in PostgreSQL; keep the spelling the same here.
CREATE TABLE runs (
  id TEXT PRIMARY KEY NOT NULL,
  config_path TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed', 'budget_exceeded')),
  fingerprint_json TEXT NOT NULL,
  options_json TEXT NOT NULL,
  total_items INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  "user" TEXT
);
CREATE INDEX runs_started_at ON runs (started_at);

-- Token columns are NULL when the provider did not report them; 0 means a reported zero.
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
  score REAL NOT NULL,
  latency_ms REAL NOT NULL,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_input_tokens INTEGER,
  reasoning_tokens INTEGER,
  usage_raw_json TEXT,
  cost_usd REAL,
  attempts INTEGER NOT NULL,
  cached INTEGER NOT NULL,
  served_by TEXT NOT NULL,
  error_category TEXT,
  error_message TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, item_id)
);
CREATE INDEX results_run_status ON results (run_id, status);
CREATE INDEX results_run_created ON results (run_id, created_at, item_id);

CREATE TABLE scores (
  run_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  name TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  value REAL NOT NULL,
  pass INTEGER NOT NULL,
  reason TEXT NOT NULL,
  weight REAL NOT NULL,
  PRIMARY KEY (run_id, item_id, ordinal),
  FOREIGN KEY (run_id, item_id) REFERENCES results (run_id, item_id) ON DELETE CASCADE
);

CREATE TABLE cache_entries (
  key TEXT PRIMARY KEY NOT NULL,
  output TEXT NOT NULL,
  usage_json TEXT NOT NULL,
  cost_usd REAL,
  latency_ms REAL NOT NULL,
  model TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX cache_entries_expires_at ON cache_entries (expires_at);
`,
};
