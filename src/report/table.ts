import type { ItemResult } from '../types.js';
import {
  type Colors,
  colorsFor,
  columnWidths,
  failureReason,
  formatMs,
  formatPercent,
  formatScore,
  formatTokens,
  formatUsd,
  longestLength,
  plural,
  truncateLine,
  UNKNOWN,
} from './format.js';
import type { RunSummary, TargetSummary } from './summary.js';

export interface RenderOptions {
  /** Emit ANSI colors. The caller decides (TTY, `NO_COLOR`, `--no-color`); this module never guesses. */
  color: boolean;
}

export interface FailuresOptions extends RenderOptions {
  /** Most items listed before `… and N more`. @default 10 */
  limit?: number;
  /** How many did not pass in all, when `results` holds only the first of them. @default counted in `results` */
  count?: number;
}

// Pass-rate colors: green when nearly everything passes, red when most of the suite is broken.
const GOOD_PASS_RATE = 0.9;
const FAIR_PASS_RATE = 0.7;
const OUTPUT_CHARS = 80;
const REASON_CHARS = 80;
const NAME_CHARS = 40;

interface Cell {
  text: string;
  paint?: (text: string) => string;
}

interface Column {
  header: string;
  align: 'left' | 'right';
  cell: (row: TargetSummary, colors: Colors) => Cell;
}

const COLUMNS: Column[] = [
  { header: 'target', align: 'left', cell: (row) => ({ text: row.target }) },
  {
    header: 'pass rate',
    align: 'right',
    cell: (row, colors) => ({
      text: `${formatPercent(row.passRate)} (${row.passed}/${row.total})`,
      paint: passRateColor(row.passRate, colors),
    }),
  },
  {
    header: '95% CI',
    align: 'right',
    cell: (row) => ({ text: formatInterval(row.passRateInterval) }),
  },
  {
    header: 'score',
    align: 'right',
    cell: (row) => ({
      text: row.meanScoreInterval
        ? `${formatScore(row.meanScore)} ±${formatScore((row.meanScoreInterval.high - row.meanScoreInterval.low) / 2)}`
        : formatScore(row.meanScore),
    }),
  },
  { header: 'p50', align: 'right', cell: (row) => ({ text: formatMs(row.latencyP50Ms) }) },
  { header: 'p95', align: 'right', cell: (row) => ({ text: formatMs(row.latencyP95Ms) }) },
  {
    header: 'tokens in/out',
    align: 'right',
    cell: (row) => ({ text: formatTokenPair(row.inputTokens, row.outputTokens) }),
  },
  { header: 'cost', align: 'right', cell: (row) => ({ text: formatCost(row.costUsd, row.costUnknown) }) },
  {
    header: 'errors',
    align: 'left',
    cell: (row, colors) => ({
      text: formatErrors(row.errors, row.errorsByCategory),
      paint: row.errors > 0 ? colors.red : undefined,
    }),
  },
];

/** One aligned row per target, a header, and a totals line; no trailing newline. */
export function renderSummaryTable(summary: RunSummary, options: RenderOptions): string {
  const colors = colorsFor(options.color);
  if (summary.byTarget.length === 0) return colors.dim('No results.');

  const rows = summary.byTarget.map((row) => COLUMNS.map((column) => column.cell(row, colors)));
  const widths = columnWidths([
    COLUMNS.map((column) => column.header),
    ...rows.map((cells) => cells.map((cell) => cell.text)),
  ]);
  const pad = (text: string, index: number): string => {
    const width = widths[index] ?? 0;
    return COLUMNS[index]?.align === 'right' ? text.padStart(width) : text.padEnd(width);
  };
  const join = (cells: string[]): string => cells.join('  ').trimEnd();

  const lines = [
    colors.bold(join(COLUMNS.map((column, index) => pad(column.header, index)))),
    colors.dim('─'.repeat(widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1))),
    ...rows.map((cells) =>
      join(
        cells.map((cell, index) => {
          const padded = pad(cell.text, index);
          if (cell.text === UNKNOWN) return colors.dim(padded);
          return cell.paint ? cell.paint(padded) : padded;
        }),
      ),
    ),
    renderTotals(summary, colors),
  ];
  if (summary.costUnknown > 0) {
    lines.push(
      colors.dim(`* cost is a lower bound: ${plural(summary.costUnknown, 'result')} had no known price`),
    );
  }
  return lines.join('\n');
}

function renderTotals(summary: RunSummary, colors: Colors): string {
  const passed = `${formatPercent(summary.passRate)} passed (${summary.passed}/${summary.total})`;
  const parts = [
    plural(summary.total, 'result'),
    passRateColor(summary.passRate, colors)(passed),
    `${summary.failed} failed`,
    summary.errors > 0
      ? colors.red(`${plural(summary.errors, 'error')} ${errorDetail(summary.errorsByCategory)}`)
      : '0 errors',
    `tokens ${formatTokenPair(summary.inputTokens, summary.outputTokens)}`,
    `cost ${formatCost(summary.costUsd, summary.costUnknown)}`,
  ];
  if (summary.judgeCostUsd > 0) parts.push(`judge ${formatUsd(summary.judgeCostUsd)}`);
  if (summary.savedUsd > 0) parts.push(`cache saved ${formatUsd(summary.savedUsd)}`);
  if (summary.cachedCount > 0) parts.push(`${summary.cachedCount} cached`);
  if (summary.fallbackCount > 0) parts.push(`${summary.fallbackCount} served by a fallback target`);
  if (summary.costDivergenceCount > 0)
    parts.push(`${summary.costDivergenceCount} with a provider-reported cost >1% off our price`);
  return `${colors.bold('total')}  ${parts.join(colors.dim(' · '))}`;
}

/** `62–96%`: a rate interval in whole percent. */
function formatInterval(interval: { low: number; high: number }): string {
  return `${Math.round(interval.low * 100)}–${Math.round(interval.high * 100)}%`;
}

/**
 * Named metrics, repeat statistics and flaky tasks, when the run has them; empty string otherwise.
 */
export function renderInsights(summary: RunSummary, options: FailuresOptions): string {
  const colors = colorsFor(options.color);
  const limit = Math.max(0, options.limit ?? 10);
  const lines: string[] = [];
  const multi = summary.byTarget.length > 1;
  for (const row of summary.byTarget) {
    const prefix = multi ? `${row.target}: ` : '';
    if (row.metrics.length > 0) {
      const metrics = row.metrics.map(
        (metric) =>
          `${metric.name} ${formatScore(metric.mean)}${metric.interval ? ` [${formatScore(metric.interval.low)}–${formatScore(metric.interval.high)}]` : ''} (n=${metric.n})`,
      );
      lines.push(`${colors.bold('metrics')}  ${prefix}${metrics.join(colors.dim(' · '))}`);
    }
    if (row.repeats) {
      const { repeats } = row;
      lines.push(
        `${colors.bold('repeats')}  ${prefix}${plural(repeats.tasks, 'task')} repeated · pass_all ${formatPercent(repeats.passAllRate)} · pass_any ${formatPercent(repeats.passAnyRate)} · mean SE ${formatScore(repeats.meanStandardError)} · ${repeats.flaky.length} flaky`,
      );
      for (const flaky of repeats.flaky.slice(0, limit)) {
        lines.push(
          `  ${colors.yellow('FLAKY')}  ${truncateLine(flaky.taskId, NAME_CHARS)}  ${flaky.passed}/${flaky.repeats} passed · mean ${formatScore(flaky.meanScore)} ± ${formatScore(flaky.standardError)} (SE)`,
        );
      }
      if (repeats.flaky.length > limit)
        lines.push(colors.dim(`  … and ${repeats.flaky.length - limit} more flaky`));
    }
  }
  return lines.join('\n');
}

function passRateColor(rate: number, colors: Colors): (text: string) => string {
  if (rate >= GOOD_PASS_RATE) return colors.green;
  if (rate >= FAIR_PASS_RATE) return colors.yellow;
  return colors.red;
}

function formatTokenPair(input: number | null, output: number | null): string {
  if (input === null && output === null) return UNKNOWN;
  return `${formatTokens(input)}/${formatTokens(output)}`;
}

// A `*` marks a sum that leaves out results without a known price.
function formatCost(costUsd: number | null, unknown: number): string {
  const text = formatUsd(costUsd);
  return costUsd !== null && unknown > 0 ? `${text}*` : text;
}

/** `0`, or `3 (rate_limit 2, timeout 1)`. */
function formatErrors(count: number, byCategory: Record<string, number>): string {
  return count === 0 ? '0' : `${count} ${errorDetail(byCategory)}`;
}

// Most frequent category first.
function errorDetail(byCategory: Record<string, number>): string {
  const detail = Object.entries(byCategory)
    .sort(([nameA, countA], [nameB, countB]) => countB - countA || nameA.localeCompare(nameB))
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return `(${detail})`;
}

/**
 * Failed and errored items, one line each: status, task id, target, the reason (first failing
 * score, or the error) and the start of the output. Empty string when nothing failed.
 */
export function renderFailures(results: readonly ItemResult[], options: FailuresOptions): string {
  const limit = Math.max(0, options.limit ?? 10);
  const colors = colorsFor(options.color);
  const shown: ItemResult[] = [];
  let count = 0;
  for (const result of results) {
    if (result.status === 'passed') continue;
    count++;
    if (shown.length < limit) shown.push(result);
  }
  count = Math.max(count, options.count ?? 0);
  if (count === 0) return '';

  const rows = shown.map((result) => ({
    status: result.status === 'error' ? 'ERROR' : 'FAIL',
    task: truncateLine(result.repeat > 0 ? `${result.taskId} #${result.repeat}` : result.taskId, NAME_CHARS),
    target: truncateLine(result.targetName, NAME_CHARS),
    detail: failureDetail(result),
  }));
  const taskWidth = longestLength(rows.map((row) => row.task));
  const targetWidth = longestLength(rows.map((row) => row.target));
  const lines = [colors.bold(`Failures (${count}):`)];
  for (const row of rows) {
    const status = row.status === 'ERROR' ? colors.yellow('ERROR') : colors.red('FAIL ');
    lines.push(
      `  ${status}  ${row.task.padEnd(taskWidth)}  ${row.target.padEnd(targetWidth)}  ${row.detail}`,
    );
  }
  if (count > shown.length) lines.push(colors.dim(`  … and ${count - shown.length} more`));
  return lines.join('\n');
}

function failureDetail(result: ItemResult): string {
  const reason = failureReason(result, REASON_CHARS);
  if (result.output === null) return reason;
  return `${reason} · output: "${truncateLine(result.output, OUTPUT_CHARS)}"`;
}
