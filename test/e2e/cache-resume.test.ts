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
  mock = await startMockServer({ port: 0, latencyMs: 150 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

function env(dir: string): Record<string, string> {
  return mockEnv(mock.url, dir);
}

function project(tasks: number, defaults = 'concurrency: 4') {
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

/** Questions asked of the mock, counted. */
function callCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of mock.journal())
    counts.set(questionOf(entry.body), (counts.get(questionOf(entry.body)) ?? 0) + 1);
  return counts;
}

describe('response cache', () => {
  it('a second run is served from the cache without calling the provider; --no-cache calls again', async () => {
    const { dir, cleanup } = await project(5, 'concurrency: 5');
    try {
      const first = parseReport((await runCli(['run', '--json'], { cwd: dir, env: env(dir) })).stdout);
      expect(first.results?.every((item) => !item.cached)).toBe(true);
      expect(mock.journal()).toHaveLength(5);

      const second = parseReport((await runCli(['run', '--json'], { cwd: dir, env: env(dir) })).stdout);
      expect(second.run.id).not.toBe(first.run.id);
      expect(second.results?.every((item) => item.cached && item.costUsd === 0)).toBe(true);
      const outputs = (report: typeof first) =>
        Object.fromEntries(report.results?.map((item) => [item.taskId, item.output]) ?? []);
      expect(outputs(second)).toEqual(outputs(first));
      expect(mock.journal()).toHaveLength(5);

      const fresh = parseReport(
        (await runCli(['run', '--json', '--no-cache'], { cwd: dir, env: env(dir) })).stdout,
      );
      expect(fresh.results?.every((item) => !item.cached)).toBe(true);
      expect(mock.journal()).toHaveLength(10);
    } finally {
      await cleanup();
    }
  });

  it('entries expire after cache_ttl', async () => {
    const { dir, cleanup } = await project(2, 'cache_ttl: 1ms');
    try {
      await runCli(['run', '--json'], { cwd: dir, env: env(dir) });
      const again = parseReport((await runCli(['run', '--json'], { cwd: dir, env: env(dir) })).stdout);
      expect(again.results?.every((item) => !item.cached)).toBe(true);
      expect(mock.journal()).toHaveLength(4);
    } finally {
      await cleanup();
    }
  });

  it('a changed generation config misses the cache; the API key is not part of the key', async () => {
    const { dir, cleanup } = await project(2);
    try {
      await runCli(['run', '--json'], { cwd: dir, env: env(dir) });
      const otherKey = parseReport(
        (
          await runCli(['run', '--json'], {
            cwd: dir,
            env: { ...env(dir), OPENAI_API_KEY: 'sk-another-key-987654' },
          })
        ).stdout,
      );
      expect(otherKey.results?.every((item) => item.cached)).toBe(true);
      const { readFile, writeFile } = await import('node:fs/promises');
      const config = await readFile(`${dir}/assay.yaml`, 'utf8');
      await writeFile(
        `${dir}/assay.yaml`,
        config.replace('temperature: 0', 'temperature: 0, max_tokens: 20'),
      );
      const changed = parseReport((await runCli(['run', '--json'], { cwd: dir, env: env(dir) })).stdout);
      expect(changed.results?.every((item) => !item.cached)).toBe(true);
      expect(mock.journal()).toHaveLength(4);
    } finally {
      await cleanup();
    }
  });
});

for (const dialect of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(dialect === 'PostgreSQL' && !postgresAdminUrl())(
    `interrupt and resume (${dialect})`,
    () => {
      // PostgreSQL: each test in a database of its own (ASSAY_DATABASE_URL wins over ASSAY_DB).
      let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
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

      it('Ctrl-C finishes calls in flight, marks the run interrupted (exit 3); --resume completes it without repeating a call', async () => {
        const { dir, cleanup } = await project(40);
        try {
          const { child, done } = startCli(['run', '--no-cache', '--progress', 'lines'], {
            cwd: dir,
            env: env(dir),
          });
          let stderr = '';
          child.stderr!.on('data', (chunk) => {
            stderr += chunk;
          });
          await waitFor(() => (stderr.match(/PASS/g) ?? []).length >= 6);
          child.kill('SIGINT');
          const first = await done;
          expect(first.code).toBe(3);
          expect(first.stdout).toContain('interrupted');
          expect(first.stdout).toMatch(/assay run --resume [0-9a-f-]{36}/);

          const partial = parseReport(
            (await runCli(['results', '--json'], { cwd: dir, env: env(dir) })).stdout,
          );
          expect(partial.run.status).toBe('interrupted');
          const stored = partial.results?.length ?? 0;
          expect(stored).toBeGreaterThanOrEqual(6);
          expect(stored).toBeLessThan(40);
          // Calls in flight at Ctrl-C were finished and recorded: every call made has its result.
          expect(mock.journal()).toHaveLength(stored);

          const resumed = await runCli(['run', '--resume', 'latest', '--no-cache', '--json'], {
            cwd: dir,
            env: env(dir),
          });
          expect(resumed.code).toBe(0);
          const report = parseReport(resumed.stdout);
          expect(report.run.id).toBe(partial.run.id);
          expect(report.run.status).toBe('completed');
          expect(report.results).toHaveLength(40);
          expect(new Set(report.results?.map((item) => item.itemId)).size).toBe(40);
          const counts = callCounts();
          expect(counts.size).toBe(40);
          expect([...counts.values()].every((count) => count === 1)).toBe(true);
        } finally {
          await cleanup();
        }
      });

      it('after kill -9, --resume gives every item exactly one result and never re-calls a stored one', async () => {
        const { dir, cleanup } = await project(40);
        try {
          const { child, done } = startCli(['run', '--no-cache', '--progress', 'lines'], {
            cwd: dir,
            env: env(dir),
          });
          let stderr = '';
          child.stderr!.on('data', (chunk) => {
            stderr += chunk;
          });
          // Results are flushed at least every 200 ms: wait for some to be committed, then kill hard.
          await waitFor(() => (stderr.match(/PASS/g) ?? []).length >= 12);
          await new Promise((resolve) => setTimeout(resolve, 300));
          child.kill('SIGKILL');
          const first = await done;
          expect(first.signal).toBe('SIGKILL');

          const partial = parseReport(
            (await runCli(['results', '--json'], { cwd: dir, env: env(dir) })).stdout,
          );
          expect(partial.run.status).toBe('running');
          const committed = new Set(partial.results?.map((item) => item.taskId));
          expect(committed.size).toBeGreaterThan(0);
          expect(committed.size).toBeLessThan(40);
          const questionsBefore = callCounts();

          const resumed = await runCli(['run', '--resume', partial.run.id, '--no-cache', '--json'], {
            cwd: dir,
            env: env(dir),
          });
          expect(resumed.code).toBe(0);
          const report = parseReport(resumed.stdout);
          expect(report.results).toHaveLength(40);
          expect(new Set(report.results?.map((item) => item.itemId)).size).toBe(40);
          // A committed item was called exactly once, before the kill.
          const counts = callCounts();
          for (const item of partial.results ?? []) {
            const question = `What is ${item.taskId.slice(1)} + 1000?`;
            expect(counts.get(question)).toBe(questionsBefore.get(question));
            expect(counts.get(question)).toBe(1);
          }
        } finally {
          await cleanup();
        }
      });

      it('two --resume of one run at once: one executes it, the other is refused naming the holder (exit 2)', async () => {
        const { dir, cleanup } = await project(80);
        try {
          const { child, done } = startCli(['run', '--no-cache', '--progress', 'lines'], {
            cwd: dir,
            env: env(dir),
          });
          let stderr = '';
          child.stderr!.on('data', (chunk) => {
            stderr += chunk;
          });
          await waitFor(() => (stderr.match(/PASS/g) ?? []).length >= 4);
          child.kill('SIGINT');
          expect((await done).code).toBe(3);

          const resume = () =>
            runCli(['run', '--resume', 'latest', '--no-cache', '--json'], { cwd: dir, env: env(dir) });
          const outcomes = await Promise.all([resume(), resume()]);
          const codes = outcomes.map((outcome) => outcome.code).sort();
          expect(codes).toEqual([0, 2]);
          const refused = outcomes.find((outcome) => outcome.code === 2)!;
          expect(refused.stderr).toMatch(
            /run [0-9a-f-]{36} is being executed by .+ pid \d+ \(heartbeat \d+s ago\)\n {2}fix: wait, or if that process is gone, retry after \d{4}-\d\d-\d\dT/,
          );
          const report = parseReport(outcomes.find((outcome) => outcome.code === 0)!.stdout);
          expect(report.results).toHaveLength(80);
          const counts = callCounts();
          expect(counts.size).toBe(80);
          expect([...counts.values()].every((count) => count === 1)).toBe(true);
        } finally {
          await cleanup();
        }
      });

      it('refuses to resume a completed or unknown run (exit 2)', async () => {
        const { dir, cleanup } = await project(2);
        try {
          await runCli(['run'], { cwd: dir, env: env(dir) });
          const again = await runCli(['run', '--resume'], { cwd: dir, env: env(dir) });
          expect(again.code).toBe(2);
          expect(again.stderr).toMatch(/already complete/);
          const missing = await runCli(['run', '--resume', 'no-such-run'], { cwd: dir, env: env(dir) });
          expect(missing.code).toBe(2);
          expect(missing.stderr).toMatch(/no run "no-such-run"/);
        } finally {
          await cleanup();
        }
      });
    },
  );
}
