import { EXIT } from '../../exit-codes.js';
import { columnWidths, formatMs, formatPercent, formatUsd } from '../../report/format.js';
import { requireRun } from '../../runs/find.js';
import { wilsonInterval } from '../../stats/wilson.js';
import type { RunListing } from '../../store/store.js';
import { parseDuration } from '../../util/duration.js';
import {
  currentActor,
  formatDate,
  type ProjectFlags,
  printJson,
  storedTargetName,
  withReadOnlyStore,
  withStore,
} from './project-store.js';

export interface RunsFlags extends ProjectFlags {
  suite?: string;
  target?: string;
  since?: string;
  limit: string;
  json?: boolean;
}

function describe({ run, stats }: RunListing) {
  const interval = wilsonInterval(stats.passed, stats.results);
  return {
    id: run.id,
    status: run.status,
    startedAt: run.startedAt,
    durationMs: run.finishedAt === null ? null : run.finishedAt - run.startedAt,
    suite: run.options.suite,
    targets: stats.targets,
    user: run.user,
    results: stats.results,
    totalItems: run.totalItems,
    passed: stats.passed,
    failed: stats.failed,
    errored: stats.errored,
    passRate: stats.results ? stats.passed / stats.results : null,
    passRateInterval: stats.results ? { low: interval.low, high: interval.high } : null,
    meanScore: stats.meanScore,
    costUsd: stats.costUsd,
    judgeCostUsd: stats.judgeCostUsd,
    savedUsd: stats.savedUsd,
    fingerprint: {
      datasetVersion: run.fingerprint.datasetVersion,
      promptVersions: run.fingerprint.promptVersions,
      gitCommit: run.fingerprint.gitCommit,
    },
  };
}

export async function runsCommand(flags: RunsFlags): Promise<number> {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    const { UserError } = await import('../../errors.js');
    throw new UserError(
      `--limit must be a whole number from 1 up, got "${flags.limit}"`,
      '--limit',
      'e.g. --limit 50',
    );
  }
  const since = flags.since ? Date.now() - parseDuration(flags.since, '--since') : undefined;
  return withReadOnlyStore(flags, async (store) => {
    const target = flags.target ? await storedTargetName(store, flags.target) : undefined;
    const listings = await store.listRuns({
      ...(flags.suite ? { suite: flags.suite } : {}),
      ...(target ? { target } : {}),
      ...(since !== undefined ? { since } : {}),
      limit,
    });
    const rows = listings.map(describe);
    if (flags.json) {
      printJson(rows);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      process.stdout.write('no runs match (start one with `assay run`)\n');
      return EXIT.ok;
    }
    const lines = [
      [
        'run',
        'started (UTC)',
        'status',
        'suite',
        'pass rate [95% CI]',
        'items',
        'cost',
        'duration',
        'targets',
      ],
    ];
    for (const row of rows) {
      const rate =
        row.passRate === null || !row.passRateInterval
          ? '-'
          : `${formatPercent(row.passRate)} [${Math.round(row.passRateInterval.low * 100)}–${Math.round(row.passRateInterval.high * 100)}]`;
      const cost =
        row.judgeCostUsd > 0
          ? `${formatUsd(row.costUsd)}+${formatUsd(row.judgeCostUsd)}j`
          : formatUsd(row.costUsd);
      lines.push([
        row.id.slice(0, 8),
        formatDate(row.startedAt),
        row.status,
        row.suite ?? '-',
        rate,
        row.results === row.totalItems ? String(row.results) : `${row.results}/${row.totalItems}`,
        cost,
        row.durationMs === null ? '-' : formatMs(row.durationMs),
        row.targets.join(', '),
      ]);
    }
    const widths = columnWidths(lines);
    for (const line of lines) {
      process.stdout.write(
        `${line
          .map((cell, index) => cell.padEnd(widths[index]!))
          .join('  ')
          .trimEnd()}\n`,
      );
    }
    return EXIT.ok;
  });
}

/** `assay runs delete <id>`: one run with its results and scores, audited. */
export async function runsDeleteCommand(
  id: string,
  flags: ProjectFlags & { json?: boolean },
): Promise<number> {
  return withStore(flags, async (store) => {
    const run = await requireRun(store, id, '<id>');
    const removed = await store.deleteRuns([run.id], { actor: await currentActor(), action: 'run.delete' });
    if (flags.json) printJson({ deleted: [run.id], ...removed });
    else
      process.stdout.write(
        `deleted run ${run.id}: ${removed.results} results, ${removed.scores} scores (task and prompt versions stay)\n`,
      );
    return EXIT.ok;
  });
}

/** `assay runs prune --older-than 180d [--keep-baselines]`: old runs with their results, audited. */
export async function runsPruneCommand(
  flags: ProjectFlags & { olderThan?: string; keepBaselines?: boolean; json?: boolean },
): Promise<number> {
  if (!flags.olderThan) {
    const { UserError } = await import('../../errors.js');
    throw new UserError('say which runs to prune', '--older-than', 'e.g. --older-than 180d');
  }
  const olderThan = flags.olderThan;
  const before = Date.now() - parseDuration(olderThan, '--older-than');
  let commitsOnMain: Set<string> | null = null;
  if (flags.keepBaselines) {
    const { gitLookup, MAIN_REFS } = await import('../../compare/baseline.js');
    const git = gitLookup(process.cwd());
    for (const ref of MAIN_REFS) {
      commitsOnMain = await git.commitsOf(ref);
      if (commitsOnMain) break;
    }
  }
  return withStore(flags, async (store) => {
    const { pruneRuns } = await import('../../store/retention.js');
    const report = await pruneRuns(store, {
      before,
      keepBaselines: flags.keepBaselines ?? false,
      commitsOnMain,
      actor: await currentActor(),
      olderThan,
    });
    if (flags.json) {
      printJson(report);
      return EXIT.ok;
    }
    const kept = report.keptBaselines.length;
    process.stdout.write(
      `pruned ${report.runs} run${report.runs === 1 ? '' : 's'} started before ${formatDate(before)}: ${report.results} results, ${report.scores} scores${kept ? `; kept ${kept} baseline run${kept === 1 ? '' : 's'}` : ''}\n`,
    );
    for (const id of report.removed) process.stdout.write(`  removed ${id}\n`);
    return EXIT.ok;
  });
}
