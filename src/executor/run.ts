import { defaultMaxListeners, setMaxListeners } from 'node:events';
import type { Cache } from '../cache/cache.js';
import { RunStoppedError } from '../errors.js';
import { Budget, type BudgetLedger } from '../resilience/budget.js';
import { retryPolicy } from '../resilience/retry.js';
import { Semaphore } from '../resilience/semaphore.js';
import type { Store } from '../store/store.js';
import type { RunRecord, RunStatus, Task } from '../types.js';
import { formatDuration } from '../util/duration.js';
import type { Redactor } from '../util/redactor.js';
import type { ItemContext, TargetLane } from './answer.js';
import type { EventSink } from './events.js';
import { executeItem, ItemTimeout } from './execute-item.js';
import type { Lane } from './lanes.js';
import type { Materialized } from './materialize.js';
import { cacheKey, type PlannedItem } from './plan.js';
import { runPool } from './pool.js';
import type { PlanItem, RunPlan } from './run-plan.js';
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

/**
 * Items are taken from the plan in windows of this many: each window's completed ids and cache
 * entries are looked up in one query each, and no more than two windows per lane are in memory.
 */
const WINDOW = 500;

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

/**
 * The most the pending calls could cost (cache hits cost nothing, so this is an upper bound, up to
 * rounding); null if a price is unknown. `share` is the part of the plan still to run.
 */
function projectRunCost(plan: RunPlan, lanes: Map<string, TargetLane>, share: number): number | null {
  let total = 0;
  for (const [name, { items, promptChars }] of Object.entries(plan.targetStats)) {
    if (items === 0) continue;
    const target = lanes.get(name)!;
    const maxTokens = plan.targets.find((each) => each.name === name)?.config.max_tokens;
    const cost = target.pricer({
      inputTokens: Math.ceil(promptChars / items / 4),
      outputTokens: typeof maxTokens === 'number' ? maxTokens : 256,
    });
    if (cost === null) return null;
    total += cost * items;
  }
  return total * share;
}

/**
 * Executes a plan's items into a stored run: cache, admission, call, score, batched writes, events.
 * Knows no project files, renderer or database: everything comes through the request.
 */
export async function executePlan(request: ExecuteRequest): Promise<RunOutcome> {
  try {
    return await executeWith(request);
  } finally {
    request.materialized.userCode.close();
  }
}

async function executeWith(request: ExecuteRequest): Promise<RunOutcome> {
  const { plan, store, redactor, events } = request;
  let { run } = request;
  const { lanes, scoring, targets, judging } = request.materialized;

  const budgets = await makeBudgets(request);
  const { only, cache } = request;
  const alreadyDone = only ? plan.totalItems - only.size : await store.countCompleted(run.id);

  /**
   * A window of plan items: its tasks' versions stored (results point at them), and the items
   * still to run, with their cache keys and cache entries.
   */
  const prepareWindow = async (window: PlanItem[]): Promise<PlannedItem[]> => {
    const tasks = new Map<string, Task>();
    for (const item of window) tasks.set(`${item.task.id}\0${item.task.version}`, item.task);
    await store.saveVersions({ tasks: [...tasks.values()], prompts: [], targets: [] });
    let pending = window;
    if (only) pending = window.filter((item) => only.has(item.id));
    else if (alreadyDone > 0) {
      const done = await store.completedItemIds(
        run.id,
        window.map((item) => item.id),
      );
      if (done.size > 0) pending = window.filter((item) => !done.has(item.id));
    }
    const planned = pending as PlannedItem[];
    for (const item of planned) {
      item.cacheKey = cacheKey(
        lanes.get(item.target.name)!.provider,
        item.target,
        item.messages,
        item.repeat,
      );
    }
    if (cache && planned.length > 0) {
      const found = await cache.getMany(
        planned.map((item) => item.cacheKey),
        Date.now(),
      );
      for (const item of planned) item.prefetched = found.get(item.cacheKey) ?? null;
    }
    return planned;
  };
  async function* windows(targets: ReadonlySet<string>): AsyncGenerator<PlannedItem[]> {
    let window: PlanItem[] = [];
    for await (const item of plan.items(targets)) {
      window.push(item);
      if (window.length < WINDOW) continue;
      const pending = await prepareWindow(window);
      window = [];
      if (pending.length > 0) yield pending;
    }
    if (window.length > 0) {
      const pending = await prepareWindow(window);
      if (pending.length > 0) yield pending;
    }
  }

  const started = performance.now();
  events.emit('run-start', {
    run,
    total: plan.totalItems,
    skipped: alreadyDone,
    tasks: plan.taskCount,
    projectedCostUsd: projectRunCost(plan, lanes, (plan.totalItems - alreadyDone) / plan.totalItems),
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
    scoring,
    inflight: new Map(),
    retry: retryPolicy({ maxRetries: plan.settings.retries, maxElapsedMs: plan.settings.itemTimeoutMs }),
    slots: new Semaphore(request.concurrency),
    budgets,
    onBudgetWarning: (budget: BudgetLedger) =>
      events.emit('budget-warning', { runId: run.id, capUsd: budget.capUsd, spentUsd: budget.spentUsd }),
    lanes,
    targets,
    judging,
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

  // Every worker may wait on the hard stop at once (a retry's sleep, a lane's admission); each wait
  // removes its listener when it ends, so that many listeners are expected, not a leak.
  const workers = new Set([...lanes.values()].map(({ lane }) => lane));
  const waiters = [...workers].reduce((sum, lane) => sum + lane.concurrency, 0);
  setMaxListeners(Math.max(defaultMaxListeners, waiters + 10), request.hardSignal);
  // Each item in flight has its own signal: its item_timeout, or the hard stop for all of them.
  const itemsInFlight = new Set<AbortController>();
  const { itemTimeoutMs } = plan.settings;
  const abortActive = () => {
    for (const scope of itemsInFlight) scope.abort(request.hardSignal.reason);
    request.materialized.userCode.close(); // checks still running end now instead of at their time limit
  };
  request.hardSignal.addEventListener('abort', abortActive, { once: true });

  let completed = alreadyDone;
  let executed = 0;
  const stop = AbortSignal.any([request.stopSignal, request.hardSignal]);
  const work = async (item: PlannedItem) => {
    if (writer.failure) return;
    const scope = new AbortController();
    const deadline = setTimeout(
      () =>
        scope.abort(
          new ItemTimeout(
            `item_timeout (${formatDuration(itemTimeoutMs)}) reached: the item's waits, calls, retries and judges are limited to it`,
          ),
        ),
      itemTimeoutMs,
    );
    itemsInFlight.add(scope);
    let outcome: Awaited<ReturnType<typeof executeItem>>;
    try {
      outcome = await executeItem(item, lanes.get(item.target.name)!, context, scope.signal);
    } finally {
      clearTimeout(deadline);
      itemsInFlight.delete(scope);
    }
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
  // One pool per provider lane, each taking its own targets' items from the plan: a lane waiting on
  // its rate limit or a retry-after only holds its own workers; calls take a global slot
  // (context.slots) only once admitted.
  const byLane = new Map<Lane, Set<string>>();
  for (const target of plan.targets) {
    const lane = lanes.get(target.name)!.lane;
    byLane.set(lane, (byLane.get(lane) ?? new Set()).add(target.name));
  }
  // A lane whose items cannot be read (the store or cache gone) stops every lane; calls in flight
  // finish and are saved if the store still can.
  const failed = new AbortController();
  const taking = AbortSignal.any([stop, failed.signal]);
  const pools = await Promise.allSettled(
    [...byLane].map(([lane, names]) =>
      runPool(windows(names), lane.concurrency, taking, work).catch((error: unknown) => {
        failed.abort();
        throw error;
      }),
    ),
  );
  const unreadable = pools.find((pool) => pool.status === 'rejected');

  request.hardSignal.removeEventListener('abort', abortActive);
  const overBudget = budgets.some((budget) => budget.exhausted);
  const status: RunStatus =
    completed < plan.totalItems ? 'interrupted' : overBudget ? 'budget_exceeded' : 'completed';
  try {
    await writer.flush();
    if (unreadable) throw unreadable.reason;
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
