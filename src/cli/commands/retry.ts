import { loadProject } from '../../config/load.js';
import { UserError } from '../../errors.js';
import { datasetVersion } from '../../executor/plan.js';
import { selectRunTasks } from '../../executor/prepare.js';
import { EXIT } from '../exit-codes.js';
import { currentActor, openProjectStore, requireRun } from './project-store.js';
import { type RunFlags, runCommand } from './run.js';

export interface RetryFlags {
  config?: string;
  db?: string;
  failed?: boolean;
  concurrency?: number;
  json?: boolean;
  progress: RunFlags['progress'];
}

/**
 * Re-runs a run's errored items (and with --failed its failed ones) into the same run. Their old
 * results are replaced only once the project still plans the same run, so nothing is lost when it
 * does not. Failed items skip the cache: the cached answer is the one that failed.
 */
export async function retryCommand(runId: string, flags: RetryFlags): Promise<number> {
  const project = await loadProject({ ...(flags.config ? { configPath: flags.config } : {}) });
  const { store } = await openProjectStore(flags, project);
  let retried: number;
  let id: string;
  try {
    const run = await requireRun(store, runId, '<run>');
    id = run.id;
    if (run.status === 'running') {
      throw new UserError(
        `run ${run.id.slice(0, 8)} is still running (or was killed)`,
        '<run>',
        `finish it with \`assay run --resume ${run.id.slice(0, 8)}\` first`,
      );
    }
    const tasks = await selectRunTasks(project, run.options, await store.archivedTaskIds());
    if (
      run.fingerprint.configHash !== project.configHash ||
      run.fingerprint.datasetVersion !== datasetVersion(tasks)
    ) {
      throw new UserError(
        `run ${run.id.slice(0, 8)} was made with a different config or dataset`,
        project.configPath,
        'retry only with the files the run used, or start a new run',
      );
    }
    const statuses: Array<'error' | 'failed'> = flags.failed ? ['error', 'failed'] : ['error'];
    const targets = await store.listResults({ runId: run.id, status: statuses });
    // Budget skips are errors too, but retrying them is `--resume --max-cost`'s job only if asked.
    if (targets.length === 0) {
      process.stdout.write(
        `nothing to retry: run ${run.id.slice(0, 8)} has no ${flags.failed ? 'failed or errored' : 'errored'} items\n`,
      );
      return EXIT.ok;
    }
    retried = await store.deleteResults(
      run.id,
      targets.map((result) => result.itemId),
      await currentActor(),
    );
    await store.reopenRun(run.id);
  } finally {
    await store.close();
  }
  process.stderr.write(`retrying ${retried} item${retried === 1 ? '' : 's'} of run ${id.slice(0, 8)}\n`);
  return runCommand({
    ...(flags.config ? { config: flags.config } : {}),
    ...(flags.db ? { db: flags.db } : {}),
    ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
    ...(flags.json ? { json: true } : {}),
    filter: [],
    target: [],
    cache: !flags.failed,
    resume: id,
    progress: flags.progress,
  });
}
