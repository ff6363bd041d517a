import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { arithmeticTasks, makeProject, mockEnv, runCli } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const YAML_CONFIG = `prompts: [q.njk]
targets:
  - id: openai:gpt-4o-mini
    config: { temperature: 0, max_tokens: 32 }
tasks: [tasks.jsonl]
`;

/** A config that leaves a marker file behind whenever something runs it. */
const TS_CONFIG = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
writeFileSync(join(process.cwd(), 'EXECUTED'), 'the config ran');
export default {
  prompts: ['q.njk'],
  targets: [{ id: 'openai:gpt-4o-mini', config: { temperature: 0, max_tokens: 32 } }],
  tasks: ['tasks.jsonl'],
};
`;

describe('read-only commands', () => {
  it("read the store without running the project's TypeScript config", async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': YAML_CONFIG,
      'q.njk': '{{ question }}',
      'tasks.jsonl': arithmeticTasks(3),
    });
    try {
      for (let index = 0; index < 2; index++) {
        const run = await runCli(['run', '--no-cache'], { cwd: dir, env: mockEnv(mock.url, dir) });
        expect(run.code).toBe(0);
      }
      // The project now has a TypeScript config, as a pull request could bring.
      await rm(path.join(dir, 'assay.yaml'));
      await writeFile(path.join(dir, 'assay.config.ts'), TS_CONFIG);
      const marker = path.join(dir, 'EXECUTED');
      // No --db and no ASSAY_DB: the commands find the store beside the config.
      const env = { HOME: dir };
      const commands = [
        ['runs'],
        ['results'],
        ['results', '--json'],
        ['show', 'latest', 't1'],
        ['export', 'latest', '-f', 'csv'],
        ['cache', 'stats'],
        ['compare', 'latest', 'latest'],
        ['history'],
        ['costs'],
      ];
      for (const args of commands) {
        const result = await runCli(args, { cwd: dir, env });
        expect({ args, code: result.code, stderr: result.stderr }).toMatchObject({ code: 0, stderr: '' });
        expect(existsSync(marker)).toBe(false);
      }
      // A command that needs the project does run it: the marker proves the test would notice.
      await runCli(['tasks', 'list'], { cwd: dir, env });
      expect(existsSync(marker)).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('ask for --db or ASSAY_DB when a code config has no store at the default place', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.config.ts': TS_CONFIG,
      'q.njk': '{{ question }}',
      'tasks.jsonl': arithmeticTasks(1),
    });
    try {
      const result = await runCli(['runs'], { cwd: dir, env: { HOME: dir } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('assay.config.ts is code, which this command does not run');
      expect(result.stderr).toContain('pass --db <url> or set ASSAY_DATABASE_URL');
      expect(existsSync(path.join(dir, 'EXECUTED'))).toBe(false);
    } finally {
      await cleanup();
    }
  });
});
