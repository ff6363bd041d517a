import { randomUUID } from 'node:crypto';
import type { Cache } from '../cache/cache.js';
import type { Project } from '../config/load.js';
import { UserError } from '../errors.js';
import type { EventSink } from '../executor/events.js';
import { holdRunLease } from '../executor/lease.js';
import { type Materialized, materialize } from '../executor/materialize.js';
import { executePlan, type RunOutcome } from '../executor/run.js';
import type { RunPlan } from '../executor/run-plan.js';
import type { Runtime } from '../runtime.js';
import type { Store } from '../store/store.js';
import type { RunFingerprint, RunOptions, RunRecord } from '../types.js';
import { recordPromptCommits, runUser } from '../util/git.js';
import { requireRun } from './find.js';
import { hasSelection, type RunSelection } from './options.js';
import { planRun } from './plan.js';

/** What the run services work with. The CLI, the server and a worker each build one. */
export interface RunDeps {
  store: Store;
  /** null: no cache (`--no-cache`, `defaults.cache: false`). */
  cache: Cache | null;
  runtime: Runtime;
  events: EventSink;
  /** Where providers read their keys and runs their user. */
  env: NodeJS.ProcessEnv;
}

/** How a caller stops a run: gracefully (finish calls in flight) or at once. */
export interface RunControl {
  stopSignal: AbortSignal;
  hardSignal: AbortSignal;
}

interface Execution {
  project: Project;
  concurrency: number;
  /** USD cap for this run (`--max-cost`); overrides `budget.run_usd`. */
  maxCostUsd?: number;
  control: RunControl;
}

export interface StartRequest extends Execution {
  options: RunOptions;
  /** The commit the run's files come from, when not the checkout's HEAD (a computed baseline). */
  gitCommit?: string;
}

export interface ResumeRequest extends Execution {
  /** Run id, unique prefix or `latest`. */
  runId: string;
  /** A resumed run plans what it planned at first: any selection given now is refused. */
  selection?: RunSelection;
}

export interface RetryRequest extends Execution {
  runId: string;
  /** Also re-run items that failed their checks (their cached answers are skipped). */
  failed?: boolean;
}

/**
 * The rule for continuing a stored run with the project as it is now: same config and dataset.
 * Used by resume and retry alike.
 */
export function assertSamePlan(run: RunRecord, now: RunFingerprint, project: Project): void {
  if (
    run.fingerprint.configHash !== now.configHash ||
    run.fingerprint.datasetVersion !== now.datasetVersion
  ) {
    throw new UserError(
      `run ${run.id.slice(0, 8)} was made with a different config or dataset`,
      project.configPath,
      'use the files the run was made with (git checkout), or start a new run',
    );
  }
}

/** Builds providers, lanes and scorers; a provider the user misconfigured is named in the config. */
async function materializeFor(plan: RunPlan, deps: RunDeps, request: Execution): Promise<Materialized> {
  try {
    return await materialize(plan, deps.runtime, deps.env, request.concurrency);
  } catch (error) {
    if (error instanceof UserError && !error.location) {
      throw new UserError(error.message, request.project.locate(['targets']), error.hint, { cause: error });
    }
    throw error;
  }
}

/**
 * Executes a stored run under its lease: a second process executing the same run is refused (exit
 * 2, naming the holder), and one that lost the lease stops taking items. A run that is not
 * `running` is reopened only once the lease is held.
 */
async function execute(
  deps: RunDeps,
  request: Execution,
  plan: RunPlan,
  materialized: Materialized,
  run: RunRecord,
  only?: ReadonlySet<string>,
): Promise<RunOutcome> {
  await using lease = await holdRunLease(deps.store, run.id);
  const current = await deps.store.getRun(run.id);
  if (current && current.finishedAt !== run.finishedAt) {
    throw new UserError(
      `run ${run.id} was ${current.status} by another process while this one prepared`,
      '<run>',
      'look at it with `assay results`; resume or retry it again if it still needs it',
    );
  }
  if (run.status !== 'running') await deps.store.reopenRun(run.id);
  // Awaited here, not returned: the lease is released when this scope ends.
  return await executePlan({
    plan,
    materialized,
    run: { ...run, status: 'running', finishedAt: null },
    store: deps.store,
    cache: deps.cache,
    events: deps.events,
    redactor: request.project.redactor,
    concurrency: request.concurrency,
    ...(only ? { only } : {}),
    stopSignal: AbortSignal.any([request.control.stopSignal, lease.lost]),
    hardSignal: request.control.hardSignal,
  });
}

/** Plans, stores and executes a new run. */
export async function startRun(deps: RunDeps, request: StartRequest): Promise<RunOutcome> {
  const { project, options } = request;
  // Git lookups are child processes: start them now so they overlap with planning.
  const user = runUser(project.baseDir, deps.env);
  const promptCommits = recordPromptCommits(project.prompts, project.baseDir);
  const plan = await planRun({
    project,
    options,
    runtime: deps.runtime,
    archived: await deps.store.archivedTaskIds(),
    ...(request.gitCommit !== undefined ? { gitCommit: request.gitCommit } : {}),
    ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}),
  });
  const materialized = await materializeFor(plan, deps, request);
  await promptCommits;
  const run: RunRecord = {
    id: randomUUID(),
    configPath: project.configPath,
    status: 'running',
    fingerprint: plan.fingerprint,
    options,
    totalItems: plan.totalItems,
    startedAt: Date.now(),
    finishedAt: null,
    user: await user,
  };
  // Task versions are stored as the run reaches them (a window at a time), never all at once.
  await deps.store.saveVersions({ tasks: [], prompts: plan.prompts, targets: plan.targets });
  await deps.store.createRun(run);
  return execute(deps, request, plan, materialized, run);
}

/** Plans a stored run again from the project and checks it is the same run. */
async function replan(deps: RunDeps, request: Execution, run: RunRecord): Promise<RunPlan> {
  const plan = await planRun({
    project: request.project,
    options: run.options,
    runtime: deps.runtime,
    archived: await deps.store.archivedTaskIds(),
    ...(run.fingerprint.gitCommit !== null ? { gitCommit: run.fingerprint.gitCommit } : {}),
    ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}),
  });
  assertSamePlan(run, plan.fingerprint, request.project);
  return plan;
}

/** Continues a stored run: executes the items that have no result yet. */
export async function resumeRun(deps: RunDeps, request: ResumeRequest): Promise<RunOutcome> {
  if (request.selection && hasSelection(request.selection)) {
    throw new UserError(
      '--resume continues a run with the selection it started with',
      '--resume',
      'drop --suite, --filter, --target, --repeat, --first, --sample and --seed, or start a new run',
    );
  }
  const run = await requireRun(deps.store, request.runId, '--resume');
  if (run.status === 'completed') {
    throw new UserError(`run ${run.id} is already complete`, '--resume', 'start a new run without --resume');
  }
  const plan = await replan(deps, request, run);
  const materialized = await materializeFor(plan, deps, request);
  return execute(deps, request, plan, materialized, run);
}

export type RetryOutcome = (RunOutcome & { retried: number }) | { run: RunRecord; retried: 0 };

/**
 * Re-runs a run's errored items (and with `failed` its failed ones) into the same run. Everything
 * is checked first (same config and dataset, providers and keys); then each new result replaces
 * the old one in the transaction that writes it, so a failure at any point leaves every item not
 * yet re-run as it was. Failed items skip the cache: the cached answer is the one that failed.
 */
export async function retryRun(deps: RunDeps, request: RetryRequest): Promise<RetryOutcome> {
  const run = await requireRun(deps.store, request.runId, '<run>');
  if (run.status === 'running') {
    throw new UserError(
      `run ${run.id.slice(0, 8)} is still running (or was killed)`,
      '<run>',
      `finish it with \`assay run --resume ${run.id.slice(0, 8)}\` first`,
    );
  }
  const plan = await replan(deps, request, run);
  const statuses: Array<'error' | 'failed'> = request.failed ? ['error', 'failed'] : ['error'];
  const retried = await deps.store.listResults({ runId: run.id, status: statuses });
  if (retried.length === 0) return { run, retried: 0 };
  const materialized = await materializeFor(plan, deps, request);
  // Audited before the first result is replaced: who re-ran which items of the run.
  await deps.store.recordAudit({
    at: Date.now(),
    actor: (await runUser(request.project.baseDir, deps.env)) ?? 'unknown',
    action: 'run.retry',
    subject: run.id,
    details: { results: retried.length, failed: request.failed === true },
  });
  const outcome = await execute(
    request.failed ? { ...deps, cache: null } : deps,
    request,
    plan,
    materialized,
    run,
    new Set(retried.map((result) => result.itemId)),
  );
  return { ...outcome, retried: retried.length };
}
