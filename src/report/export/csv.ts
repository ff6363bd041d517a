import type { ItemResult } from '../../types.js';
import type { ExportInput } from './input.js';

type Cell = string | number | boolean | null | undefined;

interface Column {
  header: string;
  value: (result: ItemResult) => Cell;
}

/** The columns, in order. Append new ones at the end: scripts read them by position too. */
export const CSV_COLUMNS: readonly Column[] = [
  { header: 'run_id', value: (result) => result.runId },
  { header: 'item_id', value: (result) => result.itemId },
  { header: 'task_id', value: (result) => result.taskId },
  { header: 'task_version', value: (result) => result.taskVersion },
  { header: 'target', value: (result) => result.targetName },
  { header: 'repeat', value: (result) => result.repeat },
  { header: 'status', value: (result) => result.status },
  { header: 'score', value: (result) => result.score },
  { header: 'latency_ms', value: (result) => result.latencyMs },
  { header: 'input_tokens', value: (result) => result.usage.inputTokens },
  { header: 'output_tokens', value: (result) => result.usage.outputTokens },
  { header: 'cost_usd', value: (result) => result.costUsd },
  { header: 'judge_cost_usd', value: (result) => result.judgeCostUsd },
  { header: 'cached', value: (result) => result.cached },
  { header: 'error_category', value: (result) => result.error?.category },
  { header: 'error_message', value: (result) => result.error?.message },
  { header: 'output', value: (result) => result.output },
  { header: 'failed_assertions', value: failedAssertions },
];

/**
 * One row per result, RFC 4180: CRLF between records, fields quoted when they hold a comma, quote
 * or line break, quotes doubled. Unknown values are empty fields.
 */
export function renderCsv(input: ExportInput): string {
  const lines = [CSV_COLUMNS.map((column) => quoteField(column.header)).join(',')];
  for (const result of input.results) {
    lines.push(CSV_COLUMNS.map((column) => formatCell(column.value(result))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** `name: reason` of every failing score, separated by `; `. */
function failedAssertions(result: ItemResult): string {
  return result.scores
    .filter((score) => !score.pass)
    .map((score) => (score.reason ? `${score.name}: ${score.reason}` : score.name))
    .join('; ');
}

// Only text gets the formula guard: numbers and booleans are written as plain values.
function formatCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return quoteField(neutralizeFormula(value));
}

// Spreadsheets run a cell starting with one of these as a formula (`=HYPERLINK(…)`, `@SUM(…)`).
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Prefixes `'` to text that a spreadsheet would evaluate (OWASP CSV injection). A plain signed number
 * such as `-5` is left alone: it is read as that number, never as a formula.
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function quoteField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
