import path from 'node:path';
import type { Cache } from '../cache/cache.js';
import type { Store } from '../store/store.js';

/** Starts loading the database driver early, so it overlaps with reading the user's files. */
export function preloadStore(): void {
  import('../store/sqlite/sqlite-store.js').catch(() => {
    // A failure surfaces, with its message, when openStore imports the module again.
  });
}

/** Opens the SQLite store (imported lazily: only commands that need a database load the driver). */
export async function openStore(file: string): Promise<{
  store: Store;
  cache: Cache;
}> {
  const { SqliteStore } = await import('../store/sqlite/sqlite-store.js');
  const store = await SqliteStore.open(path.resolve(file));
  return { store, cache: store.cache };
}
