import { BudgetExceededError, ProviderError } from '../errors.js';
import { RetryError } from '../resilience/retry.js';
import type { ScoreInput } from '../scorers/scorer.js';
import type { AttemptRecord, ItemResult } from '../types.js';
import { type Answer, type CacheEntry, type ItemContext, obtainAnswer, type TargetLane } from './answer.js';
import { judgeFor } from './judge.js';
import { cacheKey, type PlannedItem } from './plan.js';

/** What one executed item leaves behind: its result and the fresh answers to cache. */
export interface ExecutedItem {
  result: ItemResult;
  cacheEntries: CacheEntry[];
}

/** An answer and who gave it: the cache key it belongs under, and whether it is a stale fallback to the cache. */
type Served = Answer & { servedBy: string; key: string; stale?: boolean };

/** Server trouble (after retries) or an open circuit: the cases a fallback target is for. */
function wantsFallback(error: unknown): boolean {
  const failure = error instanceof RetryError ? error.error : error;
  return failure instanceof ProviderError && (failure.kind === 'transient' || failure.kind === 'timeout');
}

/**
 * The target's own answer, or on server trouble the first fallback target that answers. The
 * fallback gets the same rendered messages, with its own model and settings; `servedBy` says who.
 */
async function answerWithFallback(
  item: PlannedItem,
  lane: TargetLane,
  context: ItemContext,
  log: AttemptRecord[],
  signal: AbortSignal,
): Promise<Served> {
  try {
    // obtainAnswer returns a fresh object each time: completing it costs less than a spread copy.
    const served = (await obtainAnswer(item, lane, context, log, signal)) as Served;
    served.servedBy = item.target.name;
    served.key = item.cacheKey;
    return served;
  } catch (error) {
    if (!wantsFallback(error) || !item.target.fallback?.length || signal.aborted) throw error;
    let last = error;
    let attempts = error instanceof RetryError ? error.attempts : 1;
    for (const name of item.target.fallback) {
      const fallbackLane = context.lanes.get(name)!;
      const target = context.targets.get(name)!;
      const fallbackItem: PlannedItem = {
        id: item.id,
        task: item.task,
        target,
        repeat: item.repeat,
        messages: item.messages,
        cacheKey: cacheKey(fallbackLane.provider, target, item.messages, item.repeat),
      };
      try {
        const answer = await obtainAnswer(fallbackItem, fallbackLane, context, log, signal);
        // Cached under the fallback's own key: it must never pass for the primary's answer later.
        return {
          ...answer,
          attempts: attempts + answer.attempts,
          servedBy: name,
          key: fallbackItem.cacheKey,
        };
      } catch (fallbackError) {
        attempts += fallbackError instanceof RetryError ? fallbackError.attempts : 1;
        last = fallbackError;
        if (!wantsFallback(fallbackError) || signal.aborted) break;
      }
    }
    throw last instanceof RetryError ? new RetryError(last.error, attempts) : last;
  }
}

/** An attempt log is only worth storing when something went wrong on the way. */
function worthLogging(log: AttemptRecord[]): boolean {
  return log.length > 1 || log.some((entry) => entry.outcome !== 'ok');
}

/**
 * The item's time ran out (`defaults.item_timeout`): its waits, calls, retries and judges all end.
 * A reason of its own, so the result says which limit was reached whatever was cut.
 */
export class ItemTimeout extends Error {
  override name = 'TimeoutError';
}

/**
 * Runs one work item: answer, price, score. Never throws for a provider or scorer failure:
 * those become a result with status `error`. `signal` ends every wait and call of the item: its
 * item_timeout (an `ItemTimeout` reason) or a hard stop.
 */
export async function executeItem(
  item: PlannedItem,
  lane: TargetLane,
  context: ItemContext,
  signal: AbortSignal,
): Promise<ExecutedItem> {
  const cacheEntries: CacheEntry[] = [];
  const started = performance.now();
  let answer: Served;
  const log: AttemptRecord[] = [];
  try {
    answer = await answerWithFallback(item, lane, context, log, signal);
  } catch (error) {
    // Degrade: an expired answer beats none while the provider is down (marked stale).
    const stale =
      item.target.degrade === 'cache' && context.cache && wantsFallback(error)
        ? await context.cache.get(item.cacheKey, 0)
        : undefined;
    if (!stale) return errorResult(error);
    const attempts = error instanceof RetryError ? error.attempts : 1;
    answer = {
      value: stale,
      attempts,
      reused: true,
      servedBy: item.target.name,
      key: item.cacheKey,
      stale: true,
    };
  }
  return scoredResult(answer);

  function errorResult(error: unknown): ExecutedItem {
    let failure = error instanceof RetryError ? error.error : error;
    if (signal.reason instanceof ItemTimeout) {
      const cut = failure instanceof Error && failure !== signal.reason ? `: ${failure.message}` : '';
      failure = new ProviderError('timeout', `${signal.reason.message}${cut}`, { cause: failure });
    }
    const result: ItemResult = {
      runId: context.runId,
      itemId: item.id,
      taskId: item.task.id,
      taskVersion: item.task.version,
      targetName: item.target.name,
      targetVersion: item.target.version,
      repeat: item.repeat,
      prompt: item.messages,
      servedBy: item.target.name,
      status: 'error',
      output: null,
      score: 0,
      scores: [],
      latencyMs: Math.round(performance.now() - started),
      usage: {},
      costUsd: null,
      attempts: error instanceof RetryError ? error.attempts : error instanceof BudgetExceededError ? 0 : 1,
      cached: false,
      error: {
        category:
          failure instanceof BudgetExceededError
            ? 'skipped_budget'
            : failure instanceof ProviderError
              ? failure.kind
              : 'internal',
        message: failure instanceof Error ? failure.message : String(failure),
      },
      createdAt: Date.now(),
    };
    if (worthLogging(log)) result.attemptLog = log;
    return { cacheEntries, result };
  }

  async function scoredResult(answer: Served): Promise<ExecutedItem> {
    const { output, usage, latencyMs } = answer.value;
    const costUsd = answer.reused ? 0 : answer.value.costUsd;
    // The answer goes to the cache first, then any judge answers scoring it.
    if (!answer.reused) cacheEntries.push({ key: answer.key, value: answer.value });
    // Objects built field by field, not by spreading: this runs once per item, and spread-built
    // objects are slower to make and to read later (profiled: docs/benchmarks.md).
    const input: ScoreInput = {
      output,
      task: item.task,
      prompt: item.messages,
      latencyMs,
      usage,
      costUsd,
      config: item.target.config,
    };
    if (answer.toolCalls) input.toolCalls = answer.toolCalls;
    if (context.judging) input.judge = judgeFor(item, context, cacheEntries, signal);
    const verdict = await context.scoring.for(item.task)(input);
    // A hard stop ended a check mid-way: no verdict, so the item is left for --resume.
    if (verdict.interrupted) return errorResult(new Error('the run was stopped while scoring this item'));
    let judgeCostUsd: number | undefined;
    for (const score of verdict.scores) {
      if (score.costUsd !== undefined) judgeCostUsd = (judgeCostUsd ?? 0) + score.costUsd;
    }
    const result: ItemResult = {
      runId: context.runId,
      itemId: item.id,
      taskId: item.task.id,
      taskVersion: item.task.version,
      targetName: item.target.name,
      targetVersion: item.target.version,
      repeat: item.repeat,
      prompt: item.messages,
      status: verdict.pass ? 'passed' : 'failed',
      output,
      score: verdict.score,
      scores: verdict.scores,
      latencyMs,
      usage,
      costUsd,
      attempts: answer.attempts,
      cached: answer.reused,
      servedBy: answer.servedBy,
      error: null,
      createdAt: Date.now(),
    };
    if (answer.ttftMs !== undefined) result.ttftMs = answer.ttftMs;
    if (answer.computedCostUsd !== undefined && !answer.reused)
      result.computedCostUsd = answer.computedCostUsd;
    if (worthLogging(log)) result.attemptLog = log;
    if (answer.stale) result.stale = true;
    if (judgeCostUsd !== undefined) result.judgeCostUsd = judgeCostUsd;
    if (answer.reused && answer.value.costUsd !== null) result.savedUsd = answer.value.costUsd;
    return { cacheEntries, result };
  }
}
