/**
 * Kysely table types shared by every SQL dialect. Timestamps are integer ms, JSON is TEXT, booleans
 * are 0/1 integers and unknown token counts are NULL, so one row mapping (`rows.ts`) serves all
 * dialects.
 */

export interface TaskVersionsTable {
  task_id: string;
  version: string;
  /** The task without `id` and `version`, as JSON. */
  content_json: string;
  created_at: number;
}

export interface PromptVersionsTable {
  name: string;
  version: string;
  path: string;
  kind: 'text' | 'chat';
  source: string;
  git_commit: string | null;
  /** Tags at that commit, comma-separated (migration 4). */
  git_tag: string | null;
  created_at: number;
}

export interface TargetVersionsTable {
  name: string;
  version: string;
  provider_id: string;
  /** Generation config, provider options, price override and timeout, as JSON. */
  config_json: string;
  prompt_name: string;
  prompt_version: string;
  created_at: number;
}

export interface RunsTable {
  id: string;
  config_path: string;
  status: string;
  fingerprint_json: string;
  options_json: string;
  total_items: number;
  started_at: number;
  finished_at: number | null;
  user: string | null;
}

export interface ResultsTable {
  run_id: string;
  item_id: string;
  task_id: string;
  task_version: string;
  target_name: string;
  target_version: string;
  repeat_index: number;
  status: string;
  prompt_json: string;
  output: string | null;
  score: number;
  latency_ms: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  cache_write_input_tokens: number | null;
  ttft_ms: number | null;
  stale: number;
  attempts_json: string | null;
  computed_cost_usd: number | null;
  reasoning_tokens: number | null;
  usage_raw_json: string | null;
  cost_usd: number | null;
  judge_cost_usd: number | null;
  /** What a cache hit's answer originally cost. */
  saved_usd: number | null;
  attempts: number;
  cached: number;
  served_by: string;
  error_category: string | null;
  error_message: string | null;
  created_at: number;
}

export interface ScoresTable {
  run_id: string;
  item_id: string;
  name: string;
  /** Position of the score in `ItemResult.scores`. */
  ordinal: number;
  value: number;
  pass: number;
  reason: string;
  weight: number;
  metric: string | null;
  cost_usd: number | null;
}

export interface TaskArchiveTable {
  task_id: string;
  archived_at: number;
}

export interface RunLeasesTable {
  run_id: string;
  owner: string;
  acquired_at: number;
  heartbeat_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  details_json: string;
}

export interface CacheEntriesTable {
  key: string;
  output: string;
  /** The whole `Usage`, raw provider object included. */
  usage_json: string;
  cost_usd: number | null;
  latency_ms: number;
  model: string | null;
  created_at: number;
  expires_at: number;
}

export interface Database {
  task_versions: TaskVersionsTable;
  prompt_versions: PromptVersionsTable;
  target_versions: TargetVersionsTable;
  runs: RunsTable;
  results: ResultsTable;
  scores: ScoresTable;
  cache_entries: CacheEntriesTable;
  task_archive: TaskArchiveTable;
  run_leases: RunLeasesTable;
  audit_log: AuditLogTable;
}
