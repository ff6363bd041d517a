import type { Cache } from '../cache/cache.js';
import { RunStoppedError } from '../errors.js';
import { Budget } from '../resilience/budget.js';
import { retryPolicy } from '../resilience/retry.js';
import { Semaphore } from '../resilience/semaphore.js';
import type { Store } from '../store/store.js';
import type { RunRecord, RunStatus } from '../types.js';
import type { Redactor } from '../util/redactor.js';
import type { EventSink } from './events.js';
import { executeItem, type ItemContext, type TargetLane } from './execute-item.js';
import type { Lane } from './lanes.js';
import type { Materialized } from './materialize.js';
import { cacheKey, type PlannedItem } from './plan.js';
import { runPool } from './pool.js';
import type { RunPlan } from './run-plan.js';
import { ResultWriter } from './writer.js';

export interface ExecuteRequest {
  plan: RunPlan;
  /** The run the results belong to, already stored (status `running`). */
  run: RunRecord;
  store: Store;
  /** null with --no-cache. */
  cache: Cache | null;
  /** The plan's providers, lanes and scorers in this process (`materialize`). */
  materialized: Materialized;
  events: EventSink;
  /** Applied to every result and cache entry before it is stored or emitted. */
  redactor: Redactor;
  concurrency: number;
  /**
   * Which items to execute: every item without a result (a new run, a resume), or exactly these
   * (a retry), whose new results replace the stored ones as they are written.
   */
  only?: ReadonlySet<string>;
  /** Graceful stop: take no new items, let calls in flight finish. */
  stopSignal: AbortSignal;
  /** Hard stop: abort calls in flight (their items stay unrecorded and run again on resume). */
  hardSignal: AbortSignal;
}

export interface RunOutcome {
  run: RunRecord;
  status: RunStatus;
  /** Items executed by this invocation (not counting those done before a resume). */
  executed: number;
}

/** Runs with at most this many pending items look their cache entries up in one go. */
const PREFETCH_LIMIT = 50_000;

/** The run's budgets: its own cap (minus what it already spent) and the day's. */
async function makeBudgets(request: ExecuteRequest): Promise<Budget[]> {
  const { runUsd, dailyUsd } = request.plan.settings.budget;
  const budgets: Budget[] = [];
  if (runUsd !== undefined) {
    const spent = (await request.store.runStats(request.run.id)).costUsd;
    budgets.push(new Budget({ capUsd: runUsd, spentUsd: spent }));
  }
  if (dailyUsd !== undefined) {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    budgets.push(
      new Budget({ capUsd: dailyUsd, spentUsd: await request.store.spentSince(midnight.getTime()) }),
    );
  }
  return budgets;
}

/** The most the pending calls could cost (cache hits cost nothing, so this is an upper bound); null if a price is unknown. */
function projectRunCost(items: PlannedItem[], lanes: Map<string, TargetLane>): number | null {
  let total = 0;
  for (const item of items) {
    let chars = 0;
    for (const message of item.messages) chars += message.content.length;
    const maxTokens = typeof item.target.config.max_tokens === 'number' ? item.target.config.max_tokens : 256;
    const cost = lanes
      .get(item.target.name)!
      .pricer({ inputTokens: Math.ceil(chars / 4), outputTokens: maxTokens });
    if (cost === null) return null;
    total += cost;
  }
  return total;
}

/**
 * Executes a plan's items into a stored run: cache, admission, call, score, batched writes, events.
 * Knows no project files, renderer or database: everything comes through the request.
 */
export async function executePlan(request: ExecuteRequest): Promise<RunOutcome> {
  const { plan, store, redactor, events } = request;
  let { run } = request;
  const { lanes, scorers, targets, judging } = request.materialized;

  const budgets = await makeBudgets(request);
  const done = request.only ? null : await store.completedItemIds(run.id);
  const pending: PlannedItem[] = [];
  for (const item of plan.items()) {
    if (request.only ? !request.only.has(item.id) : done!.has(item.id)) continue;
    const planned = item as PlannedItem;
    planned.cacheKey = cacheKey(
      lanes.get(item.target.name)!.provider,
      item.target,
      item.messages,
      item.repeat,
    );
    pending.push(planned);
  }
  const alreadyDone = plan.totalItems - pending.length;
  // One bulk lookup instead of one query per item; bounded so a huge run does not hold every answer.
  let prefetched: ItemContext['prefetched'];
  if (request.cache && pending.length > 0 && pending.length <= PREFETCH_LIMIT) {
    const keys = pending.map((item) => item.cacheKey);
    prefetched = { keys: new Set(keys), found: await request.cache.getMany(keys, Date.now()) };
  }
  const started = performance.now();
  events.emit('run-start', {
    run,
    total: plan.totalItems,
    skipped: alreadyDone,
    tasks: plan.tasks.length,
    projectedCostUsd: projectRunCost(pending, lanes),
    budgetUsd: budgets.length ? Math.min(...budgets.map((budget) => budget.capUsd - budget.spentUsd)) : null,
  });

  const writer = new ResultWriter(store, request.cache, {
    // Each transaction rewrites every index page it touches, and hashed item ids touch most of
    // them: fewer, larger transactions write far less (docs/benchmarks.md). At most 200 ms of
    // results wait in memory.
    batchSize: 1000,
    flushIntervalMs: 200,
    cacheTtlMs: plan.settings.cacheTtlMs,
    replace: request.only !== undefined,
  });
  const context: ItemContext = {
    runId: run.id,
    cache: request.cache,
    scorers,
    inflight: new Map(),
    activeCalls: new Set<AbortController>(),
    retry: retryPolicy({ maxRetries: plan.settings.retries, maxElapsedMs: plan.settings.itemTimeoutMs }),
    hardSignal: request.hardSignal,
    slots: new Semaphore(request.concurrency),
    budgets,
    onBudgetWarning: (budget: Budget) =>
      events.emit('budget-warning', { runId: run.id, capUsd: budget.capUsd, spentUsd: budget.spentUsd }),
    lanes,
    targets,
    judging,
    ...(prefetched ? { prefetched } : {}),
    onLaneStopped: (target: string, message: string) =>
      events.emit('lane-stopped', { runId: run.id, target, message: redactor.text(message) }),
    onRetry: (itemId: string, attempt: number, delayMs: number, error: Error) =>
      events.emit('retry-scheduled', {
        runId: run.id,
        itemId,
        attempt,
        delayMs,
        reason: redactor.text(error.message),
      }),
  };

  const abortActive = () => {
    for (const controller of context.activeCalls) controller.abort(request.hardSignal.reason);
  };
  request.hardSignal.addEventListener('abort', abortActive, { once: true });

  let completed = alreadyDone;
  let executed = 0;
  const stop = AbortSignal.any([request.stopSignal, request.hardSignal]);
  const work = async (item: PlannedItem) => {
    if (writer.failure) return;
    const outcome = await executeItem(item, lanes.get(item.target.name)!, context);
    // An item cut short by a hard stop is not a real outcome: leave it for the resume.
    if (request.hardSignal.aborted && outcome.result.status === 'error') return;
    // A server may echo a key or header back in an answer or an error: nothing stored, cached or
    // shown keeps it.
    const result = redactor.value(outcome.result);
    writer.add(result, redactor.value(outcome.cacheEntries));
    executed++;
    completed++;
    events.emit('item-end', { result, done: completed, total: plan.totalItems });
  };
  // One pool per provider lane: a lane waiting on its rate limit or a retry-after only holds its
  // own workers; calls take a global slot (context.slots) only once admitted.
  const byLane = new Map<Lane, PlannedItem[]>();
  for (const item of pending) {
    const lane = lanes.get(item.target.name)!.lane;
    const list = byLane.get(lane);
    if (list) list.push(item);
    else byLane.set(lane, [item]);
  }
  await Promise.all([...byLane].map(([lane, laneItems]) => runPool(laneItems, lane.concurrency, stop, work)));

  request.hardSignal.removeEventListener('abort', abortActive);
  const overBudget = budgets.some((budget) => budget.exhausted);
  const status: RunStatus =
    completed < plan.totalItems ? 'interrupted' : overBudget ? 'budget_exceeded' : 'completed';
  try {
    await writer.flush();
  } catch (error) {
    // Nothing committed is lost, so the run can be finished later (when the store can still say so).
    await store.finishRun(run.id, 'interrupted', Date.now()).catch(() => {});
    throw new RunStoppedError(run.id, error);
  }
  await store.finishRun(run.id, status, Date.now());
  run = { ...run, status, finishedAt: Date.now() };
  events.emit('run-end', { run, status, durationMs: performance.now() - started });
  return { run, status, executed };
}
