import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { makeProject, mockEnv, parseReport, runCli, startCli, waitFor } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

function config(defaults: string): string {
  return `prompts: [prompts/q.njk]
targets:
  - id: openai:gpt-4o-mini
    config: { temperature: 0, max_tokens: 32 }
tasks: [tasks.yaml]
defaults: { ${defaults} }
`;
}

/** A module check that never returns. */
const SPIN = 'export default function spin() {\n  for (;;) {}\n}\n';

/** Tasks whose first and last assertions never return; the others are scored as usual. */
function stuckTasks(count: number): string {
  const tasks: string[] = [];
  for (let index = 1; index <= count; index++) {
    tasks.push(`- id: t${index}
  vars: { question: "What is ${index} + 1000?" }
  assert:
    - { type: javascript, value: "while (true) {}" }
    - { type: javascript, value: "output.length < 100;" }
    - { type: contains, value: "${index + 1000}" }
    - { type: javascript, value: "file:checks/spin.mjs" }
`);
  }
  return tasks.join('');
}

describe('user code in a run', () => {
  it('turns a javascript assertion that never returns into a scorer error naming the time limit, and the run ends', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': config('concurrency: 2, code_timeout: 300ms'),
      'prompts/q.njk': '{{ question }}',
      'tasks.yaml': stuckTasks(3),
      'checks/spin.mjs': SPIN,
    });
    try {
      const result = await runCli(['run', '--json'], { cwd: dir, env: mockEnv(mock.url, dir) });
      expect(result.code).toBe(1);
      const report = parseReport(result.stdout);
      expect(report.run.status).toBe('completed');
      expect(report.results).toHaveLength(3);
      for (const item of report.results ?? []) {
        expect(item.status).toBe('failed');
        const [stuck, semicolon, contains] = item.scores;
        expect(stuck?.pass).toBe(false);
        expect(stuck?.reason).toBe(
          'scorer error: `while (true) {}` did not finish within the 300ms time limit for user code: fix it if it loops, or raise defaults.code_timeout in assay.yaml if it needs longer',
        );
        // An expression ending in ";" (promptfoo's style) is read as an expression.
        expect(semicolon).toMatchObject({ pass: true, reason: '`output.length < 100;` returned true' });
        expect(contains?.pass).toBe(true);
        expect(item.scores[3]?.reason).toMatch(
          /^scorer error: file:checks\/spin\.mjs did not finish within the 300ms time limit for user code/,
        );
      }
    } finally {
      await cleanup();
    }
  });

  it('stops on Ctrl-C while checks are stuck: the second Ctrl-C ends them and leaves their items for --resume', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': config('concurrency: 2, code_timeout: 10m'),
      'prompts/q.njk': '{{ question }}',
      'tasks.yaml': stuckTasks(6),
      'checks/spin.mjs': SPIN,
    });
    try {
      const { child, done } = startCli(['run'], { cwd: dir, env: mockEnv(mock.url, dir) });
      let stderr = '';
      child.stderr!.on('data', (chunk) => {
        stderr += chunk;
      });
      // Both workers' items have their answers and are stuck in scoring.
      await waitFor(() => mock.journal().length >= 2, 30_000);
      child.kill('SIGINT');
      await waitFor(() => stderr.includes('stopping'), 30_000);
      child.kill('SIGINT');
      const result = await done;
      expect(result.code).toBe(3);
      expect(result.stdout).toContain('interrupted');
      const stored = parseReport(
        (await runCli(['results', '--json'], { cwd: dir, env: mockEnv(mock.url, dir) })).stdout,
      );
      expect(stored.run.status).toBe('interrupted');
      // Items whose checks were cut short have no verdict, so nothing was recorded for them.
      expect(stored.results ?? []).toHaveLength(0);
    } finally {
      await cleanup();
    }
  });

  it('refuses a prompt template that reaches for JavaScript, before any call', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': config('concurrency: 2'),
      'prompts/q.njk': '{{ question }}\n{{ range.constructor("return process.env.OPENAI_API_KEY")() }}',
      'tasks.yaml': '- id: t1\n  vars: { question: "What is 1 + 1?" }\n',
    });
    try {
      const result = await runCli(['run'], { cwd: dir, env: mockEnv(mock.url, dir) });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('prompts/q.njk');
      expect(result.stderr).toContain('"constructor" is not allowed in a template');
      expect(result.stderr).not.toContain('sk-test-secret');
      expect(mock.journal()).toHaveLength(0);
    } finally {
      await cleanup();
    }
  });
});
