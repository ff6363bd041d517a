/** Conversions between domain objects and table rows, shared by every SQL store. */
import type {
  ErrorCategory,
  ItemResult,
  PromptTemplate,
  ResultStatus,
  RunFingerprint,
  RunOptions,
  RunRecord,
  RunStatus,
  ScoreResult,
  Target,
  Task,
  Usage,
} from '../types.js';
import type {
  PromptVersionsTable,
  ResultsTable,
  RunsTable,
  ScoresTable,
  TargetVersionsTable,
  TaskVersionsTable,
} from './schema.js';

export function toTaskVersionRow(task: Task, createdAt: number): TaskVersionsTable {
  const { id, version, ...content } = task;
  return { task_id: id, version, content_json: JSON.stringify(content), created_at: createdAt };
}

/** Rebuilds a task version; rows written before a field existed get its empty default. */
export function fromTaskVersionRow(
  row: Pick<TaskVersionsTable, 'task_id' | 'version' | 'content_json'>,
): Task {
  const content = JSON.parse(row.content_json) as Partial<Task>;
  return {
    vars: {},
    assert: [],
    tags: [],
    metadata: {},
    source: '',
    ...content,
    id: row.task_id,
    version: row.version,
  };
}

export function toPromptVersionRow(prompt: PromptTemplate, createdAt: number): PromptVersionsTable {
  return {
    name: prompt.name,
    version: prompt.version,
    path: prompt.path,
    kind: prompt.kind,
    source: prompt.source,
    git_commit: prompt.gitCommit ?? null,
    git_tag: prompt.gitTag ?? null,
    created_at: createdAt,
  };
}

export function fromPromptVersionRow(row: PromptVersionsTable): PromptTemplate {
  return {
    name: row.name,
    path: row.path,
    kind: row.kind,
    source: row.source,
    version: row.version,
    ...(row.git_commit !== null ? { gitCommit: row.git_commit } : {}),
    ...(row.git_tag !== null && row.git_tag !== undefined ? { gitTag: row.git_tag } : {}),
  };
}

/** A target as stored: its config as written (environment references, never their values). */
export function toTargetVersionRow(target: Target, createdAt: number): TargetVersionsTable {
  const { config, options } = target.written ?? target;
  const { price, timeoutMs } = target;
  return {
    name: target.name,
    version: target.version,
    provider_id: target.providerId,
    config_json: JSON.stringify({ config, options, price, timeoutMs }),
    prompt_name: target.prompt.name,
    prompt_version: target.prompt.version,
    created_at: createdAt,
  };
}

export function toRunRow(run: RunRecord): RunsTable {
  return {
    id: run.id,
    config_path: run.configPath,
    status: run.status,
    fingerprint_json: JSON.stringify(run.fingerprint),
    options_json: JSON.stringify(run.options),
    total_items: run.totalItems,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    user: run.user,
  };
}

export function fromRunRow(row: RunsTable): RunRecord {
  return {
    id: row.id,
    configPath: row.config_path,
    status: row.status as RunStatus,
    fingerprint: JSON.parse(row.fingerprint_json) as RunFingerprint,
    options: JSON.parse(row.options_json) as RunOptions,
    totalItems: row.total_items,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    user: row.user,
  };
}

export function toResultRow(result: ItemResult): ResultsTable {
  const { usage, error } = result;
  return {
    run_id: result.runId,
    item_id: result.itemId,
    task_id: result.taskId,
    task_version: result.taskVersion,
    target_name: result.targetName,
    target_version: result.targetVersion,
    repeat_index: result.repeat,
    status: result.status,
    prompt_json: JSON.stringify(result.prompt),
    output: result.output,
    score: result.score,
    latency_ms: result.latencyMs,
    input_tokens: usage.inputTokens ?? null,
    output_tokens: usage.outputTokens ?? null,
    cached_input_tokens: usage.cachedInputTokens ?? null,
    cache_write_input_tokens: usage.cacheWriteInputTokens ?? null,
    ttft_ms: result.ttftMs ?? null,
    stale: result.stale ? 1 : 0,
    attempts_json: result.attemptLog ? JSON.stringify(result.attemptLog) : null,
    computed_cost_usd: result.computedCostUsd ?? null,
    reasoning_tokens: usage.reasoningTokens ?? null,
    usage_raw_json: usage.raw === undefined ? null : JSON.stringify(usage.raw),
    cost_usd: result.costUsd,
    judge_cost_usd: result.judgeCostUsd ?? null,
    saved_usd: result.savedUsd ?? null,
    attempts: result.attempts,
    cached: result.cached ? 1 : 0,
    served_by: result.servedBy,
    error_category: error?.category ?? null,
    error_message: error?.message ?? null,
    created_at: result.createdAt,
  };
}

export function fromResultRow(row: ResultsTable, scores: ScoreResult[]): ItemResult {
  const usage: Usage = {};
  // Absent rather than undefined, so "not reported" round-trips exactly.
  if (row.input_tokens !== null) usage.inputTokens = row.input_tokens;
  if (row.output_tokens !== null) usage.outputTokens = row.output_tokens;
  if (row.cached_input_tokens !== null) usage.cachedInputTokens = row.cached_input_tokens;
  if (row.cache_write_input_tokens !== null) usage.cacheWriteInputTokens = row.cache_write_input_tokens;
  if (row.reasoning_tokens !== null) usage.reasoningTokens = row.reasoning_tokens;
  if (row.usage_raw_json !== null) usage.raw = JSON.parse(row.usage_raw_json);
  return {
    runId: row.run_id,
    itemId: row.item_id,
    taskId: row.task_id,
    taskVersion: row.task_version,
    targetName: row.target_name,
    targetVersion: row.target_version,
    repeat: row.repeat_index,
    status: row.status as ResultStatus,
    prompt: JSON.parse(row.prompt_json) as ItemResult['prompt'],
    output: row.output,
    score: row.score,
    scores,
    latencyMs: row.latency_ms,
    ...(row.ttft_ms !== null ? { ttftMs: row.ttft_ms } : {}),
    usage,
    costUsd: row.cost_usd,
    ...(row.judge_cost_usd !== null ? { judgeCostUsd: row.judge_cost_usd } : {}),
    ...(row.saved_usd !== null ? { savedUsd: row.saved_usd } : {}),
    attempts: row.attempts,
    cached: row.cached !== 0,
    ...(row.stale ? { stale: true } : {}),
    ...(row.computed_cost_usd !== null ? { computedCostUsd: row.computed_cost_usd } : {}),
    ...(row.attempts_json ? { attemptLog: JSON.parse(row.attempts_json) as ItemResult['attemptLog'] } : {}),
    servedBy: row.served_by,
    error:
      row.error_category === null
        ? null
        : { category: row.error_category as ErrorCategory, message: row.error_message ?? '' },
    createdAt: row.created_at,
  };
}

export function toScoreRows(result: ItemResult): ScoresTable[] {
  return result.scores.map((score, ordinal) => ({
    run_id: result.runId,
    item_id: result.itemId,
    name: score.name,
    ordinal,
    value: score.value,
    pass: score.pass ? 1 : 0,
    reason: score.reason,
    weight: score.weight,
    metric: score.metric ?? null,
    cost_usd: score.costUsd ?? null,
  }));
}

export function fromScoreRow(
  row: Pick<ScoresTable, 'name' | 'value' | 'pass' | 'reason' | 'weight' | 'metric' | 'cost_usd'>,
): ScoreResult {
  const score: ScoreResult = {
    name: row.name,
    value: row.value,
    pass: row.pass !== 0,
    reason: row.reason,
    weight: row.weight,
  };
  if (row.metric !== null) score.metric = row.metric;
  if (row.cost_usd !== null) score.costUsd = row.cost_usd;
  return score;
}
