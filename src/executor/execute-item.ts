import type { Cache, CachedResponse } from '../cache/cache.js';
import { BudgetExceededError, CircuitOpenError, ProviderError } from '../errors.js';
import type { Pricer } from '../pricing/price.js';
import type { Provider, ProviderResponse, ToolCall } from '../providers/provider.js';
import { transportTimeouts } from '../providers/transport-context.js';
import type { Budget } from '../resilience/budget.js';
import type { Permit } from '../resilience/rate-limiter.js';
import { RetryError, type RetryPolicy, withRetry } from '../resilience/retry.js';
import { type Semaphore, sleep } from '../resilience/semaphore.js';
import type { TaskScorer } from '../scorers/aggregate.js';
import type { ScoreInput } from '../scorers/scorer.js';
import type { AttemptRecord, ItemResult, Target } from '../types.js';
import { giveBackController, takeController } from './controllers.js';
import { type CacheEntry, judgeFor } from './judge.js';
import type { Lane } from './lanes.js';
import { cacheKey, type PlannedItem } from './plan.js';

/** Everything one target needs to execute its items; built once per target. */
export interface TargetLane {
  provider: Provider;
  pricer: Pricer;
  /** The provider lane this target's calls go through (shared with targets on the same model). */
  lane: Lane;
}

export interface ItemContext {
  runId: string;
  cache: Cache | null;
  /** Prepared scorers by task id. */
  scorers: Map<string, TaskScorer>;
  /**
   * Calls of this run by cache key, in flight or answered: an identical request shares the call,
   * even when it starts after the answer came (repeats at temperature 0 with `-j 1`) and before the
   * writer put it in the cache. Failed calls are forgotten; the oldest answers go past a bound.
   */
  inflight: Map<string, Promise<Answer>>;
  retry: RetryPolicy;
  /** Aborts retry waits (second Ctrl-C). */
  hardSignal: AbortSignal;
  /** Controllers of the attempts in flight; the run aborts them all on a hard stop. */
  activeCalls: Set<AbortController>;
  /** Global cap on calls in flight, taken only once a lane has admitted a call. */
  slots: Semaphore;
  /** Spending caps (run, day); every call must fit in all of them. */
  budgets: Budget[];
  onBudgetWarning: (budget: Budget) => void;
  /** Every target a run may call (selected ones and their fallbacks), by name. */
  lanes: Map<string, TargetLane>;
  targets: Map<string, Target>;
  onLaneStopped: (targetName: string, message: string) => void;
  onRetry: (itemId: string, attempt: number, delayMs: number, error: ProviderError) => void;
  /** Whether any task has a model-graded assertion (then items get a judge service). */
  judging: boolean;
}

/** What one executed item leaves behind: its result and the fresh answers to cache. */
export interface ExecutedItem {
  result: ItemResult;
  cacheEntries: CacheEntry[];
}

class TimeoutReason extends Error {
  override name = 'TimeoutError';
}

/** Tokens a call may use, reserved in the lane's TPM bucket before it starts. */
function estimateTokens(item: PlannedItem): number {
  let chars = 0;
  for (const message of item.messages) chars += message.content.length;
  const maxTokens = item.target.config.max_tokens;
  return Math.ceil(chars / 4) + (typeof maxTokens === 'number' ? maxTokens : 0);
}

/**
 * Waits until the lane's limiter admits a call. Only this lane waits: no global slot is held.
 * Waiters queue per lane, so one timer at a time runs instead of every worker waking together.
 */
async function admit(lane: Lane, tokens: number, output: number, signal: AbortSignal): Promise<Permit> {
  const previous = lane.admission;
  let done!: () => void;
  lane.admission = new Promise<void>((resolve) => {
    done = resolve;
  });
  try {
    await previous;
    for (;;) {
      if (lane.stopped) throw lane.stopped;
      const permit = lane.limiter.tryAcquire(tokens, output);
      if (!('waitMs' in permit)) return permit;
      await sleep(permit.waitMs, signal);
    }
  } finally {
    done();
  }
}

/**
 * One attempt: lane admission, then a global slot, then the call with its own timeout. Feeds the
 * outcome back to the lane (rate-limit headers, 429 back-off, quota stop).
 */
async function callOnce(
  item: PlannedItem,
  target: TargetLane,
  context: ItemContext,
): Promise<ProviderResponse> {
  if (target.lane.stopped) throw target.lane.stopped;
  const tokens = estimateTokens(item);
  const projected = projectCost(item, target, tokens);
  const budget = reserveBudget(context.budgets, projected);
  let actualCost: number | null = 0;
  try {
    const response = await admittedCall(item, target, context, tokens);
    actualCost = response.costUsd ?? target.pricer(response.usage);
    return response;
  } finally {
    budget.settle(actualCost, context.onBudgetWarning);
  }
}

/** Upper bound of a call's cost: the prompt estimate in, max_tokens (or 256) out; 0 when the price is unknown. */
function projectCost(item: PlannedItem, target: TargetLane, tokens: number): number {
  const maxTokens = typeof item.target.config.max_tokens === 'number' ? item.target.config.max_tokens : 0;
  return target.pricer({ inputTokens: Math.max(0, tokens - maxTokens), outputTokens: maxTokens || 256 }) ?? 0;
}

/** Reserves a call's projected cost on every budget, or throws BudgetExceededError. */
function reserveBudget(budgets: Budget[], projected: number) {
  const reserved: Budget[] = [];
  for (const budget of budgets) {
    if (!budget.tryReserve(projected)) {
      for (const held of reserved) held.settle(projected, 0);
      throw new BudgetExceededError(
        `skipped: the call could cost up to $${projected.toPrecision(3)}, over the $${budget.capUsd} budget`,
      );
    }
    reserved.push(budget);
  }
  return {
    settle(actual: number | null, warn: (budget: Budget) => void) {
      for (const budget of reserved) if (budget.settle(projected, actual)) warn(budget);
    },
  };
}

/** The call itself, once the budget allows it: lane admission, a global slot, the timeout. */
async function admittedCall(
  item: PlannedItem,
  target: TargetLane,
  context: ItemContext,
  tokens: number,
): Promise<ProviderResponse> {
  const { lane } = target;
  // Fast paths first: most calls are admitted at once, and awaiting costs a promise each.
  const maxTokens = item.target.config.max_tokens;
  const output = typeof maxTokens === 'number' ? maxTokens : 0;
  const immediate = lane.limiter.tryAcquire(tokens, output);
  const permit = 'waitMs' in immediate ? await admit(lane, tokens, output, context.hardSignal) : immediate;
  const release = context.slots.tryAcquire() ?? (await context.slots.acquire());
  if (!lane.breaker.tryPass()) {
    release();
    permit.failed(false);
    throw new CircuitOpenError(item.target.name);
  }
  const controller = takeController();
  const timer = setTimeout(
    () => controller.abort(new TimeoutReason(`timed out after ${item.target.timeoutMs} ms`)),
    item.target.timeoutMs,
  );
  context.activeCalls.add(controller);
  try {
    const call = () =>
      item.invoke
        ? item.invoke(target.provider, controller.signal)
        : target.provider.call({
            messages: item.messages,
            config: item.target.config,
            signal: controller.signal,
          });
    const response = await (item.target.timeouts
      ? transportTimeouts.run(item.target.timeouts, call)
      : call());
    const used = response.usage;
    permit.succeeded(
      response.rateLimit,
      used.inputTokens !== undefined && used.outputTokens !== undefined
        ? used.inputTokens + used.outputTokens
        : undefined,
      used.outputTokens,
    );
    lane.breaker.onSuccess();
    return response;
  } catch (error) {
    if (error instanceof ProviderError && error.kind === 'rate_limit') {
      permit.refused(error.retryAfterMs, error.rateLimit);
    } else permit.failed(true);
    // Only server-side trouble says something about the provider's health; a 4xx or 429 does not.
    const unhealthy =
      error instanceof ProviderError && (error.kind === 'transient' || error.kind === 'timeout');
    if (unhealthy && !context.hardSignal.aborted) lane.breaker.onFailure();
    else lane.breaker.onNeutral();
    if (error instanceof ProviderError) {
      if (error.kind === 'quota' && !lane.stopped) {
        lane.stopped = new ProviderError('quota', `lane stopped after a quota error: ${error.message}`, {
          cause: error,
        });
        context.onLaneStopped(item.target.name, error.message);
      }
    }
    throw error;
  } finally {
    clearTimeout(timer);
    context.activeCalls.delete(controller);
    giveBackController(controller);
    release();
  }
}

/** An answer to one request, however it was obtained. */
export interface Answer {
  value: CachedResponse;
  attempts: number;
  /** From the cache or from an identical call in flight: costs nothing now. */
  reused: boolean;
  ttftMs?: number;
  /** Our own price of the call, when the provider reported a cost of its own. */
  computedCostUsd?: number;
  /** Tool calls of a fresh answer (a cached answer keeps them only inside its output). */
  toolCalls?: ToolCall[];
}

async function callWithRetry(
  item: PlannedItem,
  lane: TargetLane,
  context: ItemContext,
  log: AttemptRecord[],
): Promise<Answer> {
  const started = performance.now();
  const attempt = async () => {
    const attemptStarted = performance.now();
    const record = (outcome: AttemptRecord['outcome'], error?: ProviderError) =>
      log.push({
        target: item.target.name,
        outcome,
        latencyMs: Math.round(performance.now() - attemptStarted),
        ...(error?.status !== undefined ? { httpStatus: error.status } : {}),
        ...(error ? { message: error.message } : {}),
      });
    try {
      const response = await callOnce(item, lane, context);
      record('ok');
      return response;
    } catch (error) {
      if (error instanceof ProviderError) record(error.kind, error);
      throw error;
    }
  };
  const { value: response, attempts } = await withRetry(context.retry, attempt, {
    signal: context.hardSignal,
    admitted: true,
    onRetry: (attempt, delayMs, error) => context.onRetry(item.id, attempt, delayMs, error),
  });
  // Built field by field (once per call): the cacheable answer, and what belongs to this call only.
  const value: CachedResponse = {
    output: response.output,
    usage: response.usage,
    costUsd: response.costUsd ?? lane.pricer(response.usage),
    latencyMs: Math.round(performance.now() - started),
    createdAt: Date.now(),
  };
  if (response.model) value.model = response.model;
  const answer: Answer = { value, attempts, reused: false };
  // When the provider reports its own cost (OpenRouter), keep ours beside it to catch divergence.
  if (response.costUsd !== undefined) {
    const computed = lane.pricer(response.usage);
    if (computed !== null) answer.computedCostUsd = computed;
  }
  if (response.ttftMs !== undefined) answer.ttftMs = response.ttftMs;
  if (response.toolCalls?.length) answer.toolCalls = response.toolCalls;
  return answer;
}

/**
 * Cache, then an identical call already in flight (so repeats at temperature 0 pay once), then
 * a real call. Throws RetryError when the call fails.
 */
export async function obtainAnswer(
  item: PlannedItem,
  lane: TargetLane,
  context: ItemContext,
  log: AttemptRecord[],
): Promise<Answer> {
  if (!context.cache) {
    return callWithRetry(item, lane, context, log);
  }
  // Looked up with the item's window when the run planned it; otherwise asked now.
  const hit =
    item.prefetched !== undefined ? item.prefetched : await context.cache.get(item.cacheKey, Date.now());
  if (hit) return { value: hit, attempts: 0, reused: true };
  const pending = context.inflight.get(item.cacheKey);
  // An identical call that fails fails for every item waiting on it: no extra calls are made.
  if (pending) return { value: (await pending).value, attempts: 0, reused: true };
  const call = callWithRetry(item, lane, context, log);
  const shared = context.inflight;
  shared.set(item.cacheKey, call);
  if (shared.size > SHARED_ANSWERS) shared.delete(shared.keys().next().value!);
  try {
    return await call;
  } catch (error) {
    if (shared.get(item.cacheKey) === call) shared.delete(item.cacheKey);
    throw error;
  }
}

/** Answers of a run kept for identical requests that come later (a few megabytes at most). */
const SHARED_ANSWERS = 5_000;

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
): Promise<Served> {
  try {
    // obtainAnswer returns a fresh object each time: completing it costs less than a spread copy.
    const served = (await obtainAnswer(item, lane, context, log)) as Served;
    served.servedBy = item.target.name;
    served.key = item.cacheKey;
    return served;
  } catch (error) {
    if (!wantsFallback(error) || !item.target.fallback?.length) throw error;
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
        const answer = await obtainAnswer(fallbackItem, fallbackLane, context, log);
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
        if (!wantsFallback(fallbackError)) break;
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
 * Runs one work item: answer, price, score. Never throws for a provider or scorer failure:
 * those become a result with status `error`.
 */
export async function executeItem(
  item: PlannedItem,
  lane: TargetLane,
  context: ItemContext,
): Promise<ExecutedItem> {
  const cacheEntries: CacheEntry[] = [];
  const started = performance.now();
  let answer: Served;
  const log: AttemptRecord[] = [];
  try {
    answer = await answerWithFallback(item, lane, context, log);
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
    const failure = error instanceof RetryError ? error.error : error;
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
    if (context.judging) input.judge = judgeFor(item, context, cacheEntries);
    const verdict = await context.scorers.get(item.task.id)!(input);
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
