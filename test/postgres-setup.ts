/**
 * Vitest global setup: finds the PostgreSQL server the PostgreSQL suites run on
 * (ASSAY_TEST_POSTGRES_URL, default postgres://root@127.0.0.1:5432/postgres: an admin login that may
 * create databases). Each suite makes its own database and drops it after. Without a reachable
 * server those suites are skipped with a note saying how to start it; with CI=true that fails the run.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';

const DEFAULT_URL = 'postgres://root@127.0.0.1:5432/postgres';
const START = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.ASSAY_TEST_POSTGRES_URL || DEFAULT_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    project.provide('postgresAdminUrl', url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const shown = url.replace(/(:\/\/[^:/@]*:)[^@/]*@/, '$1***@');
    if (process.env.CI === 'true') {
      throw new Error(
        `PostgreSQL is not reachable at ${shown} (${reason}); CI runs every PostgreSQL suite. Start it: ${START}`,
      );
    }
    process.stderr.write(
      `\nnote: PostgreSQL is not reachable at ${shown} (${reason}).\n` +
        '  The PostgreSQL store, cache, migration and e2e suites are SKIPPED (shown as "skipped" below).\n' +
        `  Start the server with: ${START}\n  or point ASSAY_TEST_POSTGRES_URL at one where this login may create databases.\n\n`,
    );
    project.provide('postgresAdminUrl', null);
  } finally {
    await client.end().catch(() => {});
  }
}
