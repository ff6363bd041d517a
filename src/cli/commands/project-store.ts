import path from 'node:path';
import type { Cache } from '../../cache/cache.js';
import { findConfigFile, loadProject, type Project } from '../../config/load.js';
import { resolveTargetName } from '../../config/target-name.js';
import { UserError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { RunRecord } from '../../types.js';
import { recordPromptCommits } from '../../util/git.js';
import { openStore } from '../open-store.js';

export interface ProjectFlags {
  config?: string;
  db?: string;
}

/**
 * Loads the project and opens its store, syncing the current task and prompt versions first so
 * history and listings include what is on disk now, not only what has run.
 */
export async function withProjectStore<T>(
  flags: ProjectFlags,
  action: (project: Project, store: Store) => Promise<T>,
): Promise<T> {
  const project = await loadProject({ ...(flags.config ? { configPath: flags.config } : {}) });
  const { store } = await openStore(flags.db ?? project.databasePath);
  try {
    // Versions are immutable once stored: record each prompt's git commit and tags with it.
    await recordPromptCommits(project.prompts, project.baseDir);
    await store.saveVersions({ tasks: project.tasks, prompts: project.prompts, targets: [] });
    return await action(project, store);
  } finally {
    await store.close();
  }
}

/** The database a browsing command reads: --db, else ASSAY_DB, else the project's. */
export async function databasePath(flags: ProjectFlags): Promise<string> {
  if (flags.db) return path.resolve(flags.db);
  if (process.env.ASSAY_DB) return path.resolve(process.env.ASSAY_DB);
  await findConfigFile(process.cwd(), flags.config);
  return (await loadProject({ ...(flags.config ? { configPath: flags.config } : {}) })).databasePath;
}

/** Opens the store (without loading the project when --db or ASSAY_DB names the database). */
export async function withStore<T>(
  flags: ProjectFlags,
  action: (store: Store, cache: Cache) => Promise<T>,
): Promise<T> {
  const { store, cache } = await openStore(await databasePath(flags));
  try {
    return await action(store, cache);
  } finally {
    await store.close();
  }
}

/** Writes JSON to stdout: indented on a terminal, compact when piped. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, process.stdout.isTTY ? 2 : undefined)}\n`);
}

/** `2026-11-27 14:05` in UTC. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** A version id by full hash or unique prefix (at least 4 characters), or `undefined`. */
export function findVersion<T extends { version: string }>(versions: T[], wanted: string): T[] {
  return versions.filter(
    (entry) => entry.version === wanted || (wanted.length >= 4 && entry.version.startsWith(wanted)),
  );
}

/** `--target` of a command over one stored run, resolved against the targets that run had. */
export async function runTargetName(store: Store, run: RunRecord, wanted: string): Promise<string> {
  const names = new Set([
    ...Object.keys(run.fingerprint.targetVersions ?? {}),
    ...(await store.runStats(run.id)).targets,
  ]);
  return resolveTargetName(wanted, [...names].sort(), '--target', `targets of run ${run.id.slice(0, 8)}`);
}

/** `--target` of a command over all stored runs, resolved against every target that has run. */
export async function storedTargetName(store: Store, wanted: string): Promise<string> {
  return resolveTargetName(wanted, await store.targetNames(), '--target', 'targets with stored runs');
}

/** A run by id, unique id prefix, or `latest`; a UserError naming the argument otherwise. */
export async function requireRun(
  store: {
    getRun(id: string): Promise<RunRecord | undefined>;
    listRuns(query: { limit?: number }): Promise<Array<{ run: RunRecord }>>;
  },
  id: string,
  where: string,
): Promise<RunRecord> {
  const exact = await store.getRun(id);
  if (exact) return exact;
  if (id.length >= 4 && id !== 'latest') {
    const matches = (await store.listRuns({})).filter(({ run }) => run.id.startsWith(id));
    if (matches.length === 1) return matches[0]!.run;
    if (matches.length > 1) {
      throw new UserError(`run id prefix "${id}" is ambiguous`, where, 'give more characters of the id');
    }
  }
  throw new UserError(`no run "${id}"`, where, 'list runs with `assay runs`; "latest" is the newest');
}
