/** Plain domain types shared by every layer. No behaviour lives here. */

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
}

/** Generation parameters sent to a model. Unknown keys pass through to the provider untouched. */
export interface GenerationConfig {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  [key: string]: unknown;
}

/** Token usage of one call, normalised across providers. `undefined` means "not reported", never 0. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  /** Input tokens written to a prompt cache (Anthropic cache_creation). */
  cacheWriteInputTokens?: number;
  reasoningTokens?: number;
  /** The provider's usage object exactly as received. */
  raw?: unknown;
}

/**
 * What a provider said about its rate limits on one answer (any field may be missing). Limits are per
 * minute; `remaining` is what its own count has left; `reset…Ms` is how long until that budget is
 * whole again (a bucket full, a window restarted).
 */
export interface RateLimitSnapshot {
  limitRequests?: number;
  remainingRequests?: number;
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
  /** Anthropic splits tokens into input (ITPM) and output (OTPM) limits. */
  limitInputTokens?: number;
  remainingInputTokens?: number;
  resetInputTokensMs?: number;
  limitOutputTokens?: number;
  remainingOutputTokens?: number;
  resetOutputTokensMs?: number;
}

export interface AssertionSpec {
  /** Scorer name, optionally prefixed with `not-` to negate it. */
  type: string;
  value?: unknown;
  /** Relative weight in the task's score. @default 1 */
  weight?: number;
  /** Scorer-specific pass threshold (for example the max latency in ms for `latency`). */
  threshold?: number;
  /** Named metric this assertion's value feeds (aggregated per run and target, e.g. `accuracy`). */
  metric?: string;
  /** Model-graded scorers: the target that judges (a target label or a provider id); overrides `grader:`. */
  grader?: string;
  /** Model-graded scorers: a prompt file replacing the built-in judge prompt. */
  prompt?: string;
  /** Scorer-specific options (JSON Schema for `is-json`, `n` for `rouge-n`, `tolerance` for `numeric`…). */
  options?: Record<string, unknown>;
}

/** One test case, as loaded from the user's files. `version` is the hash of its content. */
export interface Task {
  id: string;
  version: string;
  vars: Record<string, unknown>;
  expected?: string;
  assert: AssertionSpec[];
  tags: string[];
  metadata: Record<string, unknown>;
  /** Weighted score needed to pass; when absent every assertion must pass. */
  threshold?: number;
  /** Times this task runs (overrides the suite's and the default, not `--repeat`). Not part of the version. */
  repeat?: number;
  /** Where the task was defined, for messages. */
  source: string;
}

export interface PromptTemplate {
  name: string;
  path: string;
  kind: 'text' | 'chat';
  /** Raw file content. */
  source: string;
  version: string;
  gitCommit?: string;
  /** Git tags at `gitCommit`, comma-separated, when any point at it. */
  gitTag?: string;
}

export interface PriceOverride {
  input_per_mtok: number;
  output_per_mtok: number;
}

/** A resolved target: provider + model + generation config + prompt. */
export interface Target {
  /** Unique label used in reports and on the command line. */
  name: string;
  /** Provider id as written by the user, e.g. `openai:gpt-4o-mini`. */
  providerId: string;
  config: GenerationConfig;
  prompt: PromptTemplate;
  /** Provider-specific options (base_url, api_key_env, headers…), with `${VAR}` values substituted. */
  options: Record<string, unknown>;
  /**
   * `config` and `options` as written in the config file, with `${VAR}` references instead of their
   * values; absent when nothing came from the environment. This is the form that is stored.
   */
  written?: { config: GenerationConfig; options: Record<string, unknown> };
  price?: PriceOverride;
  /** Connect / first-byte / idle limits inside `timeoutMs`. */
  timeouts?: { connectMs?: number; firstByteMs?: number; idleMs?: number };
  /** `cache`: when every call fails with server errors, answer from the cache even past its TTL. */
  degrade?: 'cache';
  /** Targets to try, in order, when this one fails with server errors or its circuit is open. */
  fallback?: string[];
  /** Client-side limits for the provider lane (they do not change answers, so not in the version). */
  rateLimit?: { rpm?: number; tpm?: number; itpm?: number; otpm?: number; concurrency?: number };
  timeoutMs: number;
  version: string;
}

export interface WorkItem {
  id: string;
  task: Task;
  target: Target;
  repeat: number;
}

export type ErrorCategory =
  | 'rate_limit'
  | 'transient'
  | 'permanent'
  | 'quota'
  | 'timeout'
  | 'scorer'
  | 'internal'
  /** Not called: the call would have crossed the run's or the day's budget. */
  | 'skipped_budget';

/** One failed call attempt of an item (successful first attempts are not listed: the result says it all). */
export interface AttemptRecord {
  /** The target called (differs from the item's after a fallback). */
  target: string;
  /** 'ok' or the error category. */
  outcome: 'ok' | ErrorCategory;
  httpStatus?: number;
  /** The call's own time: from sending the request to the end of the answer (0 when it never went). */
  latencyMs: number;
  /** Time spent before the call: waiting for the lane's admission (rate limits) and a `-j` slot. */
  waitedMs?: number;
  message?: string;
}

export interface ScoreResult {
  name: string;
  value: number;
  pass: boolean;
  reason: string;
  weight: number;
  /** The named metric this score feeds, when the assertion set one. */
  metric?: string;
  /** What the judge calls behind this score cost (model-graded scorers). */
  costUsd?: number;
}

export type ResultStatus = 'passed' | 'failed' | 'error';

export interface ItemResult {
  runId: string;
  itemId: string;
  taskId: string;
  taskVersion: string;
  targetName: string;
  targetVersion: string;
  repeat: number;
  status: ResultStatus;
  /** Rendered prompt messages as sent. */
  prompt: ChatMessage[];
  output: string | null;
  score: number;
  scores: ScoreResult[];
  latencyMs: number;
  /** Time to first token, for streamed calls. */
  ttftMs?: number;
  usage: Usage;
  costUsd: number | null;
  /** What judge calls (model-graded scorers) cost for this item, on top of `costUsd`. */
  judgeCostUsd?: number;
  /** What this item's answer originally cost when it was served from the cache: money the cache saved. */
  savedUsd?: number;
  /** Our own price of the call when the provider reported its cost (OpenRouter); compare the two. */
  computedCostUsd?: number;
  attempts: number;
  /** Every attempt, when there was more than one or any failed. */
  attemptLog?: AttemptRecord[];
  cached: boolean;
  /** An expired cache entry, served because the provider was failing (`degrade: cache`). */
  stale?: boolean;
  servedBy: string;
  error: { category: ErrorCategory; message: string } | null;
  createdAt: number;
}

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed' | 'budget_exceeded';

export interface RunFingerprint {
  configHash: string;
  datasetVersion: string;
  promptVersions: Record<string, string>;
  targetVersions: Record<string, string>;
  scorerVersions: Record<string, string>;
  /** Model-graded scorers' judges: `grader target@version + judge prompt@version`, by use. */
  judgeVersions?: Record<string, string>;
  gitCommit: string | null;
  assayVersion: string;
}

/** What a run was asked to do; stored so `--resume` plans the same items. */
export interface RunOptions {
  suite: string | null;
  filters: string[];
  targets: string[];
  repeat: number;
  /** `--repeat` was given: it overrides tasks' own `repeat:`. */
  repeatForced?: boolean;
  /** `--first N`: only the first N selected tasks, in config order. */
  first?: number;
  /** `--sample N --seed S`: N selected tasks drawn at random, reproducibly. */
  sample?: { size: number; seed: string };
}

export interface RunRecord {
  id: string;
  configPath: string;
  status: RunStatus;
  fingerprint: RunFingerprint;
  options: RunOptions;
  totalItems: number;
  startedAt: number;
  finishedAt: number | null;
  user: string | null;
}
