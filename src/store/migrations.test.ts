/**
 * Every schema version a store was released at migrates to the newest one, keeping its data, on both
 * databases. SQLite has had every version from 1; PostgreSQL started at 6.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresMigrations } from './migrations/postgres/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';
import { type Migration, migrate } from './migrator.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { createTestDatabase, postgresAdminUrl } from './postgres/test-helpers.js';
import type { SqlStore } from './sql-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

const directory = mkdtempSync(join(tmpdir(), 'assay-migrations-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Rows in the columns every version has (those of version 1), as an older Assay wrote them. */
// biome-ignore lint/suspicious/noExplicitAny: the schema of an older version
async function writeOldData(db: Kysely<any>, version: number): Promise<void> {
  const statements = [
    `INSERT INTO task_versions (task_id, version, content_json, created_at) VALUES ('t1', 'tv1', '{"vars":{"q":"?"},"assert":[],"tags":["old"],"metadata":{},"source":"tasks/t.yaml"}', 7)`,
    `INSERT INTO prompt_versions (name, version, path, kind, source, git_commit, created_at) VALUES ('qa', 'p1', 'prompts/qa.njk', 'text', '{{ q }}', NULL, 7)`,
    `INSERT INTO target_versions (name, version, provider_id, config_json, prompt_name, prompt_version, created_at) VALUES ('echo', 'v', 'echo', '{}', 'qa', 'p1', 7)`,
    `INSERT INTO runs (id, config_path, status, fingerprint_json, options_json, total_items, started_at, finished_at, "user") VALUES ('r1', 'a.yaml', 'completed', '{"targetVersions":{"echo":"v"}}', '{"suite":"smoke"}', 2, 10, 20, 'ana')`,
    `INSERT INTO results (run_id, item_id, task_id, task_version, target_name, target_version, repeat_index, status, prompt_json, output, score, latency_ms, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, usage_raw_json, cost_usd, attempts, cached, served_by, error_category, error_message, created_at) VALUES ('r1', 'i1', 't1', 'tv1', 'echo', 'v', 0, 'passed', '[]', 'hi', 1, 5, 3, 1, NULL, NULL, NULL, 0.25, 1, 0, 'echo', NULL, NULL, 30)`,
    `INSERT INTO results (run_id, item_id, task_id, task_version, target_name, target_version, repeat_index, status, prompt_json, output, score, latency_ms, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, usage_raw_json, cost_usd, attempts, cached, served_by, error_category, error_message, created_at) VALUES ('r1', 'i2', 't1', 'tv1', 'echo', 'v', 1, 'error', '[]', NULL, 0, 9, NULL, NULL, NULL, NULL, NULL, NULL, 3, 0, 'echo', 'timeout', 'slow', 31)`,
    `INSERT INTO scores (run_id, item_id, name, ordinal, value, pass, reason, weight) VALUES ('r1', 'i1', 'equals', 0, 1, 1, 'same', 1)`,
    `INSERT INTO cache_entries (key, output, usage_json, cost_usd, latency_ms, model, created_at, expires_at) VALUES ('k', 'hi', '{}', 0.25, 5, NULL, 1, 100)`,
    ...(version >= 3 ? [`INSERT INTO task_archive (task_id, archived_at) VALUES ('t1', 40)`] : []),
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** What the migrated store must still answer, and that it takes writes of the newest schema. */
async function expectMigrated(store: SqlStore, from: number, newest: readonly Migration[]): Promise<void> {
  const results = await store.listResults({ runId: 'r1' });
  expect(results.map((result) => [result.itemId, result.status, result.output, result.costUsd])).toEqual([
    ['i1', 'passed', 'hi', 0.25],
    ['i2', 'error', null, null],
  ]);
  expect(results[0]?.scores).toStrictEqual([
    { name: 'equals', value: 1, pass: true, reason: 'same', weight: 1 },
  ]);
  expect(results[1]?.error).toEqual({ category: 'timeout', message: 'slow' });
  const [listing] = await store.listRuns({ suite: 'smoke', target: 'echo' });
  expect(listing?.stats).toMatchObject({ results: 2, passed: 1, errored: 1, costUsd: 0.25 });
  expect((await store.taskHistory('t1')).map((entry) => entry.value.tags)).toEqual([['old']]);
  expect((await store.promptHistory('qa')).map((entry) => entry.version)).toEqual(['p1']);
  expect(await store.archivedTaskIds()).toEqual(new Set(from >= 3 ? ['t1'] : []));
  const versions = await sql<{
    version: number;
  }>`select version from schema_migrations order by version`.execute(store.db);
  expect(versions.rows.map((row) => Number(row.version))).toEqual(
    newest.map((migration) => migration.version),
  );
  // Columns and tables of later versions take writes.
  await store.saveResults([{ ...results[0]!, itemId: 'i3', ttftMs: 2, judgeCostUsd: 0.5, savedUsd: 0.125 }]);
  expect(await store.runStats('r1')).toMatchObject({ results: 3, judgeCostUsd: 0.5, savedUsd: 0.125 });
  expect(await store.acquireRunLease({ runId: 'r1', owner: 'me', now: 1, ttlMs: 10 })).toMatchObject({
    acquired: true,
  });
  await store.archiveTask('t2', 50, 'ana');
  expect(await store.listAudit({ action: 'task.archive' })).toMatchObject([{ subject: 't2', actor: 'ana' }]);
}

describe('SQLite: every schema version migrates to the newest, keeping its data', () => {
  for (const start of sqliteMigrations.slice(0, -1)) {
    it(`from version ${start.version} (${start.name})`, async () => {
      const path = join(directory, `v${start.version}.db`);
      const raw = new BetterSqlite3(path);
      const db = new Kysely({ dialect: new SqliteDialect({ database: raw }) });
      await migrate(
        db,
        sqliteMigrations.filter((migration) => migration.version <= start.version),
      );
      await writeOldData(db, start.version);
      await db.destroy();
      const store = await SqliteStore.open(path);
      try {
        await expectMigrated(store, start.version, sqliteMigrations);
      } finally {
        await store.close();
      }
    });
  }
});

describe.skipIf(!postgresAdminUrl())(
  'PostgreSQL: every schema version migrates to the newest, keeping its data',
  () => {
    for (const start of postgresMigrations.slice(0, -1)) {
      it(`from version ${start.version} (${start.name})`, async () => {
        const database = await createTestDatabase();
        try {
          const pool = new pg.Pool({ connectionString: database.url, max: 1 });
          const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
          await migrate(
            db,
            postgresMigrations.filter((migration) => migration.version <= start.version),
          );
          await writeOldData(db, start.version);
          await db.destroy();
          const store = await PostgresStore.open(database.url);
          try {
            await expectMigrated(store, start.version, postgresMigrations);
          } finally {
            await store.close();
          }
        } finally {
          await database.drop();
        }
      });
    }
  },
);
