import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCacheContract } from '../../cache/cache.contract.js';
import { UserError } from '../../errors.js';
import { describeStoreContract } from '../store.contract.js';
import { PostgresStore } from './postgres-store.js';
import { createTestDatabase, postgresAdminUrl } from './test-helpers.js';

const adminUrl = postgresAdminUrl();

describe.skipIf(!adminUrl)('PostgreSQL store', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  describeStoreContract('PostgreSQL', () => PostgresStore.open(database.url), { persistent: true });
  describeCacheContract('PostgreSQL', async () => {
    const store = await PostgresStore.open(database.url);
    return { cache: store.cache, audit: () => store.listAudit({}), close: () => store.close() };
  });

  describe('PostgresStore.open', () => {
    /** The URL of the test server with another user, password, port or database. */
    function variant(change: (url: URL) => void): string {
      const url = new URL(database.url);
      url.password = 'hunter2-secret';
      change(url);
      return url.toString();
    }

    async function openError(url: string): Promise<UserError> {
      const error = await PostgresStore.open(url).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(UserError);
      const { message, hint, location } = error as UserError;
      expect(`${message} ${hint} ${location}`).not.toContain('hunter2');
      return error as UserError;
    }

    it('says a refused connection is refused, and how to start the server', async () => {
      const error = await openError(variant((url) => (url.port = '1')));
      expect(error.message).toMatch(/cannot connect to PostgreSQL at 127\.0\.0\.1:1: connection refused/);
      expect(error.hint).toMatch(/start the server/);
      expect(error.location).toMatch(/:\*\*\*@127\.0\.0\.1:1\//);
    });

    it('says a login was refused, naming the user', async () => {
      const error = await openError(variant((url) => (url.username = 'no_such_role')));
      expect(error.message).toMatch(/PostgreSQL refused the login of user "no_such_role"/);
      expect(error.hint).toMatch(/user and password/);
    });

    it('says a database is missing, and how to create it', async () => {
      const error = await openError(variant((url) => (url.pathname = '/assay_no_such_database')));
      expect(error.message).toBe(
        'the PostgreSQL database "assay_no_such_database" does not exist on 127.0.0.1:5432',
      );
      expect(error.hint).toMatch(/createdb -h 127\.0\.0\.1 -p 5432 assay_no_such_database/);
    });

    it('migrates once when several processes open a new database at the same moment', async () => {
      const fresh = await createTestDatabase();
      try {
        const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open(fresh.url)));
        for (const store of stores) await store.close();
      } finally {
        await fresh.drop();
      }
    });
  });
});
