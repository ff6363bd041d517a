import path from 'node:path';
import { findConfigFile, loadProject } from '../../config/load.js';
import { UserError } from '../../errors.js';
import { toJsonReport } from '../../report/json.js';
import { summarizeRun } from '../../report/summary.js';
import { renderFailures, renderSummaryTable } from '../../report/table.js';
import { EXIT } from '../exit-codes.js';
import { openStore } from '../open-store.js';

export interface ResultsFlags {
  run: string;
  config?: string;
  db?: string;
  failed?: boolean;
  json?: boolean;
}

async function databasePath(flags: ResultsFlags): Promise<string> {
  if (flags.db) return flags.db;
  if (process.env.ASSAY_DB) return process.env.ASSAY_DB;
  await findConfigFile(process.cwd(), flags.config);
  return (await loadProject({ ...(flags.config ? { configPath: flags.config } : {}) })).databasePath;
}

export async function resultsCommand(flags: ResultsFlags): Promise<number> {
  const { store } = await openStore(path.resolve(await databasePath(flags)));
  try {
    const run = await store.getRun(flags.run);
    if (!run)
      throw new UserError(
        `no run "${flags.run}"`,
        '--run',
        'run `assay run` first, or pass an id printed by it',
      );
    const all = await store.listResults({ runId: run.id });
    const shown = flags.failed ? all.filter((result) => result.status !== 'passed') : all;
    if (flags.json) {
      const indent = process.stdout.isTTY ? 2 : undefined; // compact when piped to a tool
      process.stdout.write(`${JSON.stringify(toJsonReport(run, summarizeRun(all), shown), null, indent)}\n`);
      return EXIT.ok;
    }
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    const lines = [
      `run ${run.id} ${run.status} (${new Date(run.startedAt).toISOString()})`,
      renderSummaryTable(summarizeRun(all), { color }),
    ];
    const failures = renderFailures(shown, { color, limit: flags.failed ? 1000 : 20 });
    if (failures) lines.push(failures);
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
