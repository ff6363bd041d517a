import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { sqliteMigrations } from '../migrations/sqlite/index.js';
import { PostgresStore } from '../postgres/postgres-store.js';
import { createTestDatabase, postgresAdminUrl } from '../postgres/test-helpers.js';
import type { SqlStore } from '../sql-store.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { makeResult, makeRun, makeTarget, makeVersions } from '../test-helpers.js';
import { backupStore, copyStore, restoreArchive } from './transfer.js';

const directory = mkdtempSync(join(tmpdir(), 'assay-backup-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let counter = 0;
const file = (name: string) => join(directory, `${counter++}-${name}`);

/** A store with versions, runs, results with scores, an archived task and cache entries. */
async function seed(store: SqlStore & { cache: { set: SqliteStore['cache']['set'] } }): Promise<void> {
  const versions = makeVersions();
  const target = makeTarget({ name: 'mini', version: 't1' });
  await store.saveVersions({ ...versions, targets: [...versions.targets, target] });
  const base = Date.UTC(2026, 10, 1);
  for (let index = 0; index < 3; index++) {
    const run = makeRun({
      id: `run-${index}`,
      startedAt: base + index * 86_400_000,
      status: 'completed',
      finishedAt: base + index * 86_400_000 + 5,
    });
    await store.createRun(run);
    await store.saveResults(
      Array.from({ length: 2_500 }, (_, item) =>
        makeResult(run.id, {
          itemId: `item-${String(item).padStart(5, '0')}`,
          taskId: `task-${item % 7}`,
          status: item % 5 === 0 ? 'failed' : 'passed',
          output: `answer ${item} — ünïcödé "quoted"\n`,
          // Binary fractions: sums are exact in any order, as each database adds them up its own way.
          costUsd: item % 3 === 0 ? null : (item % 11) / 1024,
          usage: { inputTokens: item, outputTokens: 3, raw: { n: item } },
          createdAt: run.startedAt + item,
          scores: [
            { name: 'equals', value: item % 5 === 0 ? 0 : 1, pass: item % 5 !== 0, reason: 'r', weight: 1 },
            {
              name: 'judge',
              value: 0.5,
              pass: true,
              reason: 'fine',
              weight: 2,
              metric: 'quality',
              costUsd: 0.000_25,
            },
          ],
        }),
      ),
    );
  }
  await store.archiveTask('task-3', base);
  await store.cache.set([
    {
      key: 'k1',
      value: { output: 'cached', usage: {}, costUsd: 0.5, latencyMs: 3, createdAt: base },
      ttlMs: 1_000,
    },
    {
      key: 'k2',
      value: {
        output: 'forever',
        usage: { inputTokens: 1 },
        costUsd: null,
        latencyMs: 1,
        model: 'm',
        createdAt: base,
      },
      ttlMs: Number.POSITIVE_INFINITY,
    },
  ]);
}

/** What users see of a store: the answers `runs`, `results`, `costs`, history and the cache give. */
async function answers(store: SqlStore & { cache: SqliteStore['cache'] }) {
  const runs = await store.listRuns({});
  return {
    runs,
    results: await Promise.all(runs.map(({ run }) => store.listResults({ runId: run.id }))),
    failed: await store.listResults({ runId: 'run-1', failedOnly: true, limit: 50, offset: 10 }),
    costs: await Promise.all(
      (['model', 'task', 'user', 'day', 'week'] as const).map((by) => store.costBreakdown({ since: 0, by })),
    ),
    tasks: await store.listTaskIds(),
    history: await store.taskHistory(makeVersions().tasks[0]!.id),
    archived: [...(await store.archivedTaskIds())],
    cache: await store.cache.stats(Date.UTC(2026, 10, 1) + 10),
    hit: await store.cache.get('k2', Date.UTC(2030, 0, 1)),
  };
}

type Opener = () => Promise<SqlStore & { cache: SqliteStore['cache'] }>;
const adminUrl = postgresAdminUrl();
const databases: Array<Awaited<ReturnType<typeof createTestDatabase>>> = [];
const sqlite: Opener = () => SqliteStore.open(file('store.db'));
const postgres: Opener = async () => {
  const database = await createTestDatabase();
  databases.push(database);
  return (await PostgresStore.open(database.url)) as unknown as SqlStore & { cache: SqliteStore['cache'] };
};
afterAll(async () => {
  for (const database of databases) await database.drop();
});

const pairs: Array<[string, Opener, Opener, boolean]> = [
  ['SQLite → SQLite', sqlite, sqlite, true],
  ['PostgreSQL → PostgreSQL', postgres, postgres, Boolean(adminUrl)],
  ['SQLite → PostgreSQL', sqlite, postgres, Boolean(adminUrl)],
  ['PostgreSQL → SQLite', postgres, sqlite, Boolean(adminUrl)],
];

for (const [name, openSource, openTarget, runs] of pairs) {
  describe.skipIf(!runs)(`backup and restore, ${name}`, () => {
    let source: Awaited<ReturnType<Opener>>;
    let expected: Awaited<ReturnType<typeof answers>>;
    beforeAll(async () => {
      source = await openSource();
      await seed(source);
      expected = await answers(source);
    });
    afterAll(async () => {
      await source.close();
    });

    it('round-trips through an archive: the restored store gives the same answers', async () => {
      const archive = file('round.assay');
      const manifest = await backupStore(source, archive);
      expect(manifest.tables.results).toMatchObject({ rows: 7_500 });
      expect(manifest.tables.scores?.rows).toBe(15_000);
      const target = await openTarget();
      try {
        const counts = await restoreArchive(archive, target);
        expect(counts).toMatchObject({
          runs: 3,
          results: 7_500,
          scores: 15_000,
          cache_entries: 2,
          task_archive: 1,
        });
        expect(await answers(target)).toStrictEqual(expected);
      } finally {
        await target.close();
      }
    });

    it('copies store to store without a file, and refuses a non-empty target unless forced', async () => {
      const target = await openTarget();
      try {
        expect(await copyStore(source, target)).toMatchObject({ results: 7_500 });
        expect(await answers(target)).toStrictEqual(expected);
        await expect(copyStore(source, target)).rejects.toThrow(/not empty \(it has rows in task_versions/);
        await target.createRun(makeRun({ id: 'extra' }));
        expect(await copyStore(source, target, { force: true })).toMatchObject({ runs: 3 });
        expect(await target.getRun('extra')).toBeUndefined();
        expect(await answers(target)).toStrictEqual(expected);
      } finally {
        await target.close();
      }
    });
  });
}

describe('restore refuses bad archives and writes nothing', () => {
  let archive: string;
  let lines: string[];
  beforeAll(async () => {
    const store = await SqliteStore.open(':memory:');
    await seed(store);
    archive = file('good.assay');
    await backupStore(store, archive);
    await store.close();
    lines = gunzipSync(readFileSync(archive)).toString('utf8').split('\n');
  });

  async function refused(bad: string, message: RegExp): Promise<void> {
    const target = await SqliteStore.open(':memory:');
    try {
      const error = await restoreArchive(bad, target).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(message);
      expect((error as UserError).location).toBe(bad);
      expect(await target.listRuns({})).toEqual([]);
      expect((await target.cache.stats(0)).entries).toBe(0);
    } finally {
      await target.close();
    }
  }

  it('a truncated archive', async () => {
    const bad = file('cut.assay');
    const bytes = readFileSync(archive);
    writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    await refused(bad, /cut short|ends/);
  });

  it('an archive with one row changed', async () => {
    const bad = file('tampered.assay');
    const index = lines.findIndex((line) => line.includes('"answer 42 '));
    const changed = [...lines];
    changed[index] = changed[index]!.replace('answer 42 ', 'answer 43 ');
    writeFileSync(bad, gzipSync(changed.join('\n')));
    await refused(bad, /table results in the backup does not match its checksum/);
  });

  it('an archive whose manifest lost a table', async () => {
    const bad = file('manifest.assay');
    const changed = [...lines];
    const last = changed.findLastIndex((line) => line.startsWith('{"manifest"'));
    const record = JSON.parse(changed[last]!);
    delete record.manifest.tables.runs;
    changed[last] = JSON.stringify(record);
    writeFileSync(bad, gzipSync(changed.join('\n')));
    await refused(bad, /does not match its manifest/);
  });

  it("another program's file: plain text, gzip of something else, a SQLite database", async () => {
    const text = file('notes.txt');
    writeFileSync(text, 'hello, these are notes\n');
    await refused(text, /not an Assay backup/);
    const other = file('other.gz');
    writeFileSync(other, gzipSync('{"some":"json"}\n[1,2,3]\n'));
    await refused(other, /not an Assay backup/);
    const database = file('a.db');
    await (await SqliteStore.open(database)).close();
    await refused(database, /not an Assay backup/);
  });

  it('an archive from a newer Assay', async () => {
    const bad = file('future.assay');
    const header = JSON.parse(lines[0]!);
    header.schemaVersion = 999;
    writeFileSync(bad, gzipSync([JSON.stringify(header), ...lines.slice(1)].join('\n')));
    await refused(bad, /schema version 999, but this Assay only knows versions up to \d+/);
  });

  it('a missing file', async () => {
    await refused(file('nowhere.assay'), /cannot read the backup/);
  });
});

describe('an archive of an older schema version is restored forward', () => {
  it('a version-5 SQLite database restores into the newest schema, on SQLite and on PostgreSQL', async () => {
    const old = file('v5.db');
    const raw = new BetterSqlite3(old);
    for (const migration of sqliteMigrations.filter((each) => each.version <= 5)) raw.exec(migration.sql);
    raw.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    for (const migration of sqliteMigrations.filter((each) => each.version <= 5)) {
      raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(migration.version, migration.name);
    }
    raw.exec(
      `INSERT INTO runs (id, config_path, status, fingerprint_json, options_json, total_items, started_at, finished_at, user)
       VALUES ('old-run', 'a.yaml', 'completed', '{"targetVersions":{"echo":"v"}}', '{"suite":"smoke"}', 1, 10, 20, 'ana')`,
    );
    raw.exec(
      `INSERT INTO results (run_id, item_id, task_id, task_version, target_name, target_version, repeat_index, status, prompt_json, output, score, latency_ms, attempts, cached, served_by, created_at, cost_usd)
       VALUES ('old-run', 'i1', 't1', 'tv1', 'echo', 'v', 0, 'passed', '[]', 'hi', 1, 5, 1, 0, 'echo', 30, 0.25)`,
    );
    raw.close();
    const store = await SqliteStore.open(old, { migrate: false });
    const archive = file('v5.assay');
    const manifest = await backupStore(store, archive);
    await store.close();
    expect(manifest.schemaVersion).toBe(5);

    const targets: Opener[] = [() => SqliteStore.open(':memory:'), ...(adminUrl ? [postgres] : [])];
    for (const open of targets) {
      const target = await open();
      try {
        await restoreArchive(archive, target);
        const [result] = await target.listResults({ runId: 'old-run' });
        expect(result).toMatchObject({ itemId: 'i1', output: 'hi', costUsd: 0.25 });
        expect((await target.listRuns({ suite: 'smoke' })).map(({ run }) => run.id)).toEqual(['old-run']);
        // The restored store takes writes of the newest schema (leases came with version 6).
        expect(
          await target.acquireRunLease({ runId: 'old-run', owner: 'me', now: 1, ttlMs: 10 }),
        ).toMatchObject({
          acquired: true,
        });
      } finally {
        await target.close();
      }
    }
  });
});
