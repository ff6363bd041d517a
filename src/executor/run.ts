import { randomUUID } from 'node:crypto';
import { defaultMaxListeners, setMaxListeners } from 'node:events';
import type { Cache } from '../cache/cache.js';
import type { Project } from '../config/load.js';
import { UserError } from '../errors.js';
import { Budget } from '../resilience/budget.js';
import { retryPolicy } from '../resilience/retry.js';
import { Semaphore } from '../resilience/semaphore.js';
import type { Store } from '../store/store.js';
import type { RunOptions, RunRecord, RunStatus } from '../types.js';
import { parseDuration } from '../util/duration.js';
import { recordPromptCommits, runUser } from '../util/git.js';
import type { RunEventBus } from './events.js';
import { executeItem, type ItemContext, type TargetLane } from './execute-item.js';
import type { Lane } from './lanes.js';
import type { PlannedItem } from './plan.js';
import { runPool } from './pool.js';
import { prepareRun } from './prepare.js';
import { ResultWriter } from './writer.js';

export interface RunRequest {
  project: Project;
  store: Store;
  /** null with --no-cache. */
  cache: Cache | null;
  options: RunOptions;
  concurrency: number;
  /** Continue this run instead of starting a new one. */
  resume?: RunRecord;
  bus: RunEventBus;
  /** Graceful stop: take no new items, let calls in flight finish. */
  stopSignal: AbortSignal;
  /** USD cap for this run (`--max-cost`); overrides `budget.run_usd`. */
  maxCostUsd?: number;
  /** Hard stop: abort calls in flight (their items stay unrecorded and run again on resume). */
  hardSignal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** The commit the run's files come from, when not the checkout's HEAD (a computed baseline). */
  gitCommit?: string;
}

export interface RunOutcome {
  run: RunRecord;
  status: RunStatus;
  /** Items executed by this invocation (not counting those done before a resume). */
  executed: number;
}

/** Runs with at most this many pending items look their cache entries up in one go. */
const PREFETCH_LIMIT = 50_000;

/** The run's budgets: its own cap and the day's (which counts what the store already holds). */
async function makeBudgets(request: RunRequest, run: RunRecord): Promise<Budget[]> {
  const config = request.project.config.budget;
  const budgets: Budget[] = [];
  const runCap = request.maxCostUsd ?? config?.run_usd;
  if (runCap !== undefined) {
    // A resumed run has already spent what its stored results cost.
    const spent = request.resume
      ? (await request.store.listResults({ runId: run.id })).reduce(
          (sum, result) => sum + (result.costUsd ?? 0),
          0,
        )
      : 0;
    budgets.push(new Budget({ capUsd: runCap, spentUsd: spent }));
  }
  if (config?.daily_usd !== undefined) {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    budgets.push(
      new Budget({ capUsd: config.daily_usd, spentUsd: await request.store.spentSince(midnight.getTime()) }),
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

/** Plans, executes and records one run. Renderers follow it through `bus`. */
export async function executeRun(request: RunRequest): Promise<RunOutcome> {
  const { project, store, options } = request;
  const env = request.env ?? process.env;
  // Git lookups are child processes: start them now so they overlap with preparation.
  const user = request.resume ? null : runUser(project.baseDir, env);
  const promptCommits = request.resume ? null : recordPromptCommits(project.prompts, project.baseDir);
  const prepared = await prepareRun(
    project,
    options,
    env,
    request.concurrency,
    await store.archivedTaskIds(),
    request.gitCommit,
  );
  const { items, lanes, scorers, fingerprint } = prepared;

  let run: RunRecord;
  if (request.resume) {
    run = request.resume;
    if (
      run.fingerprint.configHash !== fingerprint.configHash ||
      run.fingerprint.datasetVersion !== fingerprint.datasetVersion
    ) {
      throw new UserError(
        `run ${run.id} was started with a different config or dataset`,
        project.configPath,
        'resume only with the files the run started with, or start a new run without --resume',
      );
    }
  } else {
    await promptCommits;
    run = {
      id: randomUUID(),
      configPath: project.configPath,
      status: 'running',
      fingerprint,
      options,
      totalItems: items.length,
      startedAt: Date.now(),
      finishedAt: null,
      user: await user,
    };
    await store.saveVersions({ tasks: prepared.tasks, prompts: project.prompts, targets: prepared.targets });
    await store.createRun(run);
  }

  const budgets = await makeBudgets(request, run);
  const done = await store.completedItemIds(run.id);
  const pending = items.filter((item) => !done.has(item.id));
  // One bulk lookup instead of one query per item; bounded so a huge run does not hold every answer.
  let prefetched: ItemContext['prefetched'];
  if (request.cache && pending.length > 0 && pending.length <= PREFETCH_LIMIT) {
    const keys = pending.map((item) => item.cacheKey);
    prefetched = { keys: new Set(keys), found: await request.cache.getMany(keys, Date.now()) };
  }
  const started = performance.now();
  request.bus.emit('run-start', {
    run,
    total: items.length,
    skipped: items.length - pending.length,
    tasks: prepared.tasks.length,
    projectedCostUsd: projectRunCost(pending, lanes),
    budgetUsd: budgets.length ? Math.min(...budgets.map((budget) => budget.capUsd - budget.spentUsd)) : null,
  });

  const writer = new ResultWriter(store, request.cache, {
    // Each transaction rewrites every index page it touches, and hashed item ids touch most of
    // them: fewer, larger transactions write far less (docs/benchmarks.md). At most 200 ms of
    // results wait in memory.
    batchSize: 1000,
    flushIntervalMs: 200,
    cacheTtlMs: parseDuration(project.config.defaults.cache_ttl, project.locate(['defaults', 'cache_ttl'])),
  });
  const context = {
    runId: run.id,
    cache: request.cache,
    scorers,
    inflight: new Map(),
    activeCalls: new Set<AbortController>(),
    retry: retryPolicy({
      maxRetries: project.config.defaults.retries,
      maxElapsedMs: parseDuration(
        project.config.defaults.item_timeout,
        project.locate(['defaults', 'item_timeout']),
      ),
    }),
    hardSignal: request.hardSignal,
    slots: new Semaphore(request.concurrency),
    budgets,
    onBudgetWarning: (budget: Budget) =>
      request.bus.emit('budget-warning', { capUsd: budget.capUsd, spentUsd: budget.spentUsd }),
    lanes,
    targets: prepared.callable,
    judging: prepared.judging,
    ...(prefetched ? { prefetched } : {}),
    onLaneStopped: (target: string, message: string) => request.bus.emit('lane-stopped', { target, message }),
    onRetry: (itemId: string, attempt: number, delayMs: number, error: Error) =>
      request.bus.emit('retry-scheduled', { itemId, attempt, delayMs, reason: error.message }),
  };

  // Every worker may wait on the hard stop at once (a retry's sleep, a lane's admission); each wait
  // removes its listener when it ends, so that many listeners are expected, not a leak.
  const workers = new Set([...lanes.values()].map(({ lane }) => lane));
  const waiters = [...workers].reduce((sum, lane) => sum + lane.concurrency, 0);
  setMaxListeners(Math.max(defaultMaxListeners, waiters + 10), request.hardSignal);
  const abortActive = () => {
    for (const controller of context.activeCalls) controller.abort(request.hardSignal.reason);
  };
  request.hardSignal.addEventListener('abort', abortActive, { once: true });

  let completed = done.size;
  let executed = 0;
  const stop = AbortSignal.any([request.stopSignal, request.hardSignal]);
  const work = async (item: PlannedItem) => {
    if (writer.failure) return;
    const { result, cacheEntries } = await executeItem(item, lanes.get(item.target.name)!, context);
    // An item cut short by a hard stop is not a real outcome: leave it for the resume.
    if (request.hardSignal.aborted && result.status === 'error') return;
    writer.add(result, cacheEntries);
    executed++;
    completed++;
    request.bus.emit('item-end', { result, done: completed, total: items.length });
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
  let status: RunStatus =
    completed < items.length ? 'interrupted' : overBudget ? 'budget_exceeded' : 'completed';
  try {
    await writer.flush();
  } catch (error) {
    status = 'failed';
    await store.finishRun(run.id, status, Date.now()).catch(() => {});
    throw error;
  }
  await store.finishRun(run.id, status, Date.now());
  run = { ...run, status, finishedAt: Date.now() };
  request.bus.emit('run-end', { run, status, durationMs: performance.now() - started });
  return { run, status, executed };
}
