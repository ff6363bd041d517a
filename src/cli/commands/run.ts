import pc from 'picocolors';
import { loadProject } from '../../config/load.js';
import { RunEventBus } from '../../executor/events.js';
import type { RunOutcome } from '../../executor/run.js';
import { EXIT } from '../../exit-codes.js';
import { formatUsd } from '../../report/format.js';
import { JsonReportStream, toJsonReport } from '../../report/json.js';
import { attachProgress } from '../../report/progress.js';
import { RunSummarizer, summarizeRun } from '../../report/summary.js';
import { renderFailures, renderInsights, renderSummaryTable } from '../../report/table.js';
import { type RunDeps, resumeRun, startRun } from '../../runs/execute.js';
import { type RunSelection, runOptionsFor } from '../../runs/options.js';
import { createRuntime } from '../../runtime.js';
import { storageFailure } from '../../store/failure.js';
import { preloadStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import type { ItemResult } from '../../types.js';
import { stopOnSignals } from '../stop-signals.js';
import { openProjectStore } from './project-store.js';

export interface RunFlags {
  config?: string;
  suite?: string;
  filter: string[];
  target: string[];
  concurrency?: number;
  repeat?: number;
  first?: number;
  sample?: number;
  seed?: string;
  cache: boolean;
  maxCost?: number;
  resume?: string | true;
  json?: boolean;
  db?: string;
  progress: 'auto' | 'bar' | 'lines' | 'none';
}

export async function runCommand(flags: RunFlags): Promise<number> {
  preloadStore();
  const project = await loadProject({ ...(flags.config ? { configPath: flags.config } : {}) });
  const selection: RunSelection = {
    ...(flags.suite !== undefined ? { suite: flags.suite } : {}),
    filters: flags.filter,
    targets: flags.target,
    ...(flags.repeat !== undefined ? { repeat: flags.repeat } : {}),
    ...(flags.first !== undefined ? { first: flags.first } : {}),
    ...(flags.sample !== undefined ? { sample: flags.sample } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
  };
  // Checked before the store opens: a bad flag never touches the database.
  const resumeId = flags.resume === undefined ? undefined : flags.resume === true ? 'latest' : flags.resume;
  const newOptions = resumeId === undefined ? runOptionsFor(project, selection) : undefined;
  const opened = await openProjectStore(flags, project);
  const { store, cache } = opened;
  const runtime = createRuntime();
  const useCache = flags.cache && project.config.defaults.cache;
  const bus = new RunEventBus();
  const watched = watchRun(bus, { json: flags.json === true, progress: flags.progress });
  // First Ctrl-C: finish the calls in flight, save, mark the run interrupted. Second: stop now.
  const { stop, hard, dispose } = stopOnSignals(process.stderr);
  try {
    const deps: RunDeps = { store, cache: useCache ? cache : null, runtime, events: bus, env: process.env };
    const execution = {
      project,
      concurrency: flags.concurrency ?? project.config.defaults.concurrency,
      ...(flags.maxCost !== undefined ? { maxCostUsd: flags.maxCost } : {}),
      control: { stopSignal: stop.signal, hardSignal: hard.signal },
    };
    const outcome = newOptions
      ? await startRun(deps, { ...execution, options: newOptions })
      : await resumeRun(deps, { ...execution, runId: resumeId!, selection });
    // Signals stay caught until the report is out: a late Ctrl-C must not cut the summary.
    return await renderRunOutcome(outcome, store, watched, flags.json === true);
  } catch (error) {
    throw storageFailure(error, opened.location) ?? error;
  } finally {
    dispose();
    await store.close();
    await runtime.close();
  }
}

/** What a command saw of a run while it executed, for the report at the end (bounded in size). */
export interface WatchedRun {
  seen: number;
  summarizer: RunSummarizer;
  /** The first results that did not pass (the terminal report lists ten of them). */
  failures: ItemResult[];
  failureCount: number;
  /** The run started with no result stored, so the command sees every one of its results. */
  fromStart: boolean;
  /** Piped --json on a run seen from its start: results written out as they come. */
  stream: JsonReportStream | null;
  /** --json on a terminal: every result, pretty-printed at the end. */
  all: ItemResult[] | null;
}

const FAILURES_SHOWN = 10;

/**
 * Follows a run on stderr (progress, cost projection, warnings) and keeps what the final report
 * needs without keeping every result: a running summary and the first failures; with --json piped,
 * each result is written to stdout as it comes (on a terminal, --json keeps them to pretty-print).
 */
export function watchRun(
  bus: RunEventBus,
  flags: { json: boolean; progress: RunFlags['progress'] },
): WatchedRun {
  const stderr = process.stderr;
  const pretty = flags.json && Boolean(process.stdout.isTTY);
  const watched: WatchedRun = {
    seen: 0,
    summarizer: new RunSummarizer(),
    failures: [],
    failureCount: 0,
    fromStart: false,
    stream: null,
    all: pretty ? [] : null,
  };
  bus.on('run-start', ({ skipped }) => {
    watched.fromStart = skipped === 0;
    if (flags.json && !pretty && watched.fromStart)
      watched.stream = new JsonReportStream((piece) => process.stdout.write(piece));
  });
  bus.on('item-end', ({ result }) => {
    watched.seen++;
    watched.summarizer.add(result);
    watched.stream?.add(result);
    watched.all?.push(result);
    if (result.status !== 'passed') {
      watched.failureCount++;
      if (watched.failures.length < FAILURES_SHOWN) watched.failures.push(result);
    }
  });
  bus.on('run-start', ({ run, tasks }) => {
    const size = run.options.sample?.size;
    if (size !== undefined && tasks !== undefined && tasks < size) {
      stderr.write(
        `note: --sample ${size} asked for more tasks than the ${tasks} selected: running all of them\n`,
      );
    }
  });
  bus.on('run-start', ({ projectedCostUsd, budgetUsd, total, skipped }) => {
    if (total === skipped || flags.progress === 'none') return;
    const projected =
      projectedCostUsd === null || projectedCostUsd === undefined
        ? 'unknown (no price for some targets)'
        : `at most ${formatUsd(projectedCostUsd)} (cached answers cost nothing)`;
    const budget =
      budgetUsd === null || budgetUsd === undefined ? '' : `; budget left ${formatUsd(budgetUsd)}`;
    stderr.write(`projected cost: ${projected}${budget}\n`);
  });
  bus.on('budget-warning', ({ capUsd, spentUsd }) =>
    stderr.write(`\nwarning: ${formatUsd(spentUsd)} spent of the ${formatUsd(capUsd)} budget\n`),
  );
  bus.on('lane-stopped', ({ target, message }) =>
    stderr.write(`\n${target}: stopping this provider lane for the rest of the run: ${message}\n`),
  );
  const mode = flags.progress === 'auto' ? (stderr.isTTY ? 'bar' : 'lines') : flags.progress;
  if (mode !== 'none')
    attachProgress(bus, {
      stream: stderr,
      tty: mode === 'bar',
      color: Boolean(stderr.isTTY) && !process.env.NO_COLOR,
    });
  return watched;
}

/** Prints a finished run (summary table and failures, or JSON) and returns the exit code. */
export async function renderRunOutcome(
  outcome: RunOutcome,
  store: Store,
  watched: WatchedRun,
  json: boolean,
): Promise<number> {
  // A run seen from its start saw every result; a resumed or retried one also needs the others.
  const results = watched.fromStart ? null : await store.listResults({ runId: outcome.run.id });
  const summary = results ? summarizeRun(results) : watched.summarizer.finish();
  if (watched.stream) {
    watched.stream.finish(outcome.run, summary);
    process.stdout.write('\n');
  } else if (json) {
    const indent = process.stdout.isTTY ? 2 : undefined;
    process.stdout.write(
      `${JSON.stringify(toJsonReport(outcome.run, summary, results ?? watched.all ?? []), null, indent)}\n`,
    );
  } else {
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    const out = [
      `\nrun ${outcome.run.id} ${outcome.status} · dataset ${outcome.run.fingerprint.datasetVersion}`,
      renderSummaryTable(summary, { color }),
    ];
    const insights = renderInsights(summary, { color, limit: 10 });
    if (insights) out.push(insights);
    const failures = results
      ? renderFailures(results, { color, limit: FAILURES_SHOWN })
      : renderFailures(watched.failures, { color, limit: FAILURES_SHOWN, count: watched.failureCount });
    if (failures) out.push(failures);
    if (outcome.status === 'interrupted')
      out.push(pc.yellow(`resume with: assay run --resume ${outcome.run.id}`));
    process.stdout.write(`${out.join('\n')}\n`);
  }
  if (outcome.status === 'budget_exceeded') {
    if (!json)
      process.stdout.write(
        pc.yellow(
          `budget reached; finish later with: assay run --resume ${outcome.run.id} --max-cost <more>\n`,
        ),
      );
    return EXIT.budget;
  }
  if (outcome.status !== 'completed') return EXIT.aborted;
  return summary.failed + summary.errors > 0 ? EXIT.failures : EXIT.ok;
}
