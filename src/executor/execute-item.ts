import type { Cache, CachedResponse } from '../cache/cache.js';
import { ProviderError } from '../errors.js';
import type { Pricer } from '../pricing/price.js';
import type { Provider, ProviderResponse } from '../providers/provider.js';
import { RetryError, type RetryPolicy, withRetry } from '../resilience/retry.js';
import type { ItemResult, ScoreResult } from '../types.js';
import type { PlannedItem } from './plan.js';

export type TaskScorer = (input: {
  output: string;
  task: PlannedItem['task'];
  prompt: PlannedItem['messages'];
  latencyMs: number;
  usage: ProviderResponse['usage'];
  costUsd: number | null;
}) => Promise<{ score: number; pass: boolean; scores: ScoreResult[] }>;

/** Everything one target needs to execute its items; built once per target. */
export interface TargetLane {
  provider: Provider;
  pricer: Pricer;
}

export interface ItemContext {
  runId: string;
  cache: Cache | null;
  /** Prepared scorers by task id. */
  scorers: Map<string, TaskScorer>;
  retry: RetryPolicy;
  /** Aborts calls in flight (second Ctrl-C). */
  hardSignal: AbortSignal;
  onRetry: (itemId: string, attempt: number, delayMs: number, error: ProviderError) => void;
}

class TimeoutReason extends Error {
  override name = 'TimeoutError';
}

/** One attempt with its own timeout, also aborted by the run's hard signal. */
async function callOnce(
  provider: Provider,
  item: PlannedItem,
  hardSignal: AbortSignal,
): Promise<ProviderResponse> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TimeoutReason(`timed out after ${item.target.timeoutMs} ms`)),
    item.target.timeoutMs,
  );
  const onHardAbort = () => controller.abort(hardSignal.reason);
  hardSignal.addEventListener('abort', onHardAbort, { once: true });
  try {
    return await provider.call({
      messages: item.messages,
      config: item.target.config,
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
    hardSignal.removeEventListener('abort', onHardAbort);
  }
}

/**
 * Runs one work item: cache, call with retries, price, score. Never throws for a provider or
 * scorer failure: those become a result with status `error`.
 */
export async function executeItem(
  item: PlannedItem,
  lane: TargetLane,
  context: ItemContext,
): Promise<{ result: ItemResult; cacheEntry?: { key: string; value: CachedResponse } }> {
  const base = {
    runId: context.runId,
    itemId: item.id,
    taskId: item.task.id,
    taskVersion: item.task.version,
    targetName: item.target.name,
    targetVersion: item.target.version,
    repeat: item.repeat,
    prompt: item.messages,
    servedBy: item.target.name,
  };
  let output: string;
  let usage: ProviderResponse['usage'];
  let latencyMs: number;
  let costUsd: number | null;
  let attempts = 0;
  let cached = false;
  let cacheEntry: { key: string; value: CachedResponse } | undefined;

  const hit = context.cache ? await context.cache.get(item.cacheKey, Date.now()) : undefined;
  if (hit) {
    ({ output, usage, latencyMs } = hit);
    costUsd = 0;
    cached = true;
  } else {
    const started = performance.now();
    try {
      const { value, attempts: used } = await withRetry(
        context.retry,
        () => callOnce(lane.provider, item, context.hardSignal),
        {
          signal: context.hardSignal,
          onRetry: (attempt, delayMs, error) => context.onRetry(item.id, attempt, delayMs, error),
        },
      );
      attempts = used;
      output = value.output;
      usage = value.usage;
      latencyMs = Math.round(performance.now() - started);
      costUsd = value.costUsd ?? lane.pricer(usage);
      cacheEntry = {
        key: item.cacheKey,
        value: {
          output,
          usage,
          costUsd,
          latencyMs,
          ...(value.model ? { model: value.model } : {}),
          createdAt: Date.now(),
        },
      };
    } catch (error) {
      const failure = error instanceof RetryError ? error.error : error;
      const category = failure instanceof ProviderError ? failure.kind : 'internal';
      return {
        result: {
          ...base,
          status: 'error',
          output: null,
          score: 0,
          scores: [],
          latencyMs: Math.round(performance.now() - started),
          usage: {},
          costUsd: null,
          attempts: error instanceof RetryError ? error.attempts : Math.max(attempts, 1),
          cached: false,
          error: { category, message: failure instanceof Error ? failure.message : String(failure) },
          createdAt: Date.now(),
        },
      };
    }
  }

  const verdict = await context.scorers.get(item.task.id)!({
    output,
    task: item.task,
    prompt: item.messages,
    latencyMs,
    usage,
    costUsd,
  });
  return {
    result: {
      ...base,
      status: verdict.pass ? 'passed' : 'failed',
      output,
      score: verdict.score,
      scores: verdict.scores,
      latencyMs,
      usage,
      costUsd,
      attempts,
      cached,
      error: null,
      createdAt: Date.now(),
    },
    ...(cacheEntry ? { cacheEntry } : {}),
  };
}
