import type {
  AttemptRecord,
  ErrorCategory,
  ItemResult,
  ResultStatus,
  RunFingerprint,
  RunRecord,
  RunStatus,
} from '../types.js';
import { costDiverges, type RunSummary } from './summary.js';

/** Bumped on any breaking change to {@link JsonReport}; additive changes keep it. */
export const JSON_REPORT_VERSION = 1;

/**
 * What `assay run --json` prints. Every key is always present (unknown values are `null`, never
 * missing), except `results`, which appears only when results were requested. `results` comes
 * before `run` and `summary`, so a run's results can be written out as they come.
 *
 * ```jsonc
 * {
 *   "schemaVersion": 1,
 *   "results": [{ "itemId", "taskId", "taskVersion", "target", "repeat", "status", "output", "score",
 *                 "scores": [{ "name", "value", "pass", "reason", "weight", "metric", "costUsd" }], "latencyMs",
 *                 "usage": { "inputTokens", "outputTokens", "cachedInputTokens", "reasoningTokens" },
 *                 "costUsd", "judgeCostUsd", "savedUsd", "attempts", "cached", "servedBy",
 *                 "error": { "category", "message" } | null }],
 *   "run": { "id", "status", "startedAt", "finishedAt", "fingerprint" },  // times are ISO 8601 (UTC) or null
 *   "summary": { "total", "passed", "failed", "errors", "passRate", "costUsd", "costUnknown",
 *                "inputTokens", "outputTokens", "cachedCount", "errorsByCategory", "byTarget": [...] }
 * }
 * ```
 */
export interface JsonReport {
  schemaVersion: typeof JSON_REPORT_VERSION;
  results?: JsonResult[];
  run: {
    id: string;
    status: RunStatus;
    startedAt: string;
    finishedAt: string | null;
    fingerprint: RunFingerprint;
  };
  summary: RunSummary;
}

/** One result in the public JSON shape. The rendered prompt is left out: it can be large and is in the store. */
export interface JsonResult {
  itemId: string;
  taskId: string;
  taskVersion: string;
  target: string;
  repeat: number;
  status: ResultStatus;
  output: string | null;
  /** Weighted score, 0..1. */
  score: number;
  scores: Array<{
    name: string;
    value: number;
    pass: boolean;
    reason: string;
    weight: number;
    /** The named metric this score feeds, else null. */
    metric: string | null;
    /** What the judge calls behind this score cost (model-graded scorers), else null. */
    costUsd: number | null;
  }>;
  latencyMs: number;
  /** Time to first token for streamed calls, else null. */
  ttftMs: number | null;
  /** `null` means the provider did not report the count; 0 is a real zero. */
  usage: {
    inputTokens: number | null;
    outputTokens: number | null;
    cachedInputTokens: number | null;
    cacheWriteInputTokens: number | null;
    reasoningTokens: number | null;
  };
  costUsd: number | null;
  /** What judge calls cost for this item (model-graded scorers); 0 when none were made. */
  judgeCostUsd: number;
  /** The original cost of an answer served from the cache (money saved); 0 otherwise. */
  savedUsd: number;
  attempts: number;
  /** Our own price when the provider reported a cost of its own (OpenRouter); else null. */
  computedCostUsd: number | null;
  /** The provider's reported cost and ours differ by more than 1 %. */
  costDivergence: boolean;
  /** Every attempt (target, outcome, HTTP status, latency, message) when one failed; else null. */
  attemptLog: AttemptRecord[] | null;
  cached: boolean;
  /** An expired cache entry served because the provider was failing. */
  stale: boolean;
  /** The target that actually answered (differs from `target` after a fallback). */
  servedBy: string;
  error: { category: ErrorCategory; message: string } | null;
}

/** Builds the `--json` report. Fields are copied one by one so internal additions never leak into it. */
export function toJsonReport(
  run: RunRecord,
  summary: RunSummary,
  results?: readonly ItemResult[],
): JsonReport {
  const report: JsonReport = {
    schemaVersion: JSON_REPORT_VERSION,
    ...(results ? { results: results.map(toJsonResult) } : {}),
    run: {
      id: run.id,
      status: run.status,
      startedAt: new Date(run.startedAt).toISOString(),
      finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
      fingerprint: {
        configHash: run.fingerprint.configHash,
        datasetVersion: run.fingerprint.datasetVersion,
        promptVersions: { ...run.fingerprint.promptVersions },
        targetVersions: { ...run.fingerprint.targetVersions },
        scorerVersions: { ...run.fingerprint.scorerVersions },
        judgeVersions: { ...run.fingerprint.judgeVersions },
        gitCommit: run.fingerprint.gitCommit,
        assayVersion: run.fingerprint.assayVersion,
      },
    },
    summary,
  };
  return report;
}

/**
 * The compact `--json` report written while the run goes: each result as it comes, then the run
 * and its summary. What it writes is `JSON.stringify(toJsonReport(run, summary, results))` to the
 * byte, without keeping the results. Pieces are gathered up to ~64 KB before each write.
 */
export class JsonReportStream {
  #buffer = `{"schemaVersion":${JSON_REPORT_VERSION},"results":[`;
  #first = true;

  constructor(private readonly write: (piece: string) => void) {}

  add(result: ItemResult): void {
    this.#buffer += (this.#first ? '' : ',') + JSON.stringify(toJsonResult(result));
    this.#first = false;
    if (this.#buffer.length >= 65_536) this.#flush();
  }

  finish(run: RunRecord, summary: RunSummary): void {
    const tail = JSON.stringify(toJsonReport(run, summary)).slice(
      `{"schemaVersion":${JSON_REPORT_VERSION},`.length,
    );
    this.#buffer += `],${tail}`;
    this.#flush();
  }

  #flush(): void {
    this.write(this.#buffer);
    this.#buffer = '';
  }
}

export function toJsonResult(result: ItemResult): JsonResult {
  return {
    itemId: result.itemId,
    taskId: result.taskId,
    taskVersion: result.taskVersion,
    target: result.targetName,
    repeat: result.repeat,
    status: result.status,
    output: result.output,
    score: result.score,
    scores: result.scores.map(({ name, value, pass, reason, weight, metric, costUsd }) => ({
      name,
      value,
      pass,
      reason,
      weight,
      metric: metric ?? null,
      costUsd: costUsd ?? null,
    })),
    latencyMs: result.latencyMs,
    ttftMs: result.ttftMs ?? null,
    usage: {
      inputTokens: result.usage.inputTokens ?? null,
      outputTokens: result.usage.outputTokens ?? null,
      cachedInputTokens: result.usage.cachedInputTokens ?? null,
      cacheWriteInputTokens: result.usage.cacheWriteInputTokens ?? null,
      reasoningTokens: result.usage.reasoningTokens ?? null,
    },
    costUsd: result.costUsd,
    judgeCostUsd: result.judgeCostUsd ?? 0,
    savedUsd: result.savedUsd ?? 0,
    attempts: result.attempts,
    attemptLog: result.attemptLog ?? null,
    computedCostUsd: result.computedCostUsd ?? null,
    costDivergence: costDiverges(result),
    cached: result.cached,
    stale: result.stale ?? false,
    servedBy: result.servedBy,
    error: result.error ? { category: result.error.category, message: result.error.message } : null,
  };
}
