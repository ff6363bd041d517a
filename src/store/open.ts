import type { Cache } from '../cache/cache.js';
import { parseStoreUrl } from '../config/store-url.js';
import type { Store } from './store.js';

export interface OpenedStore {
  store: Store;
  /** The response cache kept in the same database. */
  cache: Cache;
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
 * that need no database never load one. `where` names the flag or variable the URL came from.
 */
export async function openStore(
  url: string,
  options: { baseDir?: string; where?: string } = {},
): Promise<OpenedStore> {
  const location = parseStoreUrl(url, options);
  if (location.dialect === 'sqlite') {
    const { SqliteStore } = await import('./sqlite/sqlite-store.js');
    const store = await SqliteStore.open(location.path);
    return { store, cache: store.cache };
  }
  const { PostgresStore } = await import('./postgres/postgres-store.js');
  const store = await PostgresStore.open(location.url);
  return { store, cache: store.cache };
}
