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

describe('provider-reported cost', () => {
  it('OpenRouter: its usage.cost is the cost, ours is kept beside it, and a divergence is flagged', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets: [openrouter:openai/gpt-4o-mini]
tasks:
  - { id: a, vars: { question: "What is 1 + 1?" }, expected: "2" }
`,
      'prompts/q.njk': '{{ question }}',
    });
    try {
      const env = { ...mockEnv(mock.url, dir), OPENROUTER_API_KEY: SECRET, OPENROUTER_BASE_URL: mock.url };
      const result = await runCli(['run', '--json'], { cwd: dir, env });
      expect(result.code).toBe(0);
      const { parseReport } = await import('./helpers.js');
      const [item] = parseReport(result.stdout).results ?? [];
      // The mock charges $1/$2 per million tokens; the price registry knows a different price.
      const expected = ((item?.usage.inputTokens ?? 0) * 1 + (item?.usage.outputTokens ?? 0) * 2) / 1_000_000;
      expect(item?.costUsd).toBeCloseTo(expected, 12);
      expect(item?.computedCostUsd).toBeGreaterThan(0);
      expect(item?.costDivergence).toBe(true);
      const table = await runCli(['results'], { cwd: dir, env });
      expect(table.stdout).toMatch(/1 with a provider-reported cost >1% off our price/);
    } finally {
      await cleanup();
    }
  });
});

describe('config keys a provider does not take', () => {
  it('a seed on an Anthropic target stops the run before any call, exit 2, naming the key, the place and the fix', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - id: anthropic:claude-3-5-haiku-latest
    label: claude
    config: { temperature: 0, seed: 7 }
tasks:
  - { vars: { question: "hi" } }
`,
      'prompts/q.njk': '{{ question }}',
    });
    try {
      mock.reset();
      const env = {
        ...mockEnv(mock.url, dir),
        ANTHROPIC_API_KEY: SECRET,
        ANTHROPIC_BASE_URL: `${mock.url}/v1`,
      };
      const result = await runCli(['run'], { cwd: dir, env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /config key `seed` \(Anthropic has no seed\) is not a request field of Anthropic Messages/,
      );
      // The place is the config's `targets:` line; the provider id names the target.
      expect(result.stderr).toMatch(/assay\.yaml:2:1: anthropic:claude-3-5-haiku-latest: /);
      expect(result.stderr).toMatch(/remove it from the target's config/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(mock.journal()).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});
