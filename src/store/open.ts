import type { Cache } from '../cache/cache.js';
import { parseStoreUrl, redactCredentials } from '../config/store-url.js';
import type { SqlStore } from './sql-store.js';

export interface OpenedStore {
  store: SqlStore;
  /** The response cache kept in the same database. */
  cache: Cache;
  /** The database as messages name it: the SQLite file, or the URL without its password. */
  location: string;
}

/** Starts loading the SQLite driver early, so it overlaps with reading the user's files. */
export function preloadStore(): void {
  import('./sqlite/sqlite-store.js').catch(() => {
    // A failure surfaces, with its message, when openStore imports the module again.
  });
}

/**
 * Opens (and migrates) the store a URL names: a file path or `sqlite:<path>` → SQLite,
 * `postgres://` or `postgresql://` → PostgreSQL. Drivers are imported here, lazily, so commands
 * that need no database never load one. `where` names the flag or variable the URL came from;
 * `migrate: false` opens the database as it is (`assay db status`); `readOnly` is for commands that
 * only read: nothing is written unless the database needs migrating (a SQLite file is opened
 * read-only, so a file the user cannot write still reads).
 */
export async function openStore(
  url: string,
  options: { baseDir?: string; where?: string; migrate?: boolean; readOnly?: boolean } = {},
): Promise<OpenedStore> {
  const location = parseStoreUrl(url, options);
  const migrate = options.migrate ?? true;
  const readOnly = options.readOnly ?? false;
  if (location.dialect === 'sqlite') {
    const { SqliteStore } = await import('./sqlite/sqlite-store.js');
    const store = await SqliteStore.open(location.path, {
      migrate,
      readOnly,
      ...(options.where ? { where: options.where } : {}),
    });
    return { store, cache: store.cache, location: location.path };
  }
  const { PostgresStore } = await import('./postgres/postgres-store.js');
  const store = await PostgresStore.open(location.url, { migrate, readOnly });
  return { store, cache: store.cache, location: redactCredentials(location.url) };
}
