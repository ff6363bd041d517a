import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvironmentError, UserError } from '../../errors.js';
import { storageFailure } from '../failure.js';
import { sqliteMigrations } from '../migrations/sqlite/index.js';
import { migrate, pendingMigrations, SchemaVersionError } from '../migrator.js';
import type { Database } from '../schema.js';
import { describeStoreContract } from '../store.contract.js';
import { makeVersions } from '../test-helpers.js';
import { SqliteStore } from './sqlite-store.js';

const directory = mkdtempSync(join(tmpdir(), 'assay-sqlite-store-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const sharedFile = join(directory, 'contract.db');
describeStoreContract('SQLite file', () => SqliteStore.open(sharedFile), { persistent: true });
describeStoreContract('SQLite :memory:', () => SqliteStore.open(':memory:'));

function readRaw<T>(path: string, query: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(path);
  try {
    return query(db);
  } finally {
    db.close();
  }
}

describe('SqliteStore.open', () => {
  it('creates the file in a new nested directory, in WAL mode', async () => {
    const path = join(directory, 'nested', 'deeper', 'assay.db');
    const store = await SqliteStore.open(path);
    await store.close();
    expect(existsSync(path)).toBe(true);
    expect(readRaw(path, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('can be closed twice', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('migrates an empty database (version 0) to the latest version', async () => {
    const path = join(directory, 'empty.db');
    readRaw(path, (db) => db.exec('CREATE TABLE unrelated (id INTEGER)'));
    const store = await SqliteStore.open(path);
    await store.close();
    const recorded = readRaw(path, (db) => db.prepare('SELECT version, name FROM schema_migrations').all());
    expect(recorded).toEqual(sqliteMigrations.map(({ version, name }) => ({ version, name })));
    const tables = readRaw(path, (db) =>
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((row) => (row as { name: string }).name),
    );
    expect(tables).toEqual(
      expect.arrayContaining([
        'cache_entries',
        'prompt_versions',
        'results',
        'runs',
        'scores',
        'target_versions',
        'task_archive',
        'task_versions',
      ]),
    );
    // Migration 5 leaves results only the indexes queries across runs need.
    const indexes = readRaw(path, (db) =>
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'results' AND sql IS NOT NULL",
        )
        .pluck()
        .all(),
    );
    expect(new Set(indexes)).toEqual(
      new Set(['results_created_at', 'results_task', 'results_run_target', 'results_run_created']),
    );
  });

  it("keeps a prompt version's git tags (migration 4)", async () => {
    const store = await SqliteStore.open(join(directory, 'tags.db'));
    try {
      const prompt = {
        name: 'qa',
        path: 'prompts/qa.njk',
        kind: 'text' as const,
        source: '{{ q }}',
        version: 'p1',
        gitCommit: 'abc123',
        gitTag: 'v1.2,release',
      };
      await store.saveVersions({ tasks: [], prompts: [prompt], targets: [] });
      expect((await store.promptHistory('qa')).map((entry) => entry.value)).toStrictEqual([prompt]);
    } finally {
      await store.close();
    }
  });

  it('refuses a database migrated by a newer Assay, naming both versions', async () => {
    const path = join(directory, 'future.db');
    await (await SqliteStore.open(path)).close();
    readRaw(path, (db) =>
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)").run(),
    );
    const opening = SqliteStore.open(path);
    await expect(opening).rejects.toBeInstanceOf(SchemaVersionError);
    await expect(opening).rejects.toMatchObject({
      databaseVersion: 999,
      knownVersion: sqliteMigrations.at(-1)!.version,
      location: path,
      message: expect.stringMatching(
        new RegExp(`schema version 999.*up to ${sqliteMigrations.at(-1)!.version}`),
      ),
    });
  });

  it('upgrades a version-1 database to the latest version and keeps its results', async () => {
    const path = join(directory, 'v1.db');
    // Build a database as the first release left it: only migration 1 applied.
    readRaw(path, (db) => {
      db.exec(sqliteMigrations[0]!.sql);
      db.exec(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      db.prepare("INSERT INTO schema_migrations VALUES (1, 'initial', 0)").run();
      db.prepare(
        "INSERT INTO runs (id, config_path, status, fingerprint_json, options_json, total_items, started_at, finished_at, user) VALUES ('r1', 'a.yaml', 'completed', '{}', '{}', 1, 1, 2, NULL)",
      ).run();
      db.prepare(
        "INSERT INTO results (run_id, item_id, task_id, task_version, target_name, target_version, repeat_index, status, prompt_json, output, score, latency_ms, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, usage_raw_json, cost_usd, attempts, cached, served_by, error_category, error_message, created_at) VALUES ('r1', 'i1', 't1', 'v', 'echo', 'v', 0, 'passed', '[]', 'hi', 1, 5, NULL, NULL, NULL, NULL, NULL, 0, 1, 0, 'echo', NULL, NULL, 3)",
      ).run();
    });
    const store = await SqliteStore.open(path);
    const [result] = await store.listResults({ runId: 'r1' });
    await store.close();
    expect(result).toMatchObject({ itemId: 'i1', output: 'hi', status: 'passed' });
    expect(result?.ttftMs).toBeUndefined();
    expect(result?.usage.cacheWriteInputTokens).toBeUndefined();
    const versions = readRaw(path, (db) =>
      db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
    );
    expect(versions).toEqual(sqliteMigrations.map((migration) => migration.version));
  });

  it('upgrades a version-2 database to the latest version and keeps its data', async () => {
    const path = join(directory, 'v2.db');
    // A database as the second schema version left it, with a run, a scored result, versions and a cache entry.
    readRaw(path, (db) => {
      db.exec(sqliteMigrations[0]!.sql);
      db.exec(sqliteMigrations[1]!.sql);
      db.exec(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      db.exec("INSERT INTO schema_migrations VALUES (1, 'initial', 0), (2, 'ttft-cache-writes', 0)");
      db.exec(
        `INSERT INTO runs (id, config_path, status, fingerprint_json, options_json, total_items, started_at, finished_at, user)
         VALUES ('r2', 'a.yaml', 'completed', '{"targetVersions":{"echo":"v"}}', '{"suite":"smoke"}', 1, 10, 20, 'ana')`,
      );
      db.exec(
        `INSERT INTO results (run_id, item_id, task_id, task_version, target_name, target_version, repeat_index, status, prompt_json, output, score, latency_ms, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, usage_raw_json, cost_usd, attempts, cached, served_by, error_category, error_message, created_at, ttft_ms, stale)
         VALUES ('r2', 'i1', 't1', 'tv1', 'echo', 'v', 0, 'passed', '[]', 'hi', 1, 5, 3, 1, NULL, NULL, NULL, 0.25, 1, 0, 'echo', NULL, NULL, 30, 2, 0)`,
      );
      db.exec(
        "INSERT INTO scores (run_id, item_id, name, ordinal, value, pass, reason, weight) VALUES ('r2', 'i1', 'equals', 0, 1, 1, 'same', 1)",
      );
      db.exec(
        `INSERT INTO task_versions (task_id, version, content_json, created_at)
         VALUES ('t1', 'tv1', '{"vars":{"q":"?"},"assert":[],"tags":["old"],"metadata":{},"source":"tasks/t.yaml"}', 7)`,
      );
      db.exec(
        "INSERT INTO cache_entries (key, output, usage_json, cost_usd, latency_ms, model, created_at, expires_at) VALUES ('k', 'hi', '{}', 0.25, 5, NULL, 1, 100)",
      );
    });

    const store = await SqliteStore.open(path);
    try {
      const [result] = await store.listResults({ runId: 'r2' });
      expect(result).toMatchObject({ itemId: 'i1', output: 'hi', ttftMs: 2, costUsd: 0.25 });
      expect(result?.scores).toStrictEqual([
        { name: 'equals', value: 1, pass: true, reason: 'same', weight: 1 },
      ]);
      expect(result).not.toHaveProperty('judgeCostUsd');
      expect(result).not.toHaveProperty('savedUsd');
      expect(await store.taskHistory('t1')).toStrictEqual([
        {
          version: 'tv1',
          createdAt: 7,
          value: {
            id: 't1',
            version: 'tv1',
            vars: { q: '?' },
            assert: [],
            tags: ['old'],
            metadata: {},
            source: 'tasks/t.yaml',
          },
        },
      ]);
      const [listing] = await store.listRuns({ suite: 'smoke', target: 'echo' });
      expect(listing?.run.id).toBe('r2');
      expect(listing?.stats).toMatchObject({
        results: 1,
        passed: 1,
        costUsd: 0.25,
        savedUsd: 0,
        targets: ['echo'],
      });
      expect(await store.cache.stats(50)).toMatchObject({ entries: 1, expired: 0, bytes: 4 });
      // New columns take writes after the upgrade.
      await store.saveResults([{ ...result!, itemId: 'i2', judgeCostUsd: 0.5, savedUsd: 0.125 }]);
      expect(await store.runStats('r2')).toMatchObject({ results: 2, judgeCostUsd: 0.5, savedUsd: 0.125 });
      await store.archiveTask('t1', 40);
      expect(await store.archivedTaskIds()).toEqual(new Set(['t1']));
    } finally {
      await store.close();
    }
    const versions = readRaw(path, (db) =>
      db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
    );
    expect(versions).toEqual(sqliteMigrations.map((migration) => migration.version));
  });

  it('tolerates task versions stored before every field was', async () => {
    const path = join(directory, 'sparse-task.db');
    await (await SqliteStore.open(path)).close();
    readRaw(path, (db) =>
      db.exec(
        "INSERT INTO task_versions (task_id, version, content_json, created_at) VALUES ('bare', 'v', '{}', 1)",
      ),
    );
    const store = await SqliteStore.open(path);
    const history = await store.taskHistory('bare');
    await store.close();
    expect(history).toStrictEqual([
      {
        version: 'v',
        createdAt: 1,
        value: { id: 'bare', version: 'v', vars: {}, assert: [], tags: [], metadata: {}, source: '' },
      },
    ]);
  });

  it("refuses another program's database that has a table Assay would create, naming the file", async () => {
    const path = join(directory, 'other-program.db');
    readRaw(path, (db) => db.exec('CREATE TABLE results (id INTEGER PRIMARY KEY, body TEXT)'));
    await expect(SqliteStore.open(path)).rejects.toMatchObject({
      constructor: UserError,
      location: path,
      message: expect.stringMatching(/belongs to another program: .*table results already exists/),
      hint: expect.stringMatching(/an Assay database, or at a new file/),
    });
    // Nothing of Assay's was left behind in it.
    expect(readRaw(path, (db) => db.prepare('SELECT count(*) FROM schema_migrations').pluck().get())).toBe(0);
  });

  it('reports a file that is not a database as a user error', async () => {
    const path = join(directory, 'not-a-database.db');
    writeFileSync(path, 'this is plain text, not SQLite '.repeat(10));
    await expect(SqliteStore.open(path)).rejects.toMatchObject({
      constructor: UserError,
      location: path,
      message: expect.stringContaining('not a database'),
    });
  });
});

describe('SqliteStore on a full disk', () => {
  it('reports the full disk (SQLITE_FULL), not the failed rollback that follows it, and closes', async () => {
    const path = join(directory, 'full.db');
    const store = await SqliteStore.open(path);
    // A page limit makes SQLite answer SQLITE_FULL as a full disk would; it then rolls the
    // transaction back itself, and Kysely's own rollback used to fail and hide why.
    const pages = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
    await sql.raw(`pragma max_page_count = ${pages.rows[0]!.page_count + 2}`).execute(store.db);
    const versions = makeVersions();
    const huge = { ...versions.prompts[0]!, version: 'huge', source: 'x'.repeat(1_000_000) };
    const error = await store
      .saveVersions({ ...versions, prompts: [huge] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SQLITE_FULL' });
    const failure = storageFailure(error, path);
    expect(failure).toBeInstanceOf(EnvironmentError);
    expect(failure).toMatchObject({
      message: 'the disk holding the database is full (database or disk is full)',
      location: path,
      hint: expect.stringMatching(/^free space on that disk .*then run the command again/),
    });
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('SqliteStore.open read-only', () => {
  it('reads an existing database without writing to it', async () => {
    const path = join(directory, 'read-only.db');
    const versions = makeVersions();
    const writer = await SqliteStore.open(path);
    await writer.saveVersions(versions);
    await writer.close();
    const store = await SqliteStore.open(path, { readOnly: true });
    try {
      expect(await store.taskHistory(versions.tasks[0]!.id)).toHaveLength(2);
      // Opened read-only: SQLite itself refuses a write.
      await expect(store.saveVersions(makeVersions())).rejects.toMatchObject({
        code: expect.stringMatching(/^SQLITE_READONLY/),
      });
    } finally {
      await store.close();
    }
  });

  it('migrates a database that needs it, and creates one that does not exist', async () => {
    const path = join(directory, 'read-only-unmigrated.db');
    readRaw(path, (db) => db.exec('CREATE TABLE unrelated (id INTEGER)'));
    const store = await SqliteStore.open(path, { readOnly: true });
    expect(await pendingMigrations(store.db, sqliteMigrations)).toEqual([]);
    await store.close();
    const fresh = join(directory, 'read-only-new', 'a.db');
    await (await SqliteStore.open(fresh, { readOnly: true })).close();
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('pendingMigrations', () => {
  it('lists what a database lacks without writing, and refuses a newer one', async () => {
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
    });
    try {
      expect(await pendingMigrations(db, sqliteMigrations)).toEqual(
        sqliteMigrations.map(({ version }) => version),
      );
      await migrate(db, sqliteMigrations);
      expect(await pendingMigrations(db, sqliteMigrations)).toEqual([]);
      await expect(pendingMigrations(db, sqliteMigrations.slice(0, 1))).rejects.toBeInstanceOf(
        SchemaVersionError,
      );
    } finally {
      await db.destroy();
    }
  });
});
