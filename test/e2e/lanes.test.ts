import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { arithmeticTasks, makeProject, mockEnv, parseReport, questionOf, runCli } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

describe('provider lanes', () => {
  it('a quota error stops its lane with one message; other lanes go on', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    label: broke
    headers: { x-mock-quota: "1" }
    rate_limit: { concurrency: 1 }
  - id: openai-compatible:mock-model
    label: local
    base_url: \${ASSAY_MOCK_URL}/v1
tasks: [tasks/gen.jsonl]
defaults: { concurrency: 4, retries: 3 }
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/gen.jsonl': arithmeticTasks(6),
    });
    try {
      const result = await runCli(['run', '--json'], {
        cwd: dir,
        env: { ...mockEnv(mock.url, dir), ASSAY_MOCK_URL: mock.url },
      });
      expect(result.code).toBe(1);
      const report = parseReport(result.stdout);
      const broke = report.results?.filter((item) => item.target === 'broke') ?? [];
      expect(broke).toHaveLength(6);
      expect(broke.every((item) => item.status === 'error' && item.error?.category === 'quota')).toBe(true);
      expect(broke.filter((item) => item.error?.message.startsWith('lane stopped'))).toHaveLength(5);
      // Quota errors are never retried, and the stopped lane made no further calls.
      expect(mock.journal().filter((entry) => entry.status === 429)).toHaveLength(1);
      expect(
        report.results?.filter((item) => item.target === 'local' && item.status === 'passed'),
      ).toHaveLength(6);
      expect(result.stderr.match(/stopping this provider lane/g)).toHaveLength(1);
    } finally {
      await cleanup();
    }
  });

  it('a throttled lane does not hold back an unthrottled one', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    label: slow
    rate_limit: { rpm: 60 }
  - id: openai-compatible:mock-model
    label: fast
    base_url: \${ASSAY_MOCK_URL}/v1
tasks: [tasks/gen.jsonl]
defaults: { concurrency: 2 }
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/gen.jsonl': arithmeticTasks(4),
    });
    try {
      const result = await runCli(['run', '--json', '--no-cache'], {
        cwd: dir,
        env: { ...mockEnv(mock.url, dir), ASSAY_MOCK_URL: mock.url },
      });
      expect(result.code).toBe(0);
      const journal = mock.journal();
      const slow = journal.filter((entry) => (entry.body as { model: string }).model === 'gpt-4o-mini');
      const fast = journal.filter((entry) => (entry.body as { model: string }).model === 'mock-model');
      expect(slow).toHaveLength(4);
      expect(fast).toHaveLength(4);
      // 60 RPM admits one call a second: every fast call is done before the slow lane's second one.
      const lastFast = Math.max(...fast.map((entry) => entry.id));
      expect(lastFast).toBeLessThan(slow[1]!.id);
      // And the slow lane really was paced (about a second apart; allow scheduling slack).
      expect(slow[3]!.receivedAt - slow[0]!.receivedAt).toBeGreaterThanOrEqual(2900);
      expect(new Set(journal.map((entry) => questionOf(entry.body))).size).toBe(4);
    } finally {
      await cleanup();
    }
  });
});

describe('circuit breaker and fallback', () => {
  it('serves from the fallback target after server errors, and stops calling a lane whose circuit opened', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    label: primary
    headers: { x-mock-status: "503" }
    rate_limit: { concurrency: 1 }
    fallback: [backup]
  - id: openai-compatible:mock-model
    label: backup
    base_url: \${ASSAY_MOCK_URL}/v1
tasks: [tasks/gen.jsonl]
defaults: { concurrency: 1, retries: 0 }
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/gen.jsonl': arithmeticTasks(10),
    });
    try {
      const result = await runCli(['run', '--json', '--target', 'primary', '--no-cache'], {
        cwd: dir,
        env: { ...mockEnv(mock.url, dir), ASSAY_MOCK_URL: mock.url },
      });
      expect(result.code).toBe(0);
      const report = parseReport(result.stdout);
      expect(report.results).toHaveLength(10);
      for (const item of report.results ?? []) {
        expect(item).toMatchObject({ target: 'primary', servedBy: 'backup', status: 'passed' });
      }
      const journal = mock.journal();
      const primaryCalls = journal.filter(
        (entry) => (entry.body as { model: string }).model === 'gpt-4o-mini',
      );
      const backupCalls = journal.filter((entry) => (entry.body as { model: string }).model === 'mock-model');
      // Five consecutive 503s open the breaker; the other five items never reach the primary.
      expect(primaryCalls).toHaveLength(5);
      expect(backupCalls).toHaveLength(10);

      // The backup's answers were cached under the backup's key: once the primary is healthy,
      // it is called again rather than served the backup's answers.
      const { readFile, writeFile } = await import('node:fs/promises');
      const config = await readFile(`${dir}/assay.yaml`, 'utf8');
      await writeFile(
        `${dir}/assay.yaml`,
        config.replace('headers: { x-mock-status: "503" }', 'headers: { x-healthy: "1" }'),
      );
      const healthy = parseReport(
        (
          await runCli(['run', '--json', '--target', 'primary'], {
            cwd: dir,
            env: { ...mockEnv(mock.url, dir), ASSAY_MOCK_URL: mock.url },
          })
        ).stdout,
      );
      expect(healthy.results?.every((item) => item.servedBy === 'primary' && !item.cached)).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('an unknown fallback name is a config error', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: echo
    fallback: [nobody]
tasks: [tasks/gen.jsonl]
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/gen.jsonl': arithmeticTasks(1),
    });
    try {
      const result = await runCli(['run'], { cwd: dir, env: mockEnv(mock.url, dir) });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/unknown fallback "nobody"/);
    } finally {
      await cleanup();
    }
  });
});

describe('budgets', () => {
  it('stops making calls before crossing --max-cost (exit 4), and a resume with more budget finishes without paying twice', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    config: { temperature: 0, max_tokens: 16 }
    price: { input_per_mtok: 1000, output_per_mtok: 1000 }
tasks: [tasks/gen.jsonl]
defaults: { concurrency: 1 }
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/gen.jsonl': arithmeticTasks(10),
    });
    try {
      const env = mockEnv(mock.url, dir);
      const first = await runCli(['run', '--json', '--max-cost', '0.05', '--progress', 'lines'], {
        cwd: dir,
        env,
      });
      expect(first.code).toBe(4);
      expect(first.stderr).toMatch(/projected cost: at most \$\d/);
      const report = parseReport(first.stdout);
      expect(report.run.status).toBe('budget_exceeded');
      const paid = report.results?.filter((item) => item.status === 'passed') ?? [];
      const skipped = report.results?.filter((item) => item.error?.category === 'skipped_budget') ?? [];
      expect(paid.length).toBeGreaterThan(0);
      expect(paid.length + skipped.length).toBe(10);
      expect(skipped.length).toBeGreaterThan(0);
      expect(skipped.every((item) => item.attempts === 0 && item.costUsd === null)).toBe(true);
      expect(mock.journal()).toHaveLength(paid.length);
      const spent = paid.reduce((sum, item) => sum + (item.costUsd ?? 0), 0);
      expect(spent).toBeLessThanOrEqual(0.05);

      const resumed = await runCli(['run', '--resume', 'latest', '--json', '--max-cost', '10'], {
        cwd: dir,
        env,
      });
      expect(resumed.code).toBe(0);
      const finished = parseReport(resumed.stdout);
      expect(finished.run.status).toBe('completed');
      expect(finished.results?.filter((item) => item.status === 'passed')).toHaveLength(10);
      // The skipped items were called once each now; the paid ones were not called again.
      expect(mock.journal()).toHaveLength(10);
    } finally {
      await cleanup();
    }
  });
});

describe('timeouts', () => {
  it('a first-byte timeout ends a hanging call long before the total timeout', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    headers: { x-mock-hang: "1" }
    timeout: 60s
    timeouts: { first_byte: 300ms, connect: 2s }
tasks: [tasks/gen.jsonl]
defaults: { retries: 0 }
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/gen.jsonl': arithmeticTasks(1),
    });
    try {
      const result = await runCli(['run', '--json'], { cwd: dir, env: mockEnv(mock.url, dir) });
      expect(result.code).toBe(1);
      const [item] = parseReport(result.stdout).results ?? [];
      expect(item?.error?.category).toBe('timeout');
      expect(item?.error?.message).toMatch(/headers timeout/i);
      // Bounded by the 300 ms first-byte limit, not the 60 s total.
      expect(item?.latencyMs).toBeLessThan(30_000);
    } finally {
      await cleanup();
    }
  });
});

describe('degrade to the cache', () => {
  it('answers from an expired cache entry, marked stale, when the provider keeps failing', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    degrade: cache
tasks: [tasks/gen.jsonl]
defaults: { retries: 1, cache_ttl: 1ms }
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/gen.jsonl': arithmeticTasks(3),
    });
    // The same endpoint, healthy then down: the second run's requests are the first run's exactly.
    const healthy = await startMockServer({ port: 0 });
    let down: MockServer | undefined;
    try {
      const env = mockEnv(healthy.url, dir);
      expect((await runCli(['run'], { cwd: dir, env })).code).toBe(0);
      await healthy.close();
      down = await startMockServer({ port: healthy.port, failRate: 1 });
      const outage = await runCli(['run', '--json'], { cwd: dir, env });
      expect(outage.code).toBe(0);
      const report = parseReport(outage.stdout);
      expect(report.results?.map((item) => [item.status, item.stale, item.cached, item.costUsd])).toEqual([
        ['passed', true, true, 0],
        ['passed', true, true, 0],
        ['passed', true, true, 0],
      ]);
    } finally {
      await healthy.close().catch(() => {});
      await down?.close();
      await cleanup();
    }
  });

  it('without degrade, the same outage gives transient errors', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    headers: { x-mock-status: "503" }
tasks: [tasks/gen.jsonl]
defaults: { retries: 0 }
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/gen.jsonl': arithmeticTasks(2),
    });
    try {
      const report = parseReport(
        (await runCli(['run', '--json'], { cwd: dir, env: mockEnv(mock.url, dir) })).stdout,
      );
      expect(report.results?.map((item) => item.error?.category)).toEqual(['transient', 'transient']);
    } finally {
      await cleanup();
    }
  });
});
