import pc from 'picocolors';
import { loadProject } from '../../config/load.js';
import { UserError } from '../../errors.js';
import { RunEventBus } from '../../executor/events.js';
import { executeRun, type RunOutcome } from '../../executor/run.js';
import { formatUsd } from '../../report/format.js';
import { compactJsonReport, toJsonReport, toJsonResult } from '../../report/json.js';
import { attachProgress } from '../../report/progress.js';
import { RunSummarizer, summarizeRun } from '../../report/summary.js';
import { renderFailures, renderInsights, renderSummaryTable } from '../../report/table.js';
import { preloadStore } from '../../store/open.js';
import type { ItemResult, RunOptions, RunRecord } from '../../types.js';
import { EXIT } from '../exit-codes.js';
import { stopOnSignals } from '../stop-signals.js';
import { openProjectStore, requireRun } from './project-store.js';

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
  const { store, cache } = await openProjectStore(flags, project);
  try {
    let resume: RunRecord | undefined;
    if (flags.resume !== undefined) {
      const id = flags.resume === true ? 'latest' : flags.resume;
      resume = await requireRun(store, id, '--resume');
      if (resume.status === 'completed') {
        throw new UserError(
          `run ${resume.id} is already complete`,
          '--resume',
          'start a new run without --resume',
        );
      }
    }
    if (flags.first !== undefined && flags.sample !== undefined) {
      throw new UserError('--first and --sample cannot be combined', '--sample', 'use one of them');
    }
    if (flags.seed !== undefined && flags.sample === undefined) {
      throw new UserError('--seed only applies to --sample', '--seed', 'add --sample <n>, or drop --seed');
    }
    const suiteRepeat = flags.suite ? project.config.suites[flags.suite]?.repeat : undefined;
    const options: RunOptions = resume
      ? resume.options
      : {
          suite: flags.suite ?? null,
          filters: flags.filter,
          targets: flags.target,
          repeat: flags.repeat ?? suiteRepeat ?? project.config.defaults.repeat,
          ...(flags.repeat !== undefined ? { repeatForced: true } : {}),
          ...(flags.first !== undefined ? { first: flags.first } : {}),
          ...(flags.sample !== undefined ? { sample: { size: flags.sample, seed: flags.seed ?? '1' } } : {}),
        };
    const useCache = flags.cache && project.config.defaults.cache;

    const bus = new RunEventBus();
    const stderr = process.stderr;
    // A fresh run reports what it saw without keeping every result: a running summary, plus each
    // result's compact JSON (piped --json), every result (--json on a terminal, pretty-printed) or
    // only those that did not pass (the terminal report lists failures).
    const indent = process.stdout.isTTY ? 2 : undefined; // compact --json when piped to a tool
    const keepAll = flags.json === true && indent !== undefined;
    let seen = 0;
    const summarizer = new RunSummarizer();
    const kept: ItemResult[] = [];
    const texts: string[] = [];
    bus.on('item-end', ({ result }) => {
      seen++;
      summarizer.add(result);
      if (keepAll || (!flags.json && result.status !== 'passed')) kept.push(result);
      else if (flags.json) texts.push(JSON.stringify(toJsonResult(result)));
    });
    bus.on('run-start', ({ tasks }) => {
      const size = options.sample?.size;
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

    // First Ctrl-C: finish the calls in flight, save, mark the run interrupted. Second: stop now.
    const { stop, hard, dispose } = stopOnSignals(stderr);
    let outcome: RunOutcome;
    try {
      outcome = await executeRun({
        project,
        store,
        cache: useCache ? cache : null,
        options,
        concurrency: flags.concurrency ?? project.config.defaults.concurrency,
        ...(flags.maxCost !== undefined ? { maxCostUsd: flags.maxCost } : {}),
        ...(resume ? { resume } : {}),
        bus,
        stopSignal: stop.signal,
        hardSignal: hard.signal,
      });
    } finally {
      dispose();
    }

    // A fresh run saw every result; a resumed one also needs the earlier ones.
    const fresh = seen === outcome.run.totalItems;
    const results = fresh ? kept : await store.listResults({ runId: outcome.run.id });
    const summary = fresh ? summarizer.finish() : summarizeRun(results);
    if (flags.json && fresh && !keepAll) {
      for (const piece of compactJsonReport(outcome.run, summary, texts)) process.stdout.write(piece);
      process.stdout.write('\n');
    } else if (flags.json) {
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
      if (!flags.json)
        process.stdout.write(
          pc.yellow(
            `budget reached; finish later with: assay run --resume ${outcome.run.id} --max-cost <more>\n`,
          ),
        );
      return EXIT.budget;
    }
    if (outcome.status !== 'completed') return EXIT.aborted;
    return summary.failed + summary.errors > 0 ? EXIT.failures : EXIT.ok;
  } finally {
    await store.close();
    // Loaded only if a run reached the network; closing idle sockets lets the process exit now.
    const http = await import('../../providers/http.js');
    await http.closeHttpAgent();
  }
}
