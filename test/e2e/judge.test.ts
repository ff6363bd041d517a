import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { makeProject, mockEnv, parseReport, runCli } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const CONFIG = `prompts: [prompts/q.njk]
targets: [openai:gpt-4o-mini]
grader: openai:gpt-4o-mini
tasks:
  - id: capital
    vars: { question: "Reply with exactly: Paris is the capital of France" }
    expected: "The capital of France is Paris"
    assert:
      - { type: llm-rubric, value: 'names "Paris" and "France"', metric: quality }
      - { type: factuality, metric: quality }
      - { type: similar, grader: "openai:text-embedding-3-small", threshold: 0.5 }
  - id: wrong-city
    vars: { question: "Reply with exactly: Lyon is lovely" }
    assert:
      - { type: llm-rubric, value: 'names "Paris"' }
`;

describe('model-graded scorers through the provider pipeline', () => {
  it('judges with the grader, attributes judge cost, caches judge calls and records the judge version', async () => {
    const { dir, cleanup } = await makeProject({ 'assay.yaml': CONFIG, 'prompts/q.njk': '{{ question }}' });
    const env = mockEnv(mock.url, dir);
    try {
      const first = await runCli(['run', '--json', '--progress', 'none'], { cwd: dir, env });
      expect(first.code).toBe(1);
      const report = parseReport(first.stdout);
      const capital = report.results.find((result) => result.taskId === 'capital')!;
      const wrong = report.results.find((result) => result.taskId === 'wrong-city')!;
      expect(capital.status).toBe('passed');
      expect(capital.scores.map((score) => [score.name, score.pass])).toEqual([
        ['llm-rubric', true],
        ['factuality', true],
        ['similar', true],
      ]);
      expect(capital.scores[0]!.reason).toMatch(/judge/i);
      expect(capital.judgeCostUsd).toBeGreaterThan(0);
      expect(wrong.status).toBe('failed');
      expect(wrong.scores[0]!.pass).toBe(false);
      // Two eval calls, three chat judge calls and one embeddings call, all against the mock.
      const paths = mock.journal().map((entry) => entry.path);
      expect(paths.filter((p) => p.endsWith('/chat/completions'))).toHaveLength(5);
      expect(paths.filter((p) => p.endsWith('/embeddings'))).toHaveLength(1);
      expect(report.summary.judgeCostUsd).toBeGreaterThan(0);
      expect(report.summary.byTarget[0]!.metrics).toEqual([
        expect.objectContaining({ name: 'quality', n: 2, mean: 1 }),
      ]);
      expect(report.run.fingerprint.judgeVersions).toMatchObject({
        'judge:openai:gpt-4o-mini': expect.any(String),
        'judge:openai:text-embedding-3-small': expect.any(String),
        'prompt:builtin:llm-rubric': expect.any(String),
      });

      // Second run: every call, judge calls included, comes from the cache.
      mock.reset();
      const second = parseReport(
        (await runCli(['run', '--json', '--progress', 'none'], { cwd: dir, env })).stdout,
      );
      expect(mock.journal()).toHaveLength(0);
      expect(second.results.find((result) => result.taskId === 'capital')!.status).toBe('passed');
      expect(second.summary.judgeCostUsd).toBe(0);

      const table = await runCli(['results'], { cwd: dir, env });
      expect(table.stdout).toMatch(/metrics\s+quality 1\.00/);
    } finally {
      await cleanup();
    }
  });

  it('an unparseable judge answer is a scorer error, never a pass', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets: [openai:gpt-4o-mini]
grader: { id: openai:gpt-4o-mini, headers: { x-mock-reply: "Well, it depends on how you look at it." } }
tasks:
  - { id: t, vars: { question: "Reply with exactly: Paris" }, assert: [{ type: llm-rubric, value: 'names "Paris"' }] }
`,
      'prompts/q.njk': '{{ question }}',
    });
    try {
      const run = await runCli(['run', '--json', '--progress', 'none'], {
        cwd: dir,
        env: mockEnv(mock.url, dir),
      });
      expect(run.code).toBe(1);
      const [result] = parseReport(run.stdout).results;
      expect(result!.status).toBe('failed');
      expect(result!.scores[0]).toMatchObject({ pass: false, value: 0 });
      expect(result!.scores[0]!.reason).toMatch(/scorer error: .*depends on how you look/);
      expect(result!.judgeCostUsd).toBeGreaterThan(0);
    } finally {
      await cleanup();
    }
  });

  it('a model-graded assertion without a grader is a config error before any call', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets: [openai:gpt-4o-mini]
tasks:
  - { id: t, vars: { question: "hi" }, assert: [{ type: llm-rubric, value: "is polite" }] }
`,
      'prompts/q.njk': '{{ question }}',
    });
    try {
      const run = await runCli(['run'], { cwd: dir, env: mockEnv(mock.url, dir) });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/no judge/);
      expect(run.stderr).toMatch(/fix: set `grader:/);
      expect(mock.journal()).toHaveLength(0);
    } finally {
      await cleanup();
    }
  });
});
