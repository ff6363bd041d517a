import { wilsonInterval } from '../../stats/wilson.js';
import type { ItemResult } from '../../types.js';
import { formatMs, formatPercent, formatScore, formatTokens, formatUsd, UNKNOWN } from '../format.js';
import { type RunSummary, summarizeRun, type TargetSummary } from '../summary.js';
import { groupByTarget } from './cases.js';
import { sumJudgeCost } from './text.js';

/** The per-target table of the Markdown and HTML exports, as display text. */
export interface TargetTable {
  headers: string[];
  /** Right-aligned (numeric) columns. */
  numeric: boolean[];
  rows: string[][];
}

const HEADERS: Array<[header: string, numeric: boolean]> = [
  ['target', false],
  ['pass rate', true],
  ['95% CI', true],
  ['mean score', true],
  ['p50', true],
  ['p95', true],
  ['tokens in/out', true],
  ['cost', true],
];

export function targetTable(results: readonly ItemResult[], summary = summarizeRun(results)): TargetTable {
  const byTarget = groupByTarget(results);
  return {
    headers: HEADERS.map(([header]) => header),
    numeric: HEADERS.map(([, numeric]) => numeric),
    rows: summary.byTarget.map((row) => targetCells(row, sumJudgeCost(byTarget.get(row.target) ?? []))),
  };
}

function targetCells(row: TargetSummary, judgeCostUsd: number | null): string[] {
  return [
    row.target,
    `${formatPercent(row.passRate)} (${row.passed}/${row.total})`,
    formatInterval(row.passed, row.total),
    formatScore(row.meanScore),
    formatMs(row.latencyP50Ms),
    formatMs(row.latencyP95Ms),
    formatTokenPair(row.inputTokens, row.outputTokens),
    formatCost(row.costUsd, row.costUnknown, judgeCostUsd),
  ];
}

/** The 95% Wilson interval of a pass rate, `55.2–95.3%`; `–` with nothing to estimate from. */
export function formatInterval(passed: number, total: number): string {
  if (total === 0) return UNKNOWN;
  const { low, high } = wilsonInterval(passed, total);
  return `${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%`;
}

export function formatTokenPair(input: number | null, output: number | null): string {
  if (input === null && output === null) return UNKNOWN;
  return `${formatTokens(input)}/${formatTokens(output)}`;
}

/**
 * Call cost plus judge cost, `$0.0150 (judge $0.0027)`. A `*` marks a lower bound: some results had
 * no known price.
 */
export function formatCost(costUsd: number | null, costUnknown: number, judgeCostUsd: number | null): string {
  const total = costUsd === null && judgeCostUsd === null ? null : (costUsd ?? 0) + (judgeCostUsd ?? 0);
  const text = `${formatUsd(total)}${total !== null && costUnknown > 0 ? '*' : ''}`;
  return judgeCostUsd ? `${text} (judge ${formatUsd(judgeCostUsd)})` : text;
}

/** The whole run's cost, judges included, as display text. */
export function formatRunCost(summary: RunSummary, results: readonly ItemResult[]): string {
  return formatCost(summary.costUsd, summary.costUnknown, sumJudgeCost(results));
}
