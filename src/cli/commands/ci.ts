import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Cache } from '../../cache/cache.js';
import { type Baseline, gitLookup, resolveBaseline } from '../../compare/baseline.js';
import { compareRuns, type RunComparison } from '../../compare/compare.js';
import { evaluateGate, FAIL_ON, type FailOn } from '../../compare/gate.js';
import { loadProject, type Project } from '../../config/load.js';
import { UserError } from '../../errors.js';
import { RunEventBus } from '../../executor/events.js';
import { executeRun, type RunOutcome } from '../../executor/run.js';
import { compileFilters } from '../../executor/select.js';
import { type CiReportInput, renderCiMarkdown, toCiJson } from '../../report/compare-ci.js';
import { renderComparisonText } from '../../report/compare-terminal.js';
import { renderJunit } from '../../report/export/junit.js';
import { formatMs, plural } from '../../report/format.js';
import { attachProgress } from '../../report/progress.js';
import { summarizeRun } from '../../report/summary.js';
import { renderFailures, renderSummaryTable } from '../../report/table.js';
import { preloadStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import type { ItemResult, RunOptions } from '../../types.js';
import { parseDuration } from '../../util/duration.js';
import { EXIT } from '../exit-codes.js';
import { stopOnSignals } from '../stop-signals.js';
import { openProjectStore } from './project-store.js';

export interface CiFlags {
  suite?: string;
  baseline?: string;
  /** `--no-compute-baseline`: never run a missing baseline, gate on failures instead. */
  computeBaseline?: boolean;
  /** Seconds, or a duration such as `5m`. */
  maxTime?: string;
  minPassRate?: string;
  failOn?: string;
  allowFail?: string[];
  outDir?: string;
  config?: string;
  db?: string;
  concurrency?: number;
  /** false with --no-cache. */
  cache?: boolean;
  seed?: string;
}

/** The files written into --out-dir. */
export const CI_FILES = {
  markdown: 'assay-report.md',
  junit: 'assay-junit.xml',
  json: 'assay-report.json',
} as const;

interface Settings {
  suite: string;
  baseline: string;
  maxTimeMs: number | null;
  minPassRate: number | null;
  failOn: FailOn;
  allowFail: string[];
  outDir: string;
  seed: string;
}

/**
 * `assay ci`: runs a suite, compares it with a baseline run, writes the PR comment, JUnit and JSON
 * reports, and exits 1 only when the configured gate fails (2 bad flags, 3 aborted, 4 budget).
 */
export async function ciCommand(flags: CiFlags): Promise<number> {
  const settings = parseFlags(flags);
  preloadStore();
  const project = await loadProject({ ...(flags.config ? { configPath: flags.config } : {}) });
  if (!Object.hasOwn(project.config.suites, settings.suite)) {
    const known = Object.keys(project.config.suites);
    throw new UserError(
      `unknown suite "${settings.suite}"`,
      '--suite',
      known.length ? `known suites: ${known.join(', ')}` : 'define suites under `suites:` in assay.yaml',
    );
  }
  const isAllowed = compileAllowFail(settings.allowFail, project);
  const { store, cache } = await openProjectStore(flags, project);
  const stderr = process.stderr;
  try {
    // Before the run starts, so that `latest` is the newest run before this one.
    let baseline = await resolveBaseline(
      store,
      settings.baseline,
      settings.suite,
      gitLookup(project.baseDir),
    );
    const suiteRepeat = project.config.suites[settings.suite]?.repeat;
    const options: RunOptions = {
      suite: settings.suite,
      filters: [],
      targets: [],
      repeat: suiteRepeat ?? project.config.defaults.repeat,
    };
    if (!baseline.run && baseline.computeAt && flags.computeBaseline !== false) {
      const { computeBaseline } = await import('../../compare/compute-baseline.js');
      baseline = await computeBaseline({
        project,
        store,
        cache: flags.cache === false || !project.config.defaults.cache ? null : cache,
        options,
        concurrency: flags.concurrency ?? project.config.defaults.concurrency,
        at: baseline.computeAt,
        log: (line) => stderr.write(`${line}\n`),
      });
    }
    stderr.write(`${describeBaseline(baseline)}\n`);
    const { outcome, results, timedOut } = await runWithDeadline(
      project,
      store,
      cache,
      options,
      flags,
      settings,
    );

    const baselineResults = baseline.run ? await store.listResults({ runId: baseline.run.id }) : [];
    const compare = (keep: (result: ItemResult) => boolean): RunComparison | null =>
      baseline.run
        ? compareRuns({
            runA: baseline.run,
            runB: outcome.run,
            resultsA: baselineResults.filter(keep),
            resultsB: results.filter(keep),
            seed: settings.seed,
          })
        : null;
    const comparison = compare(() => true);
    // Allowed tasks are reported, but never count towards a verdict that gates.
    const gateComparison =
      settings.allowFail.length > 0 ? compare((result) => !isAllowed(result.taskId)) : comparison;
    const gate = evaluateGate({
      failOn: settings.failOn,
      results,
      comparison: gateComparison,
      isAllowed,
      ...(settings.minPassRate !== null ? { minPassRate: settings.minPassRate } : {}),
    });

    const cutShort =
      timedOut && outcome.status === 'interrupted'
        ? { maxTimeMs: settings.maxTimeMs!, finished: results.length, planned: outcome.run.totalItems }
        : null;
    const { exitCode, reason } = decideExit(outcome, results, gate.passed, gate.reason, cutShort !== null);
    const report: CiReportInput = {
      run: outcome.run,
      results,
      baseline,
      comparison,
      gate,
      requestedFailOn: settings.failOn,
      allowFail: settings.allowFail,
      minPassRate: settings.minPassRate,
      exitCode,
      reason,
      cutShort,
      detailsUrl: ciJobUrl(process.env),
      generatedAt: Date.now(),
    };
    const written = await writeReports(settings.outDir, report);
    printSummary(report, written);
    return exitCode;
  } finally {
    await store.close();
    // Loaded only if the run reached the network; closing idle sockets lets the process exit now.
    const http = await import('../../providers/http.js');
    await http.closeHttpAgent();
  }
}

async function runWithDeadline(
  project: Project,
  store: Store,
  cache: Cache,
  options: RunOptions,
  flags: CiFlags,
  settings: Settings,
): Promise<{ outcome: RunOutcome; results: ItemResult[]; timedOut: boolean }> {
  const stderr = process.stderr;
  const bus = new RunEventBus();
  const collected: ItemResult[] = [];
  bus.on('item-end', ({ result }) => collected.push(result));
  bus.on('lane-stopped', ({ target, message }) =>
    stderr.write(`\n${target}: stopping this provider lane for the rest of the run: ${message}\n`),
  );
  attachProgress(bus, {
    stream: stderr,
    tty: Boolean(stderr.isTTY),
    color: Boolean(stderr.isTTY) && !process.env.NO_COLOR,
  });

  const { stop, hard, dispose } = stopOnSignals(stderr);
  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  if (settings.maxTimeMs !== null) {
    const maxTimeMs = settings.maxTimeMs;
    timers.push(
      setTimeout(() => {
        if (stop.signal.aborted) return;
        timedOut = true;
        stderr.write(
          `\n--max-time ${formatMs(maxTimeMs)} reached: finishing calls in flight, starting no more\n`,
        );
        stop.abort();
      }, maxTimeMs),
      // Calls in flight get a grace period; past it they are cut (and left for a resume).
      setTimeout(() => hard.abort(), maxTimeMs + graceMs(maxTimeMs)),
    );
  }
  let outcome: RunOutcome;
  try {
    outcome = await executeRun({
      project,
      store,
      cache: flags.cache === false || !project.config.defaults.cache ? null : cache,
      options,
      concurrency: flags.concurrency ?? project.config.defaults.concurrency,
      bus,
      stopSignal: stop.signal,
      hardSignal: hard.signal,
    });
  } finally {
    for (const timer of timers) clearTimeout(timer);
    dispose();
  }
  const results =
    collected.length === outcome.run.totalItems
      ? collected
      : await store.listResults({ runId: outcome.run.id });
  return { outcome, results, timedOut };
}

/** Grace for calls in flight after --max-time: 10% of it, from 5 s to 30 s. */
export function graceMs(maxTimeMs: number): number {
  return Math.min(30_000, Math.max(5_000, maxTimeMs * 0.1));
}

/** Exit code and its one-line reason: an aborted run or a reached budget outrank the gate. */
function decideExit(
  outcome: RunOutcome,
  results: readonly ItemResult[],
  gatePassed: boolean,
  gateReason: string,
  cutShort: boolean,
): { exitCode: number; reason: string } {
  const done = `${results.length} of ${plural(outcome.run.totalItems, 'item')} finished`;
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

function parseFlags(flags: CiFlags): Settings {
  const suite = flags.suite?.trim();
  if (!suite) throw new UserError('--suite is required', '--suite', 'e.g. assay ci --suite critical');
  const failOn = flags.failOn ?? 'regression';
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new UserError(
      `--fail-on must be one of ${FAIL_ON.join(', ')}, got "${failOn}"`,
      '--fail-on',
      'e.g. --fail-on significant-regression',
    );
  }
  const seed = flags.seed ?? '1';
  if (seed.trim() === '') throw new UserError('--seed must not be empty', '--seed', 'e.g. --seed 7');
  const baseline = flags.baseline ?? 'latest';
  if (baseline.trim() === '') {
    throw new UserError('--baseline must not be empty', '--baseline', 'e.g. --baseline latest-on-main');
  }
  return {
    suite,
    baseline,
    maxTimeMs: flags.maxTime === undefined ? null : parseMaxTime(flags.maxTime),
    minPassRate: flags.minPassRate === undefined ? null : parseRate(flags.minPassRate),
    failOn: failOn as FailOn,
    allowFail: flags.allowFail ?? [],
    outDir: flags.outDir ?? '.',
    seed,
  };
}

/** `300` (seconds), `90s`, `5m`. */
function parseMaxTime(value: string): number {
  const text = value.trim();
  // parseDuration's own message speaks of milliseconds; here a bare number means seconds.
  const ms = /^\d+(\.\d+)?$/.test(text)
    ? Number(text) * 1000
    : /^\d+(\.\d+)?\s*(ms|s|m|h)$/.test(text)
      ? parseDuration(text, '--max-time')
      : Number.NaN;
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new UserError(
      `--max-time must be above 0, got "${value}"`,
      '--max-time',
      'e.g. --max-time 300 (seconds) or 5m',
    );
  }
  return ms;
}

/** `0.9` or `90%`. */
function parseRate(value: string): number {
  const text = value.trim();
  const rate = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (text === '' || text === '%' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new UserError(
      `--min-pass-rate must be a number from 0 to 1 (or a percentage), got "${value}"`,
      '--min-pass-rate',
      'e.g. --min-pass-rate 0.9',
    );
  }
  return rate;
}

/** Each `--allow-fail` is a task filter (`tag:x`, `id:glob`, `metadata.k=v`); any match allows. */
function compileAllowFail(patterns: readonly string[], project: Project): (taskId: string) => boolean {
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
    project.tasks.filter((task) => predicates.some((predicate) => predicate(task))).map((task) => task.id),
  );
  return (taskId) => allowed.has(taskId);
}

function describeBaseline(baseline: Baseline): string {
  if (!baseline.run) return `no baseline (${baseline.note ?? baseline.how}): gating on failures only`;
  const started = new Date(baseline.run.startedAt).toISOString().slice(0, 16).replace('T', ' ');
  const note = baseline.note ? ` (${baseline.note})` : '';
  return `baseline: ${baseline.how}: run ${baseline.run.id.slice(0, 8)} from ${started} UTC${note}`;
}

/** A link to the running CI job: GitHub Actions or GitLab CI; null elsewhere. */
export function ciJobUrl(env: NodeJS.ProcessEnv): string | null {
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return env.CI_JOB_URL ?? null;
}

async function writeReports(outDir: string, report: CiReportInput): Promise<string[]> {
  const dir = path.resolve(outDir);
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    [CI_FILES.markdown, renderCiMarkdown(report)],
    [
      CI_FILES.junit,
      renderJunit({ run: report.run, results: report.results, generatedAt: report.generatedAt }),
    ],
    [CI_FILES.json, `${JSON.stringify(toCiJson(report), null, 2)}\n`],
  ];
  for (const [name, text] of files) await writeFile(path.join(dir, name), text);
  return files.map(([name]) => path.relative(process.cwd(), path.join(dir, name)) || name);
}

function printSummary(report: CiReportInput, written: string[]): void {
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const { run } = report;
  const summary = summarizeRun(report.results);
  const out = [`\nrun ${run.id} ${run.status}`, renderSummaryTable(summary, { color })];
  const failures = renderFailures(report.results, { color, limit: 10 });
  if (failures) out.push(failures);
  if (report.cutShort) {
    out.push(
      `cut short: --max-time ${formatMs(report.cutShort.maxTimeMs)} reached after ${report.cutShort.finished} of ${report.cutShort.planned} items`,
    );
  }
  if (report.comparison) out.push('', renderComparisonText(report.comparison, { color }));
  out.push('', `wrote ${written.join(', ')}`, `assay ci: exit ${report.exitCode}: ${report.reason}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
