import pc from 'picocolors';
import { loadProject } from '../../config/load.js';
import { RunEventBus } from '../../executor/events.js';
import type { RunOutcome } from '../../executor/run.js';
import { EXIT } from '../../exit-codes.js';
import { formatUsd } from '../../report/format.js';
import { compactJsonReport, toJsonReport, toJsonResult } from '../../report/json.js';
import { attachProgress } from '../../report/progress.js';
import { RunSummarizer, summarizeRun } from '../../report/summary.js';
import { renderFailures, renderInsights, renderSummaryTable } from '../../report/table.js';
import { type RunDeps, resumeRun, startRun } from '../../runs/execute.js';
import { type RunSelection, runOptionsFor } from '../../runs/options.js';
import { createRuntime } from '../../runtime.js';
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
  const { store, cache } = await openProjectStore(flags, project);
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
  } finally {
    dispose();
    await store.close();
    await runtime.close();
  }
}

/** What a command saw of a run while it executed, for the report at the end. */
export interface WatchedRun {
  seen: number;
  summarizer: RunSummarizer;
  /** Results kept for the report: every one (pretty --json), or those that did not pass. */
  kept: ItemResult[];
  /** Each result's compact JSON (piped --json). */
  texts: string[];
  keepAll: boolean;
}

/**
 * Follows a run on stderr (progress, cost projection, warnings) and keeps what the final report
 * needs without keeping every result: a running summary, plus each result's compact JSON (piped
 * --json), every result (--json on a terminal) or only those that did not pass.
 */
export function watchRun(
  bus: RunEventBus,
  flags: { json: boolean; progress: RunFlags['progress'] },
): WatchedRun {
  const stderr = process.stderr;
  const keepAll = flags.json && Boolean(process.stdout.isTTY);
  const watched: WatchedRun = { seen: 0, summarizer: new RunSummarizer(), kept: [], texts: [], keepAll };
  bus.on('item-end', ({ result }) => {
    watched.seen++;
    watched.summarizer.add(result);
    if (keepAll || (!flags.json && result.status !== 'passed')) watched.kept.push(result);
    else if (flags.json) watched.texts.push(JSON.stringify(toJsonResult(result)));
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
  // A fresh run saw every result; a resumed or retried one also needs the others.
  const fresh = watched.seen === outcome.run.totalItems;
  const results = fresh ? watched.kept : await store.listResults({ runId: outcome.run.id });
  const summary = fresh ? watched.summarizer.finish() : summarizeRun(results);
  const indent = process.stdout.isTTY ? 2 : undefined; // compact --json when piped to a tool
  if (json && fresh && !watched.keepAll) {
    for (const piece of compactJsonReport(outcome.run, summary, watched.texts)) process.stdout.write(piece);
    process.stdout.write('\n');
  } else if (json) {
    process.stdout.write(`${JSON.stringify(toJsonReport(outcome.run, summary, results), null, indent)}\n`);
  } else {
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    const out = [
      `\nrun ${outcome.run.id} ${outcome.status} · dataset ${outcome.run.fingerprint.datasetVersion}`,
      renderSummaryTable(summary, { color }),
    ];
    const insights = renderInsights(summary, { color, limit: 10 });
    if (insights) out.push(insights);
    const failures = renderFailures(results, { color, limit: 10 });
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
