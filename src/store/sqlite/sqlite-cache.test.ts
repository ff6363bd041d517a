import { describeCacheContract } from '../../cache/cache.contract.js';
import { SqliteStore } from './sqlite-store.js';

describeCacheContract('SQLite', async () => {
  const store = await SqliteStore.open(':memory:');
  return { cache: store.cache, audit: () => store.listAudit({}), close: () => store.close() };
});
