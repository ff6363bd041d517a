import { type HistoryPoint, markChanges, pointFromResults, pointFromStats } from '../../compare/history.js';
import { normalizeMetric, PASS_RATE, SCORE } from '../../compare/metrics.js';
import { sparkline } from '../../compare/sparkline.js';
import { UserError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { metricLabel } from '../../report/compare-format.js';
import {
  colorsFor,
  columnWidths,
  formatPercent,
  formatScore,
  formatUsd,
  plural,
  UNKNOWN,
} from '../../report/format.js';
import { nearestName } from '../../util/suggest.js';
import {
  formatDate,
  type ProjectFlags,
  printJson,
  storedTargetName,
  withReadOnlyStore,
} from './project-store.js';

export interface HistoryFlags extends ProjectFlags {
  suite?: string;
  target?: string;
  metric?: string;
  limit?: string;
  json?: boolean;
}

/** Bumped on any breaking change to the `--json` document. */
const HISTORY_JSON_VERSION = 1;

/** `assay history`: one metric over the newest runs, oldest first, with a sparkline. */
export async function historyCommand(flags: HistoryFlags): Promise<number> {
  const limit = Number(flags.limit ?? '20');
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UserError(
      `--limit must be a whole number from 1 up, got "${flags.limit}"`,
      '--limit',
      'e.g. --limit 50',
    );
  }
  const metric = normalizeMetric(flags.metric ?? PASS_RATE);
  if (metric === '') throw new UserError('--metric must not be empty', '--metric', 'e.g. --metric score');
  return withReadOnlyStore(flags, async (store) => {
    const target = flags.target ? await storedTargetName(store, flags.target) : undefined;
    const listings = (
      await store.listRuns({
        ...(flags.suite ? { suite: flags.suite } : {}),
        ...(target ? { target } : {}),
        limit,
      })
    ).reverse();
    const runs = listings.map((listing) => listing.run);
    const points: HistoryPoint[] = [];
    /** Named metrics the runs read have, for a did-you-mean. */
    const named = new Set<string>();
    for (const { run, stats } of listings) {
      // The whole-run pass rate is in the stored aggregates; anything finer reads the results.
      if (metric === PASS_RATE && target === undefined) points.push(pointFromStats(run, stats));
      else {
        const results = await store.listResults({
          runId: run.id,
          ...(target ? { targetName: target } : {}),
        });
        for (const result of results)
          for (const score of result.scores) if (score.metric) named.add(score.metric);
        points.push(pointFromResults(run, results, metric));
      }
    }
    markChanges(points, runs, target);
    if (
      metric !== PASS_RATE &&
      metric !== SCORE &&
      points.length > 0 &&
      points.every((p) => p.value === null)
    ) {
      const known = [PASS_RATE, SCORE, ...[...named].sort()];
      const nearest = nearestName(metric, known);
      throw new UserError(
        `no run here has the metric "${metric}"${nearest ? `; did you mean "${nearest}"?` : ''}`,
        '--metric',
        named.size > 0
          ? `metrics of these runs: ${known.join(', ')}`
          : 'use pass_rate, score, or a name given with `metric:` on assertions',
      );
    }
    if (flags.json) {
      printJson({
        schemaVersion: HISTORY_JSON_VERSION,
        suite: flags.suite ?? null,
        target: target ?? null,
        metric,
        runs: points.map((point) => ({ ...point, startedAt: new Date(point.startedAt).toISOString() })),
      });
      return EXIT.ok;
    }
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    process.stdout.write(`${renderHistory(points, { metric, suite: flags.suite, target, color })}\n`);
    return EXIT.ok;
  });
}

export interface HistoryRenderOptions {
  metric: string;
  suite: string | undefined;
  target: string | undefined;
  color: boolean;
}

/** The trend line, then one row per run (oldest first); `*` marks a prompt or target change. */
export function renderHistory(points: readonly HistoryPoint[], options: HistoryRenderOptions): string {
  const colors = colorsFor(options.color);
  const scope = [
    options.suite ? `suite ${options.suite}` : 'all suites',
    options.target ? `target ${options.target}` : 'all targets',
  ].join(' · ');
  if (points.length === 0) return colors.dim(`No runs (${scope}).`);
  const format = options.metric === PASS_RATE ? formatPercent : formatScore;
  const values = points.map((point) => point.value);
  const known = values.filter((value): value is number => value !== null);
  const range =
    known.length > 0
      ? `${format(known.reduce((low, value) => Math.min(low, value)))}–${format(known.reduce((high, value) => Math.max(high, value)))}`
      : UNKNOWN;
  const lines = [
    `${colors.bold(metricLabel(options.metric))} over ${plural(points.length, 'run')} (${scope}), oldest first`,
    `${sparkline(values)}  ${colors.dim(`range ${range}`)}`,
    '',
  ];
  const rows = points.map((point) => [
    formatDate(point.startedAt),
    point.runId.slice(0, 8),
    valueCell(point, options.metric, format),
    point.low === null || point.high === null ? UNKNOWN : `${format(point.low)}–${format(point.high)}`,
    formatUsd(point.costUsd),
    [
      point.status === 'completed' ? '' : point.status,
      point.changes.length > 0 ? `* ${point.changes.join(', ')} changed` : '',
    ]
      .filter(Boolean)
      .join(' · '),
  ]);
  const header = ['date (UTC)', 'run', metricLabel(options.metric), '95% CI', 'cost', 'notes'];
  const widths = columnWidths([header, ...rows]);
  const render = (cells: string[]) =>
    cells
      .map((cell, index) =>
        index >= 2 && index <= 4 ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!),
      )
      .join('  ')
      .trimEnd();
  lines.push(colors.bold(render(header)), ...rows.map((row) => render(row)));
  if (points.some((point) => point.changes.length > 0)) {
    lines.push('', colors.dim('* a prompt or target version changed since the run above'));
  }
  return lines.join('\n');
}

function valueCell(point: HistoryPoint, metric: string, format: (value: number | null) => string): string {
  if (point.value === null) return UNKNOWN;
  if (metric === PASS_RATE) return `${format(point.value)} (${point.passed}/${point.total})`;
  return `${format(point.value)} (n=${point.n})`;
}
