import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { createTestDatabase, postgresAdminUrl } from '../../src/store/postgres/test-helpers.js';
import { arithmeticTasks, makeProject, mockEnv, runCli } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const CONFIG = `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    config: { temperature: 0 }
  - id: openai:gpt-4o
    config: { temperature: 0 }
tasks: [tasks/gen.jsonl]
defaults: { concurrency: 8 }
`;

/** A project with two runs (the second a failing variant), stored in SQLite. */
async function projectWithRuns() {
  const project = await makeProject({
    'assay.yaml': CONFIG,
    'prompts/q.njk': '{{ question }}',
    'tasks/gen.jsonl': arithmeticTasks(30, 4),
  });
  const env = mockEnv(mock.url, project.dir);
  for (let run = 0; run < 2; run++) await runCli(['run', '--no-cache'], { cwd: project.dir, env });
  return { ...project, env };
}

/** What a user reads from a store: runs, results, a comparison and costs, as JSON. */
async function readings(dir: string, env: Record<string, string>) {
  const json = async (args: string[]) => {
    const result = await runCli([...args, '--json'], { cwd: dir, env });
    expect(result.code, result.stderr).not.toBe(2);
    return JSON.parse(result.stdout) as unknown;
  };
  const runs = (await json(['runs'])) as Array<{ id: string }>;
  return {
    runs,
    results: await json(['results', '--run', runs[1]!.id]),
    compare: await json(['compare', runs[1]!.id, runs[0]!.id]),
    // `since` is "now minus 10 years", which moves between two commands.
    costs: { ...((await json(['costs', '--by', 'target', '--since', '3650d'])) as object), since: null },
  };
}

describe('assay db on SQLite', () => {
  it('status and migrate report the schema version; backup and restore round-trip; a non-empty target is refused', async () => {
    const { dir, env, cleanup } = await projectWithRuns();
    try {
      const status = await runCli(['db', 'status'], { cwd: dir, env });
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(
        /^SQLite store at schema version (\d+) \(this Assay knows up to \1\)\n {2}applied {2}1 initial/,
      );
      expect((await runCli(['db', 'migrate'], { cwd: dir, env })).stdout).toMatch(
        /already at schema version \d+/,
      );

      const archive = path.join(dir, 'backups', 'today.assay');
      const backup = await runCli(['db', 'backup', '-o', archive], { cwd: dir, env });
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toMatch(
        /wrote .*today\.assay \(\d+ bytes, schema version \d+\)\n {2}task_versions +30\n/,
      );
      expect(backup.stdout).toMatch(/ {2}results +120\n/);

      const restoredDb = path.join(dir, 'restored.db');
      const restore = await runCli(['db', 'restore', archive, '--to', restoredDb], { cwd: dir, env });
      expect(restore.code, restore.stderr).toBe(0);
      expect(await readings(dir, { ...env, ASSAY_DB: restoredDb })).toStrictEqual(await readings(dir, env));

      const again = await runCli(['db', 'restore', archive, '--to', restoredDb], { cwd: dir, env });
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(
        /the target store is not empty .*\n {2}fix: restore into an empty store, or add --force/,
      );
      expect(
        (await runCli(['db', 'restore', archive, '--to', restoredDb, '--force'], { cwd: dir, env })).code,
      ).toBe(0);
    } finally {
      await cleanup();
    }
  });

  it('a full disk during backup: a clear message, and no file (or part of one) left behind', async () => {
    const { dir, env, cleanup } = await projectWithRuns();
    const small = path.join(dir, 'small-disk');
    mkdirSync(small);
    // One 4 KB page of room: less than the backup needs. (Tests run as root here, as CI does.)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', small]);
    try {
      const backup = await runCli(['db', 'backup', '-o', path.join(small, 'b.assay')], { cwd: dir, env });
      expect(backup.code).toBe(2);
      expect(backup.stderr).toMatch(
        /b\.assay: cannot write the backup: .*ENOSPC.*\n {2}fix: free some space/,
      );
      expect(readdirSync(small)).toEqual([]);
    } finally {
      execFileSync('umount', [small]);
      rmSync(small, { recursive: true, force: true });
      await cleanup();
    }
  });
});

describe('a read-only SQLite database', () => {
  it('every command says the database is on a read-only disk, and how to go on (exit 2)', async () => {
    const { dir, env, cleanup } = await projectWithRuns();
    const readOnly = path.join(dir, 'read-only');
    mkdirSync(readOnly);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', readOnly]);
    try {
      const file = path.join(readOnly, 'a.db');
      expect((await runCli(['db', 'copy', '--to', file], { cwd: dir, env })).code).toBe(0);
      // Read-only from now on (tests run as root here, as CI does, and root ignores file modes).
      execFileSync('mount', ['-o', 'remount,ro', readOnly]);
      for (const args of [['runs'], ['run'], ['db', 'backup', '-o', path.join(dir, 'b.assay')]]) {
        const result = await runCli([...args, '--db', file], { cwd: dir, env });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(
          /a\.db: the SQLite database is on a read-only disk or folder.*\n {2}fix: copy it to a writable folder/,
        );
      }
    } finally {
      execFileSync('umount', [readOnly]);
      rmSync(readOnly, { recursive: true, force: true });
      await cleanup();
    }
  });
});

describe.skipIf(!postgresAdminUrl())('assay db across databases', () => {
  let databases: Array<Awaited<ReturnType<typeof createTestDatabase>>> = [];
  beforeEach(() => {
    databases = [];
  });
  afterEach(async () => {
    for (const database of databases) await database.drop();
  });
  const database = async () => {
    const created = await createTestDatabase();
    databases.push(created);
    return created.url;
  };

  it('SQLite backup → PostgreSQL restore, and db copy back: the same runs, results, comparison and costs', async () => {
    const { dir, env, cleanup } = await projectWithRuns();
    try {
      const expected = await readings(dir, env);
      const archive = path.join(dir, 'laptop.assay');
      expect((await runCli(['db', 'backup', '-o', archive], { cwd: dir, env })).code).toBe(0);
      const team = await database();
      const restore = await runCli(['db', 'restore', archive, '--to', team], { cwd: dir, env });
      expect(restore.code, restore.stderr).toBe(0);
      expect(await readings(dir, { ...env, ASSAY_DATABASE_URL: team })).toStrictEqual(expected);
      const status = await runCli(['db', 'status'], { cwd: dir, env: { ...env, ASSAY_DATABASE_URL: team } });
      expect(status.stdout).toMatch(/^PostgreSQL store at schema version \d+/);

      const copy = path.join(dir, 'copy.db');
      const copied = await runCli(['db', 'copy', '--from', team, '--to', copy], { cwd: dir, env });
      expect(copied.code, copied.stderr).toBe(0);
      expect(copied.stdout).toMatch(/copied to .*copy\.db\n/);
      expect(await readings(dir, { ...env, ASSAY_DB: copy })).toStrictEqual(expected);

      const second = await database();
      const url = new URL(second);
      url.password = 'hunter2-secret';
      const intoPostgres = await runCli(['db', 'copy', '--to', url.toString()], { cwd: dir, env });
      expect(intoPostgres.code, intoPostgres.stderr).toBe(0);
      expect(intoPostgres.stdout).toMatch(
        /copied to postgres:\/\/root:\*\*\*@127\.0\.0\.1:5432\/assay_test_/,
      );
      expect(intoPostgres.stdout).not.toContain('hunter2');
      const same = await runCli(['db', 'copy', '--from', team, '--to', team], { cwd: dir, env });
      expect(same.code).toBe(2);
      expect(same.stderr).toMatch(/--from and --to name the same store/);
    } finally {
      await cleanup();
    }
  });
});

for (const dialect of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(dialect === 'PostgreSQL' && !postgresAdminUrl())(`retention and audit (${dialect})`, () => {
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    afterEach(async () => {
      await database?.drop();
      database = undefined;
    });

    it('runs delete, runs prune, tasks rm/restore, cache clear and a retry are audited; assay audit lists them', async () => {
      const project = await makeProject({
        'assay.yaml': CONFIG,
        'prompts/q.njk': '{{ question }}',
        'tasks/gen.jsonl': arithmeticTasks(6, 3),
      });
      if (dialect === 'PostgreSQL') database = await createTestDatabase();
      const env = {
        ...mockEnv(mock.url, project.dir),
        ASSAY_USER: 'ana@example.com',
        ...(database ? { ASSAY_DATABASE_URL: database.url } : {}),
      };
      const cli = (args: string[]) => runCli(args, { cwd: project.dir, env });
      try {
        for (let run = 0; run < 3; run++) await cli(['run']);
        const runs = JSON.parse((await cli(['runs', '--json'])).stdout) as Array<{ id: string }>;
        expect(runs).toHaveLength(3);

        const deleted = await cli(['runs', 'delete', runs[2]!.id]);
        expect(deleted.code, deleted.stderr).toBe(0);
        expect(deleted.stdout).toBe(
          `deleted run ${runs[2]!.id}: 12 results, 12 scores (task and prompt versions stay)\n`,
        );
        const pruned = await cli(['runs', 'prune', '--older-than', '0d', '--keep-baselines']);
        expect(pruned.code, pruned.stderr).toBe(0);
        // The newest completed run is the suite's baseline: kept; the one before it goes.
        expect(pruned.stdout).toMatch(
          new RegExp(
            `^pruned 1 run started before .*: 12 results, 12 scores; kept 1 baseline run\\n {2}removed ${runs[1]!.id}\\n$`,
          ),
        );
        expect((await cli(['runs', 'prune', '--older-than', '0d'])).stdout).toMatch(
          /^pruned 1 run started before .*: 12 results, 12 scores\n/,
        );
        expect(JSON.parse((await cli(['runs', '--json'])).stdout)).toEqual([]);

        expect((await cli(['tasks', 'rm', 't1'])).code).toBe(0);
        expect((await cli(['tasks', 'restore', 't1'])).code).toBe(0);
        expect((await cli(['cache', 'clear', '--yes'])).code).toBe(0);
        await cli(['run']);
        expect((await cli(['retry', 'latest', '--failed'])).code).toBe(1);

        const audit = await cli(['audit', '--since', '1d', '--json']);
        expect(audit.code, audit.stderr).toBe(0);
        const entries = JSON.parse(audit.stdout) as Array<{
          action: string;
          actor: string;
          subject: string | null;
        }>;
        expect(entries.map((entry) => entry.action)).toEqual([
          'run.delete',
          'run.prune',
          'run.prune',
          'task.archive',
          'task.restore',
          'cache.clear',
          'run.retry',
        ]);
        expect(entries.every((entry) => entry.actor === 'ana@example.com')).toBe(true);
        const table = await cli(['audit', '--action', 'task.archive']);
        expect(table.stdout).toMatch(
          /^when \(UTC\) +who +action +subject +details\n.*ana@example\.com +task\.archive +t1/,
        );
      } finally {
        await project.cleanup();
      }
    });
  });
}
