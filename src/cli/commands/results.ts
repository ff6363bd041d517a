import { UserError } from '../../errors.js';
import { compileFilters } from '../../executor/select.js';
import { EXIT } from '../../exit-codes.js';
import { renderCsv } from '../../report/export/csv.js';
import { toJsonReport } from '../../report/json.js';
import { summarizeRun } from '../../report/summary.js';
import { renderFailures, renderInsights, renderSummaryTable } from '../../report/table.js';
import { requireRun } from '../../runs/find.js';
import type { Store } from '../../store/store.js';
import type { ItemResult, Task } from '../../types.js';
import { type ProjectFlags, runTargetName, withReadOnlyStore } from './project-store.js';

export interface ResultsFlags extends ProjectFlags {
  run: string;
  failed?: boolean;
  errors?: boolean;
  target?: string;
  filter?: string[];
  json?: boolean;
  csv?: boolean;
}

/**
 * Keeps results whose task matches the filters. Results do not carry tags or metadata, so each
 * task is looked up at the exact version the result ran.
 */
async function filterByTask(store: Store, results: ItemResult[], filters: string[]): Promise<ItemResult[]> {
  const matches = compileFilters(filters);
  const versions = new Map<string, Task>();
  for (const taskId of new Set(results.map((result) => result.taskId))) {
    for (const entry of await store.taskHistory(taskId))
      versions.set(`${taskId}\0${entry.version}`, entry.value);
  }
  return results.filter((result) => {
    const task = versions.get(`${result.taskId}\0${result.taskVersion}`);
    return task !== undefined && matches(task);
  });
}

export async function resultsCommand(flags: ResultsFlags): Promise<number> {
  if (flags.json && flags.csv)
    throw new UserError('--json and --csv cannot be combined', '--csv', 'pick one output format');
  if (flags.failed && flags.errors) {
    throw new UserError(
      '--failed and --errors cannot be combined',
      '--errors',
      '--failed already includes errored items',
    );
  }
  return withReadOnlyStore(flags, async (store) => {
    const run = await requireRun(store, flags.run, '--run');
    const targetName = flags.target ? await runTargetName(store, run, flags.target) : undefined;
    let all = await store.listResults({
      runId: run.id,
      ...(targetName ? { targetName } : {}),
    });
    if (flags.filter?.length) all = await filterByTask(store, all, flags.filter);
    const shown = flags.errors
      ? all.filter((result) => result.status === 'error')
      : flags.failed
        ? all.filter((result) => result.status !== 'passed')
        : all;
    if (flags.csv) {
      process.stdout.write(renderCsv({ run, results: shown, generatedAt: Date.now() }));
      return EXIT.ok;
    }
    const summary = summarizeRun(all);
    if (flags.json) {
      const indent = process.stdout.isTTY ? 2 : undefined; // compact when piped to a tool
      process.stdout.write(`${JSON.stringify(toJsonReport(run, summary, shown), null, indent)}\n`);
      return EXIT.ok;
    }
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    const lines = [
      `run ${run.id} ${run.status} (${new Date(run.startedAt).toISOString()}) · dataset ${run.fingerprint.datasetVersion}`,
      renderSummaryTable(summary, { color }),
    ];
    const narrowed = flags.failed || flags.errors;
    const insights = renderInsights(summary, { color, limit: narrowed ? 1000 : 10 });
    if (insights) lines.push(insights);
    const failures = renderFailures(shown, { color, limit: narrowed ? 1000 : 20 });
    if (failures) lines.push(failures);
    if (failures)
      lines.push(`see one item in full: assay show ${run.id.slice(0, 8)} <task> [--target <name>]`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  });
}
