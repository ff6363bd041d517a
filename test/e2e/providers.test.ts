import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { makeProject, mockEnv, runCli } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const SECRET = 'sk-providers-test-secret-42';

describe('assay providers', () => {
  it('list shows every provider and which variables are set, never their values', async () => {
    const result = await runCli(['providers', 'list'], {
      cwd: process.cwd(),
      env: { OPENAI_API_KEY: SECRET },
    });
    expect(result.code).toBe(0);
    for (const kind of [
      'openai:',
      'anthropic:',
      'google:',
      'openrouter:',
      'ollama:',
      'openai-compatible:',
      'echo',
      'file:',
    ]) {
      expect(result.stdout).toContain(kind);
    }
    expect(result.stdout).toMatch(/OPENAI_API_KEY \(set\)/);
    expect(result.stdout).toMatch(/ANTHROPIC_API_KEY \(not set\)/);
    expect(result.stdout).not.toContain(SECRET);
  });

  it('test makes one call and reports latency, usage, cost and rate limits; a failing target exits 1', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - openai:gpt-4o-mini
  - id: openai:gpt-4o-mini
    label: broken
    headers: { x-mock-status: "401" }
tasks:
  - { vars: { question: "hi" } }
`,
      'prompts/q.njk': '{{ question }}',
    });
    try {
      const ok = await runCli(['providers', 'test', 'openai:gpt-4o-mini', '--json'], {
        cwd: dir,
        env: mockEnv(mock.url, dir, SECRET),
      });
      expect(ok.code).toBe(0);
      const report = JSON.parse(ok.stdout) as Record<string, unknown>;
      expect(report).toMatchObject({
        ok: true,
        output: 'ok',
        usage: { inputTokens: expect.any(Number), outputTokens: 1 },
      });
      expect(report.costUsd).toBeGreaterThan(0);
      expect(report.rateLimit).toMatchObject({ limitRequests: expect.any(Number) });
      const broken = await runCli(['providers', 'test', 'broken'], {
        cwd: dir,
        env: mockEnv(mock.url, dir, SECRET),
      });
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/broken: failed \(permanent, HTTP 401\)/);
      expect(broken.stdout + broken.stderr).not.toContain(SECRET);
      const unknown = await runCli(['providers', 'test', 'nope'], {
        cwd: dir,
        env: mockEnv(mock.url, dir, SECRET),
      });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/unknown target "nope"[\s\S]*known targets: openai:gpt-4o-mini, broken/);
    } finally {
      await cleanup();
    }
  });
});
