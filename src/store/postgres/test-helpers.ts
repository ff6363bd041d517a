/** Per-suite PostgreSQL databases for tests (see test/postgres-setup.ts). */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An admin URL of the test server, or null when none is reachable (the suites are skipped). */
    postgresAdminUrl: string | null;
  }
}

/** The test server's admin URL, or null when the PostgreSQL suites do not run. */
export function postgresAdminUrl(): string | null {
  return inject('postgresAdminUrl');
}

async function admin<T>(action: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = postgresAdminUrl();
  if (!url) throw new Error('No PostgreSQL server for tests (see test/postgres-setup.ts)');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database `assay_test_<random>`; returns its URL and how to drop it. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `assay_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(postgresAdminUrl()!);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}
