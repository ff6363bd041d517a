/** Retention: which runs `assay runs prune` removes, and which it keeps as baselines. */
import type { RunRecord } from '../types.js';
import type { DeletedRuns, Store } from './store.js';

/**
 * The runs `assay ci` compares against: per suite, the newest completed run (`--baseline latest`)
 * and the newest completed run made at a commit of main (`latest-on-main`, when main is known).
 * `runs` are newest first.
 */
export function baselineRunIds(
  runs: readonly RunRecord[],
  commitsOnMain: ReadonlySet<string> | null,
): Set<string> {
  const latest = new Map<string | null, string>();
  const onMain = new Map<string | null, string>();
  for (const run of runs) {
    if (run.status !== 'completed') continue;
    const suite = run.options.suite ?? null;
    if (!latest.has(suite)) latest.set(suite, run.id);
    const commit = run.fingerprint.gitCommit;
    if (commitsOnMain && commit && commitsOnMain.has(commit) && !onMain.has(suite)) onMain.set(suite, run.id);
  }
  return new Set([...latest.values(), ...onMain.values()]);
}

export interface PruneReport extends DeletedRuns {
  /** Runs removed, oldest first. */
  removed: string[];
  /** Runs old enough to go but kept as baselines. */
  keptBaselines: string[];
}

/**
 * Deletes the runs started before `before` (their results, scores and leases; versions stay), keeping
 * baselines when asked; audited as `run.prune` by `actor`, in the same transaction.
 */
export async function pruneRuns(
  store: Store,
  options: {
    before: number;
    keepBaselines: boolean;
    commitsOnMain: ReadonlySet<string> | null;
    actor: string;
    /** How the user said it, for the audit entry (`180d`). */
    olderThan: string;
  },
): Promise<PruneReport> {
  const runs = (await store.listRuns({})).map(({ run }) => run);
  const baselines = options.keepBaselines ? baselineRunIds(runs, options.commitsOnMain) : new Set<string>();
  const old = runs.filter((run) => run.startedAt < options.before).reverse();
  const removed = old.filter((run) => !baselines.has(run.id)).map((run) => run.id);
  const deleted = await store.deleteRuns(removed, {
    actor: options.actor,
    action: 'run.prune',
    details: { olderThan: options.olderThan, keepBaselines: options.keepBaselines },
  });
  return {
    ...deleted,
    removed,
    keptBaselines: old.filter((run) => baselines.has(run.id)).map((run) => run.id),
  };
}
