import { type Baseline, gitLookup, resolveBaseline } from '../compare/baseline.js';
import { compareRuns, type RunComparison } from '../compare/compare.js';
import { evaluateGate, type FailOn } from '../compare/gate.js';
import type { Project } from '../config/load.js';
import { UserError } from '../errors.js';
import type { RunOutcome } from '../executor/run.js';
import { compileFilters } from '../executor/select.js';
import { EXIT } from '../exit-codes.js';
import type { CiReportInput } from '../report/compare-ci.js';
import { formatMs, plural } from '../report/format.js';
import type { ItemResult, RunOptions } from '../types.js';
import { type RunControl, type RunDeps, startRun } from './execute.js';
import { runOptionsFor } from './options.js';

export interface CiCheckRequest {
  project: Project;
  suite: string;
  /** `latest`, `latest-on-main`, a run id or prefix, or a git ref. */
  baseline: string;
  /** Run a missing baseline at its commit (through the cache) rather than gate on failures only. */
  computeBaseline: boolean;
  maxTimeMs: number | null;
  minPassRate: number | null;
  failOn: FailOn;
  /** Task filters whose tasks are reported but never gate. */
  allowFail: string[];
  seed: string;
  concurrency: number;
  control: RunControl;
  /** One line of progress for the person waiting (baseline chosen, deadline reached). */
  log(line: string): void;
}

/** Grace for calls in flight after --max-time: 10% of it, from 5 s to 30 s. */
export function graceMs(maxTimeMs: number): number {
  return Math.min(30_000, Math.max(5_000, maxTimeMs * 0.1));
}

/** A link to the running CI job: GitHub Actions or GitLab CI; null elsewhere. */
export function ciJobUrl(env: NodeJS.ProcessEnv): string | null {
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return env.CI_JOB_URL ?? null;
}

/** Each `--allow-fail` is a task filter (`tag:x`, `id:glob`, `metadata.k=v`); any match allows. */
async function compileAllowFail(
  patterns: readonly string[],
  project: Project,
): Promise<(taskId: string) => boolean> {
  if (patterns.length === 0) return () => false;
  const predicates = patterns.map((pattern) => {
    try {
      return compileFilters([pattern]);
    } catch (error) {
      if (error instanceof UserError) {
        throw new UserError(
          `invalid --allow-fail "${pattern}"`,
          '--allow-fail',
          'use tag:NAME, id:GLOB or metadata.KEY=VALUE (repeat the flag for more)',
          { cause: error },
        );
      }
      throw error;
    }
  });
  const allowed = new Set(
    (await project.taskSource.all()).tasks
      .filter((task) => predicates.some((predicate) => predicate(task)))
      .map((task) => task.id),
  );
  return (taskId) => allowed.has(taskId);
}

function describeBaseline(baseline: Baseline): string {
  if (!baseline.run) return `no baseline (${baseline.note ?? baseline.how}): gating on failures only`;
  const started = new Date(baseline.run.startedAt).toISOString().slice(0, 16).replace('T', ' ');
  const note = baseline.note ? ` (${baseline.note})` : '';
  return `baseline: ${baseline.how}: run ${baseline.run.id.slice(0, 8)} from ${started} UTC${note}`;
}

/** Exit code and its one-line reason: an aborted run or a reached budget outrank the gate. */
function decideExit(
  outcome: RunOutcome,
  finished: number,
  gatePassed: boolean,
  gateReason: string,
  cutShort: boolean,
): { exitCode: number; reason: string } {
  const done = `${finished} of ${plural(outcome.run.totalItems, 'item')} finished`;
  if (outcome.status === 'budget_exceeded') {
    return {
      exitCode: EXIT.budget,
      reason: `the budget was reached and the remaining calls were skipped (${done})`,
    };
  }
  if (outcome.status !== 'completed' && !cutShort) {
    return { exitCode: EXIT.aborted, reason: `the run was aborted (${outcome.status}; ${done})` };
  }
  const prefix = cutShort ? `cut short by --max-time (${done}); ` : '';
  return { exitCode: gatePassed ? EXIT.ok : EXIT.failures, reason: `${prefix}${gateReason}` };
}

/** Runs the suite with --max-time: a graceful stop at the deadline, a hard one after a grace period. */
async function runWithDeadline(
  deps: RunDeps,
  request: CiCheckRequest,
  options: RunOptions,
): Promise<{ outcome: RunOutcome; timedOut: boolean }> {
  const stop = new AbortController();
  const hard = new AbortController();
  const forward = (from: AbortSignal, to: AbortController) =>
    from.aborted ? to.abort() : from.addEventListener('abort', () => to.abort(), { once: true });
  forward(request.control.stopSignal, stop);
  forward(request.control.hardSignal, hard);
  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  const { maxTimeMs } = request;
  if (maxTimeMs !== null) {
    timers.push(
      setTimeout(() => {
        if (stop.signal.aborted) return;
        timedOut = true;
        request.log(
          `\n--max-time ${formatMs(maxTimeMs)} reached: finishing calls in flight, starting no more`,
        );
        stop.abort();
      }, maxTimeMs),
      // Calls in flight get a grace period; past it they are cut (and left for a resume).
      setTimeout(() => hard.abort(), maxTimeMs + graceMs(maxTimeMs)),
    );
  }
  try {
    const outcome = await startRun(deps, {
      project: request.project,
      options,
      concurrency: request.concurrency,
      control: { stopSignal: stop.signal, hardSignal: hard.signal },
    });
    return { outcome, timedOut };
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

/**
 * `assay ci` as a use-case: picks the baseline (computing it when asked and missing), runs the
 * suite, compares the two runs and applies the gate. Returns everything the reports show.
 */
export async function ciCheck(deps: RunDeps, request: CiCheckRequest): Promise<CiReportInput> {
  const { project } = request;
  const options = runOptionsFor(project, { suite: request.suite });
  const isAllowed = await compileAllowFail(request.allowFail, project);
  // Before the run starts, so that `latest` is the newest run before this one.
  let baseline = await resolveBaseline(
    deps.store,
    request.baseline,
    request.suite,
    gitLookup(project.baseDir),
  );
  if (!baseline.run && baseline.computeAt && request.computeBaseline) {
    const { computeBaseline } = await import('./compute-baseline.js');
    baseline = await computeBaseline({
      project,
      deps,
      options,
      concurrency: request.concurrency,
      at: baseline.computeAt,
      log: request.log,
    });
  }
  request.log(describeBaseline(baseline));
  const { outcome, timedOut } = await runWithDeadline(deps, request, options);
  const results = await deps.store.listResults({ runId: outcome.run.id });

  const baselineResults = baseline.run ? await deps.store.listResults({ runId: baseline.run.id }) : [];
  const compare = (keep: (result: ItemResult) => boolean): RunComparison | null =>
    baseline.run
      ? compareRuns({
          runA: baseline.run,
          runB: outcome.run,
          resultsA: baselineResults.filter(keep),
          resultsB: results.filter(keep),
          seed: request.seed,
        })
      : null;
  const comparison = compare(() => true);
  // Allowed tasks are reported, but never count towards a verdict that gates.
  const gateComparison =
    request.allowFail.length > 0 ? compare((result) => !isAllowed(result.taskId)) : comparison;
  const gate = evaluateGate({
    failOn: request.failOn,
    results,
    comparison: gateComparison,
    isAllowed,
    ...(request.minPassRate !== null ? { minPassRate: request.minPassRate } : {}),
  });
  const cutShort =
    timedOut && outcome.status === 'interrupted' && request.maxTimeMs !== null
      ? { maxTimeMs: request.maxTimeMs, finished: results.length, planned: outcome.run.totalItems }
      : null;
  const { exitCode, reason } = decideExit(
    outcome,
    results.length,
    gate.passed,
    gate.reason,
    cutShort !== null,
  );
  return {
    run: outcome.run,
    results,
    baseline,
    comparison,
    gate,
    requestedFailOn: request.failOn,
    allowFail: request.allowFail,
    minPassRate: request.minPassRate,
    exitCode,
    reason,
    cutShort,
    detailsUrl: ciJobUrl(deps.env),
    generatedAt: Date.now(),
  };
}
