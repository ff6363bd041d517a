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

function env(dir: string): Record<string, string> {
  return mockEnv(mock.url, dir);
}

function config(extra = ''): string {
  return `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    config: { temperature: 0, max_tokens: 32 }
tasks: [tasks/gen.jsonl]
suites:
  odd: { tags: [odd] }
defaults: { concurrency: 4, retries: 2 }
${extra}`;
}

const PROMPT = '{{ question }}';

describe('assay run', () => {
  it('runs a suite, stores every result and exits 1 when some fail', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': config(),
      'prompts/q.njk': PROMPT,
      'tasks/gen.jsonl': arithmeticTasks(10, 5),
    });
    try {
      const result = await runCli(['run', '--json'], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(1);
      const report = parseReport(result.stdout);
      expect(report.run.status).toBe('completed');
      expect(report.summary.total).toBe(10);
      expect(report.summary.passed).toBe(8);
      expect(report.summary.failed).toBe(2);
      expect(report.results?.map((item) => item.status).filter((status) => status === 'failed')).toHaveLength(
        2,
      );
      const first = report.results?.find((item) => item.taskId === 't1');
      expect(first).toMatchObject({
        output: '1001',
        status: 'passed',
        attempts: 1,
        cached: false,
        target: 'openai:gpt-4o-mini',
      });
      expect(first?.usage.inputTokens).toBeGreaterThan(0);
      expect(first?.costUsd).toBeGreaterThan(0);
      expect(mock.journal()).toHaveLength(10);

      const stored = await runCli(['results', '--run', 'latest', '--failed', '--json'], {
        cwd: dir,
        env: env(dir),
      });
      expect(stored.code).toBe(0);
      const failed = parseReport(stored.stdout);
      expect(failed.run.id).toBe(report.run.id);
      expect(failed.results?.map((item) => item.taskId).sort()).toEqual(['t10', 't5']);
    } finally {
      await cleanup();
    }
  });

  it('exits 0 when every selected item passes, and prints a table without --json', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': config(),
      'prompts/q.njk': PROMPT,
      'tasks/gen.jsonl': arithmeticTasks(10, 5),
    });
    try {
      const result = await runCli(['run', '--filter', 'id:t1,id:t2', '-j', '2'], { cwd: dir, env: env(dir) });
      expect(result.stderr).toBe(result.stderr.replace(/at \S+:\d+:\d+\)/, '')); // no stack trace
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('openai:gpt-4o-mini');
      expect(result.stdout).toMatch(/100\.0% \(2\/2\)/);
      expect(result.stderr).toMatch(/PASS\s+t1/);
    } finally {
      await cleanup();
    }
  });

  it('--json writes only JSON to stdout, progress goes to stderr', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': config(),
      'prompts/q.njk': PROMPT,
      'tasks/gen.jsonl': arithmeticTasks(3),
    });
    try {
      const result = await runCli(['run', '--json'], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(0);
      const report = parseReport(result.stdout);
      expect(Object.keys(report).sort()).toEqual(['results', 'run', 'schemaVersion', 'summary']);
      expect(report.run.fingerprint).toMatchObject({
        assayVersion: expect.any(String),
        configHash: expect.any(String),
      });
      expect(report.summary.byTarget[0]).toMatchObject({ target: 'openai:gpt-4o-mini', total: 3, passed: 3 });
      expect(result.stderr).toMatch(/\[\s*3\/3\]/);
    } finally {
      await cleanup();
    }
  });

  it('isolates failures: a target whose calls all fail gives error results while the other target passes', async () => {
    const yaml = `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    config: { temperature: 0 }
  - id: openai:gpt-4o-mini
    label: broken
    headers: { x-mock-status: "400" }
tasks: [tasks/gen.jsonl]
defaults: { retries: 2 }
`;
    const { dir, cleanup } = await makeProject({
      'assay.yaml': yaml,
      'prompts/q.njk': PROMPT,
      'tasks/gen.jsonl': arithmeticTasks(4),
    });
    try {
      const result = await runCli(['run', '--json'], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(1);
      const report = parseReport(result.stdout);
      expect(report.run.status).toBe('completed');
      const broken = report.results?.filter((item) => item.target === 'broken') ?? [];
      expect(broken).toHaveLength(4);
      for (const item of broken) {
        expect(item.status).toBe('error');
        expect(item.error?.category).toBe('permanent');
        expect(item.attempts).toBe(1); // permanent errors are never retried
        expect(item.error?.message).not.toContain('sk-test-secret');
      }
      expect(
        report.results?.filter((item) => item.target === 'openai:gpt-4o-mini' && item.status === 'passed'),
      ).toHaveLength(4);
      expect(report.summary.byTarget.find((target) => target.target === 'broken')?.errorsByCategory).toEqual({
        permanent: 4,
      });
    } finally {
      await cleanup();
    }
  });

  it('retries a 429 after the retry-after the server asked for', async () => {
    const yaml = `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    headers: { x-mock-fail-times: "2", x-mock-key: "retry-test", x-mock-fail-status: "429", x-mock-retry-after: "1" }
tasks: [tasks/gen.jsonl]
defaults: { retries: 3 }
`;
    const { dir, cleanup } = await makeProject({
      'assay.yaml': yaml,
      'prompts/q.njk': PROMPT,
      'tasks/gen.jsonl': arithmeticTasks(1),
    });
    try {
      const result = await runCli(['run', '--json', '--no-cache'], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(0);
      const report = parseReport(result.stdout);
      expect(report.results?.[0]).toMatchObject({ status: 'passed', attempts: 3 });
      expect(report.results?.[0]?.attemptLog?.map((entry) => [entry.outcome, entry.httpStatus])).toEqual([
        ['rate_limit', 429],
        ['rate_limit', 429],
        ['ok', undefined],
      ]);
      const journal = mock.journal();
      expect(journal.map((entry) => entry.status)).toEqual([429, 429, 200]);
      // The server asked for 1 s; each retry waited at least that long.
      expect(journal[1]!.receivedAt - journal[0]!.receivedAt).toBeGreaterThanOrEqual(950);
      expect(journal[2]!.receivedAt - journal[1]!.receivedAt).toBeGreaterThanOrEqual(950);
      expect(result.stderr).toMatch(/retry .*attempt 1/);
    } finally {
      await cleanup();
    }
  });

  it('a timed-out call is an error of category timeout, and the run finishes', async () => {
    const yaml = `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    headers: { x-mock-hang: "1" }
    timeout: 300ms
tasks: [tasks/gen.jsonl]
defaults: { retries: 1 }
`;
    const { dir, cleanup } = await makeProject({
      'assay.yaml': yaml,
      'prompts/q.njk': PROMPT,
      'tasks/gen.jsonl': arithmeticTasks(2),
    });
    try {
      const result = await runCli(['run', '--json'], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(1);
      const report = parseReport(result.stdout);
      expect(report.results?.map((item) => [item.status, item.error?.category, item.attempts])).toEqual([
        ['error', 'timeout', 2],
        ['error', 'timeout', 2],
      ]);
    } finally {
      await cleanup();
    }
  });

  it('runs a suite by tag and repeats tasks', async () => {
    const tasks = `- { id: a, vars: { question: "What is 1 + 1?" }, expected: "2", tags: [odd] }
- { id: b, vars: { question: "What is 2 + 2?" }, expected: "4" }
`;
    const { dir, cleanup } = await makeProject({
      'assay.yaml': config().replace('tasks/gen.jsonl', 'tasks/t.yaml'),
      'prompts/q.njk': PROMPT,
      'tasks/t.yaml': tasks,
    });
    try {
      const result = await runCli(['run', '--suite', 'odd', '--repeat', '3', '--json'], {
        cwd: dir,
        env: env(dir),
      });
      expect(result.code).toBe(0);
      const report = parseReport(result.stdout);
      expect(report.results?.map((item) => `${item.taskId}#${item.repeat}`).sort()).toEqual([
        'a#0',
        'a#1',
        'a#2',
      ]);
      // temperature 0: repeats share one cached answer, so only one call was made.
      expect(mock.journal().map((entry) => questionOf(entry.body))).toEqual(['What is 1 + 1?']);
    } finally {
      await cleanup();
    }
  });
});
