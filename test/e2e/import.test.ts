import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/mock/server.js';
import { makeProject, mockEnv, parseReport, ROOT, runCli } from './helpers.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const NEWS = path.join(ROOT, 'test', 'fixtures', 'import', 'promptfoo-news', 'promptfooconfig.yaml');

describe('assay import promptfoo, then assay run', () => {
  it('runs an imported project with a glob var, a Gemini-shaped chat prompt, load and no grader', async () => {
    const { dir, cleanup } = await makeProject({});
    const env = mockEnv(mock.url, dir);
    try {
      const imported = await runCli(['import', 'promptfoo', NEWS, '--out', dir], { cwd: dir, env });
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain('read 6 files:');
      expect(imported.stdout).toContain(
        "use promptfoo's default grader for this environment (OPENAI_API_KEY is set): `grader: openai:gpt-5` in assay.yaml",
      );
      const tasks = await readFile(path.join(dir, 'tasks', 'promptfooconfig.yaml'), 'utf8');
      expect(tasks).toContain('- global,warming');

      mock.reset();
      const run = await runCli(['run', '--json', '--progress', 'none'], { cwd: dir, env });
      expect(run.stderr).not.toMatch(/no judge|filter not found/);
      expect([0, 1]).toContain(run.code);
      const report = parseReport(run.stdout);
      // Two articles from the glob and one CSV row, each through both prompts.
      expect(report.results).toHaveLength(6);
      expect(report.results.filter((result) => result.status === 'error')).toEqual([]);
      const requests = mock.journal().filter((entry) => entry.path.endsWith('/chat/completions'));
      const bodies = requests.map(
        (entry) => entry.body as { model: string; messages: Array<{ role: string; content: string }> },
      );
      expect(bodies.filter((body) => body.model === 'gpt-5').length).toBeGreaterThanOrEqual(3);
      expect(bodies).toContainEqual(
        expect.objectContaining({
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'You are a news editor. Write for students.' },
            {
              role: 'user',
              content:
                'Summarise in two sentences:\n\nThe city library extends its opening hours to 10 pm from next month.\n',
            },
          ],
        }),
      );
      expect(mock.journal().filter((entry) => entry.path.endsWith('/embeddings')).length).toBeGreaterThan(0);
    } finally {
      await cleanup();
    }
  });
});
