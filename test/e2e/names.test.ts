import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { makeProject, mockEnv, parseReport, runCli } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const CONFIG = `prompts: [prompts/q.njk]
targets: [openai:gpt-4o-mini, echo]
tasks:
  - id: a
    vars: { question: "What is 1 + 1?" }
    assert: [{ type: equals, value: "2", metric: accuracy }]
`;

describe('one name for a target in every command', () => {
  it('takes the model name without its provider prefix everywhere, and suggests the nearest name for a typo', async () => {
    const { dir, cleanup } = await makeProject({ 'assay.yaml': CONFIG, 'prompts/q.njk': '{{ question }}' });
    const env = mockEnv(mock.url, dir);
    const cli = (...args: string[]) => runCli(args, { cwd: dir, env });
    try {
      const run = await cli('run', '--target', 'gpt-4o-mini', '--json', '--progress', 'none');
      expect(run.code).toBe(0);
      expect(parseReport(run.stdout).results.map((result) => result.target)).toEqual(['openai:gpt-4o-mini']);
      await cli('run', '--progress', 'none'); // both targets, for the filters below

      const results = await cli('results', '--target', 'gpt-4o-mini', '--json');
      expect(parseReport(results.stdout).results.map((result) => result.target)).toEqual([
        'openai:gpt-4o-mini',
      ]);
      const show = await cli('show', 'latest', 'a', '--target', 'gpt-4o-mini');
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/^PASS a · openai:gpt-4o-mini · repeat 0$/m);
      const runs = JSON.parse((await cli('runs', '--target', 'gpt-4o-mini', '--json')).stdout) as unknown[];
      expect(runs).toHaveLength(2);
      const echoRuns = JSON.parse((await cli('runs', '--target', 'echo', '--json')).stdout) as unknown[];
      expect(echoRuns).toHaveLength(1);
      const history = JSON.parse((await cli('history', '--target', 'gpt-4o-mini', '--json')).stdout) as {
        target: string;
        runs: unknown[];
      };
      expect(history).toMatchObject({ target: 'openai:gpt-4o-mini', runs: [{}, {}] });

      for (const args of [
        ['run', '--target', 'gpt-4o-mni'],
        ['results', '--target', 'gpt-4o-mni'],
        ['show', 'latest', 'a', '--target', 'gpt-4o-mni'],
        ['runs', '--target', 'gpt-4o-mni'],
        ['history', '--target', 'gpt-4o-mni'],
      ]) {
        const typo = await cli(...args);
        expect({ args, code: typo.code }).toEqual({ args, code: 2 });
        expect(typo.stderr).toContain('unknown target "gpt-4o-mni"; did you mean "openai:gpt-4o-mini"?');
      }
    } finally {
      await cleanup();
    }
  });

  it('history suggests the nearest metric for a mistyped --metric', async () => {
    const { dir, cleanup } = await makeProject({ 'assay.yaml': CONFIG, 'prompts/q.njk': '{{ question }}' });
    const env = mockEnv(mock.url, dir);
    try {
      await runCli(['run', '--progress', 'none'], { cwd: dir, env });
      const known = await runCli(['history', '--metric', 'accuracy'], { cwd: dir, env });
      expect(known.code).toBe(0);
      const typo = await runCli(['history', '--metric', 'acuracy'], { cwd: dir, env });
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain('no run here has the metric "acuracy"; did you mean "accuracy"?');
      expect(typo.stderr).toContain('fix: metrics of these runs: pass_rate, score, accuracy');
    } finally {
      await cleanup();
    }
  });
});
