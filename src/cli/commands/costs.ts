import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { columnWidths, formatUsd } from '../../report/format.js';
import type { CostDimension } from '../../store/store.js';
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
    let rows = await store.costBreakdown({ since, by });
    // By model or provider, judge calls belong to the judge, not to the model whose output was
    // judged: their cost moves to one "(judges)" row (results do not record which grader it was).
    if (by === 'model' || by === 'provider') {
      const judged = rows.reduce((sum, row) => sum + row.judgeCostUsd, 0);
      rows = rows.map((row) => ({ ...row, judgeCostUsd: 0 }));
      if (judged > 0)
        rows.push({
          key: '(judges)',
          costUsd: 0,
          judgeCostUsd: judged,
          savedUsd: 0,
          calls: 0,
          cachedCalls: 0,
        });
    }
    const total = rows.reduce(
      (sum, row) => ({
        costUsd: sum.costUsd + row.costUsd,
        judgeCostUsd: sum.judgeCostUsd + row.judgeCostUsd,
        savedUsd: sum.savedUsd + row.savedUsd,
        calls: sum.calls + row.calls,
        cachedCalls: sum.cachedCalls + row.cachedCalls,
      }),
      { costUsd: 0, judgeCostUsd: 0, savedUsd: 0, calls: 0, cachedCalls: 0 },
    );
    if (flags.json) {
      printJson({ timeframe, by, since, rows, total });
      return EXIT.ok;
    }
    const table = [[by, 'calls', 'cached', 'model cost', 'judge cost', 'total', 'saved by cache']];
    for (const row of [...rows, { key: 'total', ...total }]) {
      table.push([
        row.key,
        String(row.calls),
        row.calls ? `${Math.round((row.cachedCalls / row.calls) * 100)}%` : '-',
        formatUsd(row.costUsd),
        formatUsd(row.judgeCostUsd),
        formatUsd(row.costUsd + row.judgeCostUsd),
        formatUsd(row.savedUsd),
      ]);
    }
    const widths = columnWidths(table);
    process.stdout.write(
      `costs of the last ${timeframe === 'day' ? 'day' : timeframe === 'week' ? '7 days' : '30 days'}${flags.since ? ` (--since ${flags.since})` : ''}, by ${by}\n`,
    );
    if (rows.length === 0) {
      process.stdout.write('no results in this period\n');
      return EXIT.ok;
    }
    table.forEach((line, index) => {
      const text = line
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  ');
      process.stdout.write(`${index === table.length - 1 ? `${'─'.repeat(text.length)}\n` : ''}${text}\n`);
    });
    return EXIT.ok;
  });
}
