import path from 'node:path';
import { FAIL_ON, type FailOn } from '../../compare/gate.js';
import { loadProject } from '../../config/load.js';
import { UserError } from '../../errors.js';
import { RunEventBus } from '../../executor/events.js';
import { type CiReportInput, renderCiMarkdown, toCiJson } from '../../report/compare-ci.js';
import { renderComparisonText } from '../../report/compare-terminal.js';
import { renderJunit } from '../../report/export/junit.js';
import { formatMs } from '../../report/format.js';
import { attachProgress } from '../../report/progress.js';
import { summarizeRun } from '../../report/summary.js';
import { renderFailures, renderSummaryTable } from '../../report/table.js';
import { ciCheck } from '../../runs/ci-check.js';
import { runOptionsFor } from '../../runs/options.js';
import { createRuntime } from '../../runtime.js';
import { storageFailure } from '../../store/failure.js';
import { preloadStore } from '../../store/open.js';
import { parseDuration } from '../../util/duration.js';
import { ensureFolder, writeOutputFile } from '../../util/output-files.js';
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
  // Checked before the store opens (the service checks it again, as every caller must).
  runOptionsFor(project, { suite: settings.suite });
  // Before the run: a report folder that cannot be made must not cost a run.
  await ensureFolder(flags.outDir ?? '.', '--out-dir');
  const opened = await openProjectStore(flags, project);
  const { store, cache } = opened;
  const runtime = createRuntime();
  const stderr = process.stderr;
  const bus = new RunEventBus();
  bus.on('lane-stopped', ({ target, message }) =>
    stderr.write(`\n${target}: stopping this provider lane for the rest of the run: ${message}\n`),
  );
  attachProgress(bus, {
    stream: stderr,
    tty: Boolean(stderr.isTTY),
    color: Boolean(stderr.isTTY) && !process.env.NO_COLOR,
  });
  const { stop, hard, dispose } = stopOnSignals(stderr);
  try {
    const report = await ciCheck(
      {
        store,
        cache: flags.cache === false || !project.config.defaults.cache ? null : cache,
        runtime,
        events: bus,
        env: process.env,
      },
      {
        project,
        ...settings,
        computeBaseline: flags.computeBaseline !== false,
        concurrency: flags.concurrency ?? project.config.defaults.concurrency,
        control: { stopSignal: stop.signal, hardSignal: hard.signal },
        log: (line) => stderr.write(`${line}\n`),
      },
    );
    const written = await writeReports(flags.outDir ?? '.', report);
    printSummary(report, written);
    return report.exitCode;
  } catch (error) {
    throw storageFailure(error, opened.location) ?? error;
  } finally {
    dispose();
    await store.close();
    await runtime.close();
  }
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

async function writeReports(outDir: string, report: CiReportInput): Promise<string[]> {
  const dir = path.resolve(outDir);
  const files: Array<[string, string]> = [
    [CI_FILES.markdown, renderCiMarkdown(report)],
    [
      CI_FILES.junit,
      renderJunit({ run: report.run, results: report.results, generatedAt: report.generatedAt }),
    ],
    [CI_FILES.json, `${JSON.stringify(toCiJson(report), null, 2)}\n`],
  ];
  for (const [name, text] of files) await writeOutputFile(path.join(dir, name), text, '--out-dir');
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
