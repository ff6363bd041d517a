import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { columnWidths, formatUsd } from '../../report/format.js';
import type { CostDimension, CostRow } from '../../store/store.js';
import { parseDuration } from '../../util/duration.js';
import { type ProjectFlags, printJson, withReadOnlyStore } from './project-store.js';

const TIMEFRAMES = { day: '1d', week: '7d', month: '30d' } as const;
const BREAKDOWNS = ['provider', 'model', 'target', 'suite', 'task', 'user'] as const;

export interface CostsFlags extends ProjectFlags {
  timeframe: string;
  by?: string;
  since?: string;
  json?: boolean;
}

/** Time buckets when no --by is given: hours are too fine for a day, so days for a day or week, weeks for a month. */
function defaultBuckets(timeframe: keyof typeof TIMEFRAMES): CostDimension {
  return timeframe === 'month' ? 'week' : 'day';
}

export async function costsCommand(flags: CostsFlags): Promise<number> {
  if (!(flags.timeframe in TIMEFRAMES)) {
    throw new UserError(`unknown --timeframe "${flags.timeframe}"`, '--timeframe', 'use day, week or month');
  }
  const timeframe = flags.timeframe as keyof typeof TIMEFRAMES;
  if (flags.by !== undefined && !(BREAKDOWNS as readonly string[]).includes(flags.by)) {
    throw new UserError(`unknown --by "${flags.by}"`, '--by', `use one of ${BREAKDOWNS.join(', ')}`);
  }
  const by = (flags.by as CostDimension | undefined) ?? defaultBuckets(timeframe);
  const window = parseDuration(flags.since ?? TIMEFRAMES[timeframe], '--since');
  const since = Date.now() - window;
  return withReadOnlyStore(flags, async (store) => {
    const rows = costLines(await store.costBreakdown({ since, by }), by);
    const total = rows.reduce(
      (sum, row) => ({
        costUsd: sum.costUsd + row.costUsd,
        judgeCostUsd: sum.judgeCostUsd + row.judgeCostUsd,
        savedUsd: sum.savedUsd + row.savedUsd,
        calls: sum.calls + (row.calls ?? 0),
        cachedCalls: sum.cachedCalls + (row.cachedCalls ?? 0),
      }),
      { costUsd: 0, judgeCostUsd: 0, savedUsd: 0, calls: 0, cachedCalls: 0 },
    );
    if (flags.json) {
      printJson({ timeframe, by, since, rows, total });
      return EXIT.ok;
    }
    process.stdout.write(
      `costs of the last ${timeframe === 'day' ? 'day' : timeframe === 'week' ? '7 days' : '30 days'}${flags.since ? ` (--since ${flags.since})` : ''}, by ${by}\n`,
    );
    if (rows.length === 0) {
      process.stdout.write('no results in this period\n');
      return EXIT.ok;
    }
    process.stdout.write(`${renderCostTable(rows, { key: 'total', ...total }, by)}\n`);
    return EXIT.ok;
  });
}

/** A row of the costs table; the judges' row has no call counts (results do not record them). */
export interface CostLine extends Omit<CostRow, 'calls' | 'cachedCalls'> {
  calls: number | null;
  cachedCalls: number | null;
}

export const JUDGES_KEY = '(judges)';

/**
 * By model or provider, judge calls belong to the judge, not to the model whose output was judged:
 * their cost moves to one "(judges)" row. Results record what judging cost, but neither which
 * grader it was nor how many calls it took, so that row's call counts are null (shown as "-").
 */
export function costLines(rows: readonly CostRow[], by: CostDimension): CostLine[] {
  if (by !== 'model' && by !== 'provider') return [...rows];
  const judged = rows.reduce((sum, row) => sum + row.judgeCostUsd, 0);
  const lines: CostLine[] = rows.map((row) => ({ ...row, judgeCostUsd: 0 }));
  if (judged > 0) {
    lines.push({
      key: JUDGES_KEY,
      costUsd: 0,
      judgeCostUsd: judged,
      savedUsd: 0,
      calls: null,
      cachedCalls: null,
    });
  }
  return lines;
}

/** The table, total last; a count not known is "-", and the judges' row is explained below it. */
export function renderCostTable(rows: readonly CostLine[], total: CostLine, by: string): string {
  const table = [[by, 'calls', 'cached', 'model cost', 'judge cost', 'total', 'saved by cache']];
  for (const row of [...rows, total]) {
    table.push([
      row.key,
      row.calls === null ? '-' : String(row.calls),
      row.calls && row.cachedCalls !== null ? `${Math.round((row.cachedCalls / row.calls) * 100)}%` : '-',
      formatUsd(row.costUsd),
      formatUsd(row.judgeCostUsd),
      formatUsd(row.costUsd + row.judgeCostUsd),
      formatUsd(row.savedUsd),
    ]);
  }
  const widths = columnWidths(table);
  const lines = table.map((line) =>
    line
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  '),
  );
  lines.splice(lines.length - 1, 0, '─'.repeat(lines.at(-1)!.length));
  if (rows.some((row) => row.key === JUDGES_KEY)) {
    lines.push(
      `${JUDGES_KEY}: model-graded scorers' calls, moved out of the rows of the models they judged; results do not count those calls (-)`,
    );
  }
  return lines.join('\n');
}
