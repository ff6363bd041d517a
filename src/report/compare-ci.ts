import type { RunComparison } from '../compare/compare.js';
import type { FailOn, GateOutcome } from '../compare/gate.js';
import type { ItemResult, RunRecord } from '../types.js';
import { type CompareJson, toCompareJson } from './compare-json.js';
import { code, renderComparisonMarkdown } from './compare-markdown.js';
import { escapeMarkdown, GITHUB_COMMENT_LIMIT, renderMarkdown } from './export/markdown.js';
import { formatMs, plural } from './format.js';
import { type RunSummary, summarizeRun } from './summary.js';

/** Hidden line that lets a CI job find and update its own PR comment instead of adding another. */
export const REPORT_MARKER = '<!-- assay-report -->';
/** Bumped on any breaking change to {@link CiJson}. */
export const CI_JSON_VERSION = 1;

export interface CiReportInput {
  run: RunRecord;
  results: ItemResult[];
  baseline: { run: RunRecord | null; how: string; note: string | null };
  comparison: RunComparison | null;
  gate: GateOutcome;
  /** The gate asked for on the command line (or its default). */
  requestedFailOn: FailOn;
  allowFail: string[];
  minPassRate: number | null;
  exitCode: number;
  /** One line: why the exit code is what it is. */
  reason: string;
  /** Set when `--max-time` stopped the run before every item ran. */
  cutShort: { maxTimeMs: number; finished: number; planned: number } | null;
  /** A link to the CI job, when known. */
  detailsUrl: string | null;
  generatedAt: number;
}

/** `assay-report.json`: everything the Markdown says, for scripts. */
export interface CiJson {
  schemaVersion: typeof CI_JSON_VERSION;
  exitCode: number;
  reason: string;
  gate: {
    failOn: FailOn;
    requestedFailOn: FailOn;
    passed: boolean;
    violations: string[];
    allowFail: string[];
    allowedFailures: number;
    minPassRate: number | null;
  };
  run: {
    id: string;
    status: RunRecord['status'];
    suite: string | null;
    startedAt: string;
    finishedAt: string | null;
    totalItems: number;
    cutShort: { maxTimeMs: number; finished: number; planned: number } | null;
  };
  summary: RunSummary;
  baseline: { id: string | null; how: string; note: string | null };
  comparison: CompareJson | null;
}

const HEADLINES: Record<number, string> = {
  0: '✅ Assay CI passed',
  1: '❌ Assay CI failed',
  3: '⛔ Assay CI: the run was aborted',
  4: '💸 Assay CI: the budget was reached',
};

/**
 * The PR comment: marker, headline and the exit reason, a time-limit warning when the run was cut
 * short, the comparison with the baseline, then the run's own report. Fits in one GitHub comment.
 */
export function renderCiMarkdown(input: CiReportInput, limit = GITHUB_COMMENT_LIMIT): string {
  const { run } = input;
  const head = [
    REPORT_MARKER,
    `## ${HEADLINES[input.exitCode] ?? `Assay CI: exit ${input.exitCode}`}`,
    '',
    `**Exit ${input.exitCode}**: ${escapeMarkdown(input.reason)}`,
    '',
    `Gate ${code(`--fail-on ${input.gate.failOn}`)}${gateExtras(input)} · suite ${code(run.options.suite ?? '(all)')} · run ${code(run.id)}`,
  ];
  if (input.cutShort) {
    const { maxTimeMs, finished, planned } = input.cutShort;
    head.push(
      '',
      '> [!WARNING]',
      `> The run was cut short at the ${formatMs(maxTimeMs)} time limit (\`--max-time\`): ${finished} of ${plural(planned, 'planned item')} finished. The gate judged only those.`,
    );
  }
  head.push('', `### Baseline: ${escapeMarkdown(input.baseline.how)}`, '');
  if (input.baseline.run && input.comparison) {
    head.push(renderComparisonMarkdown(input.comparison, { level: 4 }));
  } else {
    head.push(
      `No baseline${input.baseline.note ? `: ${escapeMarkdown(input.baseline.note)}` : ''}. Gating on failures only.`,
    );
  }
  head.push('', '### How to look closer', '', ...commands(input));
  const top = `${head.join('\n')}\n\n---\n\n`;
  const runPart = renderMarkdown(
    { run, results: input.results, generatedAt: input.generatedAt },
    Math.max(4000, limit - top.length),
  );
  const text = `${top}${runPart}`;
  if (text.length <= limit) return text;
  // The comparison alone is too long: keep its beginning, say so, and keep the marker.
  const note = '\n\n_The report was cut to fit in a GitHub comment; `assay-report.json` has everything._\n';
  return `${text.slice(0, limit - note.length)}${note}`;
}

function gateExtras(input: CiReportInput): string {
  const extras: string[] = [];
  if (input.requestedFailOn !== input.gate.failOn) extras.push(` (asked: ${input.requestedFailOn})`);
  if (input.minPassRate !== null) extras.push(` · ${code(`--min-pass-rate ${input.minPassRate}`)}`);
  for (const pattern of input.allowFail) extras.push(` · ${code(`--allow-fail ${pattern}`)}`);
  if (input.gate.allowedFailures > 0)
    extras.push(` (${plural(input.gate.allowedFailures, 'allowed failure')})`);
  return extras.join('');
}

function commands(input: CiReportInput): string[] {
  const { run } = input;
  const lines = [`- All failures: ${code(`assay results --run ${run.id} --failed`)}`];
  if (input.baseline.run) {
    lines.push(`- This comparison: ${code(`assay compare ${input.baseline.run.id} ${run.id}`)}`);
  }
  const suite = run.options.suite ? ` --suite ${run.options.suite}` : '';
  lines.push(`- Trend: ${code(`assay history${suite}`)}`);
  if (input.detailsUrl) lines.push(`- [CI job, with the HTML report as an artifact](${input.detailsUrl})`);
  return lines;
}

export function toCiJson(input: CiReportInput): CiJson {
  const { run } = input;
  return {
    schemaVersion: CI_JSON_VERSION,
    exitCode: input.exitCode,
    reason: input.reason,
    gate: {
      failOn: input.gate.failOn,
      requestedFailOn: input.requestedFailOn,
      passed: input.gate.passed,
      violations: [...input.gate.violations],
      allowFail: [...input.allowFail],
      allowedFailures: input.gate.allowedFailures,
      minPassRate: input.minPassRate,
    },
    run: {
      id: run.id,
      status: run.status,
      suite: run.options.suite,
      startedAt: new Date(run.startedAt).toISOString(),
      finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
      totalItems: run.totalItems,
      cutShort: input.cutShort ? { ...input.cutShort } : null,
    },
    summary: summarizeRun(input.results),
    baseline: { id: input.baseline.run?.id ?? null, how: input.baseline.how, note: input.baseline.note },
    comparison: input.comparison ? toCompareJson(input.comparison) : null,
  };
}
