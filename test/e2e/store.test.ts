import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { createTestDatabase, postgresAdminUrl } from '../../src/store/postgres/test-helpers.js';
import {
  arithmeticTasks,
  makeProject,
  mockEnv,
  parseReport,
  questionOf,
  runCli,
  startCli,
  waitFor,
} from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, latencyMs: 20 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

function project(tasks: number, defaults = 'concurrency: 16') {
  return makeProject({
    'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    config: { temperature: 0 }
tasks: [tasks/gen.jsonl]
defaults: { ${defaults} }
`,
    'prompts/q.njk': '{{ question }}',
    'tasks/gen.jsonl': arithmeticTasks(tasks),
  });
}

type Database = Awaited<ReturnType<typeof createTestDatabase>>;

for (const dialect of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(dialect === 'PostgreSQL' && !postgresAdminUrl())(`many writers (${dialect})`, () => {
    let database: Database | undefined;
    beforeEach(async () => {
      if (dialect === 'PostgreSQL') database = await createTestDatabase();
    });
    afterEach(async () => {
      await database?.drop();
      database = undefined;
    });
    const env = (dir: string): Record<string, string> => ({
      ...mockEnv(mock.url, dir),
      ...(database ? { ASSAY_DATABASE_URL: database.url } : {}),
    });

    it('three `assay run` at once on one database all complete, each with every result once', async () => {
      const { dir, cleanup } = await project(300);
      try {
        const outcomes = await Promise.all(
          [1, 2, 3].map(() => runCli(['run', '--json', '--no-cache'], { cwd: dir, env: env(dir) })),
        );
        for (const outcome of outcomes) {
          expect(outcome.stderr).not.toMatch(/locked|busy/i);
          expect(outcome.code).toBe(0);
        }
        const ids = outcomes.map((outcome) => parseReport(outcome.stdout).run.id);
        expect(new Set(ids).size).toBe(3);
        for (const id of ids) {
          const stored = parseReport(
            (await runCli(['results', '--run', id, '--json'], { cwd: dir, env: env(dir) })).stdout,
          );
          expect(stored.run.status).toBe('completed');
          expect(stored.results).toHaveLength(300);
          expect(new Set(stored.results?.map((result) => result.itemId)).size).toBe(300);
          expect(stored.results?.every((result) => result.status === 'passed')).toBe(true);
        }
        expect(mock.journal()).toHaveLength(900);
      } finally {
        await cleanup();
      }
    });
  });
}

/** A TCP proxy to the PostgreSQL server that a test can cut (every connection dropped, new ones refused). */
async function startProxy(
  target: URL,
): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(!postgresAdminUrl())('PostgreSQL connection problems', () => {
  let database: Database;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('a refused connection, a refused login and a missing database: one message each, exit 2, no password', async () => {
    const { dir, cleanup } = await project(2);
    try {
      const url = (change: (url: URL) => void) => {
        const parsed = new URL(database.url);
        parsed.password = 'hunter2-secret';
        change(parsed);
        return parsed.toString();
      };
      const cases: Array<[string, RegExp]> = [
        [
          url((u) => (u.port = '1')),
          /cannot connect to PostgreSQL at 127\.0\.0\.1:1: connection refused\n {2}fix: start the server/,
        ],
        [url((u) => (u.username = 'nobody_here')), /refused the login of user "nobody_here"/],
        [
          url((u) => (u.pathname = '/assay_missing_db')),
          /database "assay_missing_db" does not exist.*\n {2}fix: create it: createdb/,
        ],
      ];
      for (const [databaseUrl, message] of cases) {
        for (const args of [['runs'], ['run']]) {
          const result = await runCli(args, {
            cwd: dir,
            env: { ...mockEnv(mock.url, dir), ASSAY_DATABASE_URL: databaseUrl },
          });
          expect(result.code).toBe(2);
          expect(result.stderr).toMatch(message);
          expect(result.stderr).not.toMatch(/\n\s+at /);
          expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2');
        }
      }
    } finally {
      await cleanup();
    }
  });

  it('the server gone mid-run: the run stops interrupted (exit 3), keeps what it saved, and --resume finishes it', async () => {
    const proxy = await startProxy(new URL(database.url));
    const { dir, cleanup } = await project(600, 'concurrency: 4');
    try {
      const viaProxy = new URL(database.url);
      viaProxy.port = String(proxy.port);
      const env = { ...mockEnv(mock.url, dir), ASSAY_DATABASE_URL: viaProxy.toString() };
      const { child, done } = startCli(['run', '--no-cache', '--progress', 'lines'], { cwd: dir, env });
      let stderr = '';
      child.stderr!.on('data', (chunk) => {
        stderr += chunk;
      });
      // Past the first flushes (every 200 ms), then the server goes away: 600 items at 20 ms and
      // concurrency 4 take 3 s, so the cut lands mid-run even on a loaded machine.
      await waitFor(() => (stderr.match(/PASS/g) ?? []).length >= 40);
      proxy.cut();
      const stopped = await done;
      expect(stopped.code, stopped.stderr.slice(-2000)).toBe(3);
      expect(stopped.stderr).toMatch(
        /run ([0-9a-f-]{36}) interrupted: its results could not be saved \(.+\); everything saved before is kept\n {2}fix: finish the run with `assay run --resume \1` once the database is back/,
      );
      expect(stopped.stderr).not.toMatch(/\n\s+at /);
      const runId = /run ([0-9a-f-]{36}) interrupted/.exec(stopped.stderr)![1]!;

      proxy.restore();
      const saved = parseReport(
        (await runCli(['results', '--run', runId, '--json'], { cwd: dir, env })).stdout,
      );
      const savedTasks = new Set(saved.results?.map((result) => result.taskId));
      expect(savedTasks.size).toBeGreaterThan(0);
      expect(savedTasks.size).toBeLessThan(600);
      const resumed = await runCli(['run', '--resume', runId, '--no-cache', '--json'], { cwd: dir, env });
      expect(resumed.code).toBe(0);
      const report = parseReport(resumed.stdout);
      expect(report.run.status).toBe('completed');
      expect(report.results).toHaveLength(600);
      expect(new Set(report.results?.map((result) => result.itemId)).size).toBe(600);
      // What was saved before the cut was not called again.
      const calls = new Map<string, number>();
      for (const entry of mock.journal())
        calls.set(questionOf(entry.body), (calls.get(questionOf(entry.body)) ?? 0) + 1);
      for (const task of savedTasks) expect(calls.get(`What is ${task.slice(1)} + 1000?`)).toBe(1);
    } finally {
      await proxy.close();
      await cleanup();
    }
  });
});
