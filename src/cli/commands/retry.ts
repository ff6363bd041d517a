import { loadProject } from '../../config/load.js';
import { RunEventBus } from '../../executor/events.js';
import { EXIT } from '../../exit-codes.js';
import { retryRun } from '../../runs/execute.js';
import { createRuntime } from '../../runtime.js';
import { storageFailure } from '../../store/failure.js';
import { stopOnSignals } from '../stop-signals.js';
import { openProjectStore } from './project-store.js';
import { type RunFlags, renderRunOutcome, watchRun } from './run.js';

export interface RetryFlags {
  config?: string;
  db?: string;
  failed?: boolean;
  concurrency?: number;
  json?: boolean;
  progress: RunFlags['progress'];
}

/** `assay retry <run>`: re-runs a run's errored (with --failed, also failed) items into the same run. */
export async function retryCommand(runId: string, flags: RetryFlags): Promise<number> {
  const project = await loadProject({ ...(flags.config ? { configPath: flags.config } : {}) });
  const opened = await openProjectStore(flags, project);
  const { store, cache } = opened;
  const runtime = createRuntime();
  const bus = new RunEventBus();
  const watched = watchRun(bus, { json: flags.json === true, progress: flags.progress });
  const { stop, hard, dispose } = stopOnSignals(process.stderr);
  try {
    bus.on('run-start', ({ run, skipped, total }) =>
      process.stderr.write(
        `retrying ${total - skipped} item${total - skipped === 1 ? '' : 's'} of run ${run.id.slice(0, 8)}\n`,
      ),
    );
    const outcome = await retryRun(
      { store, cache: project.config.defaults.cache ? cache : null, runtime, events: bus, env: process.env },
      {
        project,
        runId,
        failed: flags.failed === true,
        concurrency: flags.concurrency ?? project.config.defaults.concurrency,
        control: { stopSignal: stop.signal, hardSignal: hard.signal },
      },
    );
    if (!('status' in outcome)) {
      process.stdout.write(
        `nothing to retry: run ${outcome.run.id.slice(0, 8)} has no ${flags.failed ? 'failed or errored' : 'errored'} items\n`,
      );
      return EXIT.ok;
    }
    return await renderRunOutcome(outcome, store, watched, flags.json === true);
  } catch (error) {
    throw storageFailure(error, opened.location) ?? error;
  } finally {
    dispose();
    await store.close();
    await runtime.close();
  }
}
