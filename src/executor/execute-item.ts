import type { Cache, CachedResponse } from '../cache/cache.js';
import { ProviderError } from '../errors.js';
import type { Pricer } from '../pricing/price.js';
import type { Provider, ProviderResponse } from '../providers/provider.js';
import { RetryError, type RetryPolicy, withRetry } from '../resilience/retry.js';
import type { TaskScorer } from '../scorers/aggregate.js';
import type { ItemResult } from '../types.js';
import type { PlannedItem } from './plan.js';

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
  /** Calls in flight by cache key, shared by identical requests. */
  inflight: Map<string, Promise<Fresh>>;
  retry: RetryPolicy;
  /** Aborts retry waits (second Ctrl-C). */
  hardSignal: AbortSignal;
  /** Controllers of the attempts in flight; the run aborts them all on a hard stop. */
  activeCalls: Set<AbortController>;
  onRetry: (itemId: string, attempt: number, delayMs: number, error: ProviderError) => void;
}

class TimeoutReason extends Error {
  override name = 'TimeoutError';
}

/** One attempt with its own timeout. Its controller is registered so a hard stop can abort it. */
async function callOnce(
  provider: Provider,
  item: PlannedItem,
  activeCalls: Set<AbortController>,
): Promise<ProviderResponse> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TimeoutReason(`timed out after ${item.target.timeoutMs} ms`)),
    item.target.timeoutMs,
  );
  activeCalls.add(controller);
  try {
    return await provider.call({
      messages: item.messages,
      config: item.target.config,
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
    activeCalls.delete(controller);
  }
}

/** An answer to one request, however it was obtained. */
interface Answer {
  value: CachedResponse;
  attempts: number;
  /** From the cache or from an identical call in flight: costs nothing now. */
  reused: boolean;
  ttftMs?: number;
}

type Fresh = CachedResponse & { attempts: number; ttftMs?: number };

/** Splits a fresh call's outcome into the cacheable answer and what belongs to this call only. */
function fromFresh({ attempts, ttftMs, ...value }: Fresh): Answer {
  return { value, attempts, reused: false, ...(ttftMs !== undefined ? { ttftMs } : {}) };
}

async function callWithRetry(item: PlannedItem, lane: TargetLane, context: ItemContext): Promise<Fresh> {
  const started = performance.now();
  const { value, attempts } = await withRetry(
    context.retry,
    () => callOnce(lane.provider, item, context.activeCalls),
    {
      signal: context.hardSignal,
      onRetry: (attempt, delayMs, error) => context.onRetry(item.id, attempt, delayMs, error),
    },
  );
  return {
    output: value.output,
    usage: value.usage,
    costUsd: value.costUsd ?? lane.pricer(value.usage),
    latencyMs: Math.round(performance.now() - started),
    ...(value.model ? { model: value.model } : {}),
    createdAt: Date.now(),
    attempts,
    ...(value.ttftMs !== undefined ? { ttftMs: value.ttftMs } : {}),
  };
}

/**
 * Cache, then an identical call already in flight (so repeats at temperature 0 pay once), then
 * a real call. Throws RetryError when the call fails.
 */
async function obtainAnswer(item: PlannedItem, lane: TargetLane, context: ItemContext): Promise<Answer> {
  if (!context.cache) {
    return fromFresh(await callWithRetry(item, lane, context));
  }
  const hit = await context.cache.get(item.cacheKey, Date.now());
  if (hit) return { value: hit, attempts: 0, reused: true };
  const pending = context.inflight.get(item.cacheKey);
  // An identical call that fails fails for every item waiting on it: no extra calls are made.
  if (pending) return { value: fromFresh(await pending).value, attempts: 0, reused: true };
  const call = callWithRetry(item, lane, context);
  context.inflight.set(item.cacheKey, call);
  try {
    return fromFresh(await call);
  } finally {
    context.inflight.delete(item.cacheKey);
  }
}

/**
 * Runs one work item: answer, price, score. Never throws for a provider or scorer failure:
 * those become a result with status `error`.
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
  const started = performance.now();
  let answer: Answer;
  try {
    answer = await obtainAnswer(item, lane, context);
  } catch (error) {
    const failure = error instanceof RetryError ? error.error : error;
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
        attempts: error instanceof RetryError ? error.attempts : 1,
        cached: false,
        error: {
          category: failure instanceof ProviderError ? failure.kind : 'internal',
          message: failure instanceof Error ? failure.message : String(failure),
        },
        createdAt: Date.now(),
      },
    };
  }

  const { output, usage, latencyMs } = answer.value;
  const costUsd = answer.reused ? 0 : answer.value.costUsd;
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
      ...(answer.ttftMs !== undefined ? { ttftMs: answer.ttftMs } : {}),
      usage,
      costUsd,
      attempts: answer.attempts,
      cached: answer.reused,
      error: null,
      createdAt: Date.now(),
    },
    ...(answer.reused ? {} : { cacheEntry: { key: item.cacheKey, value: answer.value } }),
  };
}
