import type { Cache, CachedResponse } from '../cache/cache.js';
import { BudgetExceededError, CircuitOpenError, ProviderError } from '../errors.js';
import type { Pricer } from '../pricing/price.js';
import type { Provider, ProviderResponse, ToolCall } from '../providers/provider.js';
import { transportTimeouts } from '../providers/transport-context.js';
import type { BudgetLedger } from '../resilience/budget.js';
import { type RetryPolicy, withRetry } from '../resilience/retry.js';
import type { Semaphore } from '../resilience/semaphore.js';
import type { AttemptRecord, Target } from '../types.js';
import type { Lane } from './lanes.js';
import type { PlannedItem } from './plan.js';
import type { Scoring } from './scoring.js';

/**
 * How a work item gets its answer: the cache, an identical call of this run, or a call admitted by
 * its lane (budget, rate limits, a global slot, the breaker) with its timeout and retries. Eval
 * items and judge calls both come here; scoring and results are execute-item.ts's.
 */

/** A provider answer stored in the cache, under the key of the request it answers. */
export type CacheEntry = { key: string; value: CachedResponse };

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
  /** Each task's prepared scorers. */
  scoring: Scoring;
  /**
   * Calls of this run by cache key, in flight or answered: an identical request shares the call,
   * even when it starts after the answer came (repeats at temperature 0 with `-j 1`) and before the
   * writer put it in the cache. Failed calls are forgotten; the oldest answers go past a bound.
   */
  inflight: Map<string, Promise<Answer>>;
  retry: RetryPolicy;
  /** Global cap on calls in flight, taken only once a lane has admitted a call. */
  slots: Semaphore;
  /** Spending caps (run, day); every call must fit in all of them. */
  budgets: BudgetLedger[];
  onBudgetWarning: (budget: BudgetLedger) => void;
  /** Every target a run may call (selected ones and their fallbacks), by name. */
  lanes: Map<string, TargetLane>;
  targets: Map<string, Target>;
  onLaneStopped: (targetName: string, message: string) => void;
  onRetry: (itemId: string, attempt: number, delayMs: number, error: ProviderError) => void;
  /** Whether any task has a model-graded assertion (then items get a judge service). */
  judging: boolean;
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
 * One attempt: lane admission, then a global slot, then the call with its own timeout. Feeds the
 * outcome back to the lane (rate-limit headers, 429 back-off, quota stop).
 */
async function callOnce(
  item: PlannedItem,
  target: TargetLane,
  context: ItemContext,
  signal: AbortSignal,
  timing: CallTiming,
): Promise<ProviderResponse> {
  if (target.lane.stopped) throw target.lane.stopped;
  const tokens = estimateTokens(item);
  const projected = projectCost(item, target, tokens);
  const budget = await reserveBudget(context.budgets, projected);
  let actualCost: number | null = 0;
  try {
    const response = await admittedCall(item, target, context, tokens, signal, timing);
    actualCost = response.costUsd ?? target.pricer(response.usage);
    return response;
  } finally {
    await budget.settle(actualCost, context.onBudgetWarning);
  }
}

/** Upper bound of a call's cost: the prompt estimate in, max_tokens (or 256) out; 0 when the price is unknown. */
function projectCost(item: PlannedItem, target: TargetLane, tokens: number): number {
  const maxTokens = typeof item.target.config.max_tokens === 'number' ? item.target.config.max_tokens : 0;
  return target.pricer({ inputTokens: Math.max(0, tokens - maxTokens), outputTokens: maxTokens || 256 }) ?? 0;
}

/** Reserves a call's projected cost on every budget, or throws BudgetExceededError. */
async function reserveBudget(budgets: BudgetLedger[], projected: number) {
  const reserved: BudgetLedger[] = [];
  for (const budget of budgets) {
    if (!(await budget.tryReserve(projected))) {
      for (const held of reserved) await held.settle(projected, 0);
      throw new BudgetExceededError(
        `skipped: the call could cost up to $${projected.toPrecision(3)}, over the $${budget.capUsd} budget`,
      );
    }
    reserved.push(budget);
  }
  return {
    async settle(actual: number | null, warn: (budget: BudgetLedger) => void) {
      for (const budget of reserved) if (await budget.settle(projected, actual)) warn(budget);
    },
  };
}

/** When an attempt's call really started, after its waits for admission and a slot. */
interface CallTiming {
  callStartedAt: number;
}

/**
 * The call itself, once the budget allows it: lane admission, a global slot, the timeout. Every
 * wait ends when the item's `signal` aborts (its item_timeout, or a hard stop).
 */
async function admittedCall(
  item: PlannedItem,
  target: TargetLane,
  context: ItemContext,
  tokens: number,
  signal: AbortSignal,
  timing: CallTiming,
): Promise<ProviderResponse> {
  const { lane } = target;
  // Fast paths first: most calls are admitted at once, and awaiting costs a promise each.
  const maxTokens = item.target.config.max_tokens;
  const output = typeof maxTokens === 'number' ? maxTokens : 0;
  const admitted = lane.admission.acquire(tokens, output, signal);
  const permit = admitted instanceof Promise ? await admitted : admitted;
  let release: () => void;
  try {
    release = context.slots.tryAcquire() ?? (await context.slots.acquire(signal));
  } catch (error) {
    permit.failed(false);
    throw error;
  }
  const passes = lane.breaker.tryPass();
  if (!(passes instanceof Promise ? await passes : passes)) {
    release();
    permit.failed(false);
    throw new CircuitOpenError(item.target.name);
  }
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TimeoutReason(`timed out after ${item.target.timeoutMs} ms`)),
    item.target.timeoutMs,
  );
  const onItemAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onItemAbort, { once: true });
  timing.callStartedAt = performance.now();
  try {
    signal.throwIfAborted();
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
    if (unhealthy && !signal.aborted) lane.breaker.onFailure();
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
    signal.removeEventListener('abort', onItemAbort);
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
  signal: AbortSignal,
): Promise<Answer> {
  const started = performance.now();
  const attempt = async () => {
    const attemptStarted = performance.now();
    const timing: CallTiming = { callStartedAt: 0 };
    // An attempt's latency is its call's own; the wait for admission and a slot is kept beside it.
    const record = (outcome: AttemptRecord['outcome'], error?: ProviderError) => {
      const callStartedAt = timing.callStartedAt || performance.now();
      const waitedMs = Math.round(callStartedAt - attemptStarted);
      log.push({
        target: item.target.name,
        outcome,
        latencyMs: timing.callStartedAt ? Math.round(performance.now() - callStartedAt) : 0,
        ...(waitedMs > 0 ? { waitedMs } : {}),
        ...(error?.status !== undefined ? { httpStatus: error.status } : {}),
        ...(error ? { message: error.message } : {}),
      });
    };
    try {
      const response = await callOnce(item, lane, context, signal, timing);
      record('ok');
      return response;
    } catch (error) {
      if (error instanceof ProviderError) record(error.kind, error);
      throw error;
    }
  };
  const { value: response, attempts } = await withRetry(context.retry, attempt, {
    signal,
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
  signal: AbortSignal,
): Promise<Answer> {
  if (!context.cache) {
    return callWithRetry(item, lane, context, log, signal);
  }
  // Looked up with the item's window when the run planned it; otherwise asked now.
  const hit =
    item.prefetched !== undefined ? item.prefetched : await context.cache.get(item.cacheKey, Date.now());
  if (hit) return { value: hit, attempts: 0, reused: true };
  const pending = context.inflight.get(item.cacheKey);
  // An identical call that fails fails for every item waiting on it: no extra calls are made.
  if (pending) return { value: (await pending).value, attempts: 0, reused: true };
  const call = callWithRetry(item, lane, context, log, signal);
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
