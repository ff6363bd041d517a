import type { Cache } from '../../cache/cache.js';
import { findStoreUrl, loadProject, type Project } from '../../config/load.js';
import { resolveTargetName } from '../../config/target-name.js';
import { storageFailure } from '../../store/failure.js';
import { type OpenedStore, openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import type { RunRecord } from '../../types.js';
import { recordPromptCommits, runUser } from '../../util/git.js';

export interface ProjectFlags {
  config?: string;
  db?: string;
}

/**
 * Loads the project's tasks and prompts and opens its store, syncing the current task and prompt
 * versions first so history and listings include what is on disk now, not only what has run.
 * Targets are not resolved: these commands work without the variables only targets use.
 */
export async function withProjectStore<T>(
  flags: ProjectFlags,
  action: (project: Project, store: Store) => Promise<T>,
): Promise<T> {
  const project = await loadProject({
    ...(flags.config ? { configPath: flags.config } : {}),
    targets: false,
  });
  return usingStore(await openProjectStore(flags, project), async ({ store }) => {
    // Versions are immutable once stored: record each prompt's git commit and tags with it.
    await recordPromptCommits(project.prompts, project.baseDir);
    await store.saveVersions({
      tasks: (await project.taskSource.all()).tasks,
      prompts: project.prompts,
      targets: [],
    });
    return action(project, store);
  });
}

/**
 * Runs `action` on an opened store, then closes it. A full or failing disk under the store becomes
 * one message naming the database and what to do (exit 3), not a driver's bare words.
 */
export async function usingStore<T>(
  opened: OpenedStore,
  action: (opened: OpenedStore) => Promise<T>,
): Promise<T> {
  try {
    return await action(opened);
  } catch (error) {
    throw storageFailure(error, opened.location) ?? error;
  } finally {
    await opened.store.close();
  }
}

/** Opens the store --db names, else the project's (ASSAY_DATABASE_URL, store.url…). */
export function openProjectStore(flags: ProjectFlags, project: Project): Promise<OpenedStore> {
  return flags.db ? openStore(flags.db, { where: '--db' }) : openStore(project.databaseUrl);
}

/**
 * Opens the store a browsing command reads: --db, else ASSAY_DATABASE_URL (or its older name
 * ASSAY_DB), else the one the config names. The project is not loaded, and a config that is code
 * is never run (`findStoreUrl`).
 */
export async function openBrowsingStore(
  flags: ProjectFlags,
  options: { migrate?: boolean; readOnly?: boolean } = {},
): Promise<OpenedStore> {
  if (flags.db) return openStore(flags.db, { ...options, where: '--db' });
  for (const name of ['ASSAY_DATABASE_URL', 'ASSAY_DB']) {
    const value = process.env[name];
    if (value) return openStore(value, { ...options, where: name });
  }
  return openStore(await findStoreUrl({ ...(flags.config ? { configPath: flags.config } : {}) }), options);
}

/**
 * Opens the store (without loading the project when --db or an environment variable names it).
 * `readOnly` for commands that only read: they work on a database file they cannot write.
 */
export async function withStore<T>(
  flags: ProjectFlags,
  action: (store: Store, cache: Cache) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> {
  return usingStore(await openBrowsingStore(flags, options), ({ store, cache }) => action(store, cache));
}

/** `withStore` for commands that only read (see its `readOnly`). */
export function withReadOnlyStore<T>(
  flags: ProjectFlags,
  action: (store: Store, cache: Cache) => Promise<T>,
): Promise<T> {
  return withStore(flags, action, { readOnly: true });
}

/** Who is making a change, for the audit log: ASSAY_USER, else the git email, else the OS user (as runs). */
export async function currentActor(): Promise<string> {
  return (await runUser(process.cwd(), process.env)) ?? 'unknown';
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
