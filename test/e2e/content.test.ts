import { readFile } from 'node:fs/promises';
import path from 'node:path';
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

const TASKS = `- { id: add, vars: { question: "What is 2 + 3?" }, expected: "5", tags: [math, critical] }
- { id: mul, vars: { question: "What is 6 * 7?" }, expected: "42", tags: [math] }
- { id: hello, vars: { question: "Reply with exactly: hello" }, expected: "hello", tags: [text] }
`;

function project(extra: Record<string, string> = {}) {
  return makeProject({
    'assay.yaml': `prompts: [prompts/q.njk]
targets: [openai:gpt-4o-mini]
tasks: [tasks/*.yaml]
suites:
  critical: { tags: [critical], repeat: 2 }
`,
    'prompts/q.njk': '{{ question }}',
    'tasks/main.yaml': TASKS,
    ...extra,
  });
}

describe('tasks commands', () => {
  it('lists, shows, records history with diffs, adds, archives and restores tasks', async () => {
    const { dir, cleanup } = await project({
      'incoming.jsonl': `${JSON.stringify({ id: 'sub', vars: { question: 'What is 9 - 4?' }, expected: '5' })}\n`,
    });
    const env = mockEnv(mock.url, dir);
    try {
      const list = await runCli(['tasks', 'list', '--json'], { cwd: dir, env });
      expect(list.code).toBe(0);
      const rows = JSON.parse(list.stdout) as Array<{ id: string; tags: string[]; assertions: string[] }>;
      expect(rows.map((row) => row.id)).toEqual(['add', 'mul', 'hello']);
      expect(rows[0]!.assertions).toEqual(['equals']);

      const bySuite = await runCli(['tasks', 'list', '--suite', 'critical'], { cwd: dir, env });
      expect(bySuite.stdout).toMatch(/^add /m);
      expect(bySuite.stdout).not.toMatch(/^mul /m);

      const show = await runCli(['tasks', 'show', 'mul'], { cwd: dir, env });
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/expected: "42"/);

      // Edit the task: a new version appears in its history, with the change shown.
      const file = path.join(dir, 'tasks/main.yaml');
      await import('node:fs/promises').then((fs) =>
        fs.writeFile(file, TASKS.replace('expected: "42"', 'expected: "43"')),
      );
      const history = await runCli(['tasks', 'history', 'mul'], { cwd: dir, env });
      expect(history.code).toBe(0);
      expect(history.stdout.match(/^version /gm)).toHaveLength(2);
      expect(history.stdout).toMatch(/- expected: "42"/);
      expect(history.stdout).toMatch(/\+ expected: "43"/);
      expect(history.stdout).toMatch(/\(current\)/);

      const versions = JSON.parse(
        (await runCli(['tasks', 'history', 'mul', '--json'], { cwd: dir, env })).stdout,
      ) as Array<{ version: string }>;
      const old = await runCli(['tasks', 'show', 'mul', '--version', versions[0]!.version.slice(0, 6)], {
        cwd: dir,
        env,
      });
      expect(old.stdout).toMatch(/expected: "42"/);

      const added = await runCli(['tasks', 'add', '--from-file', 'incoming.jsonl'], { cwd: dir, env });
      expect(added.code).toBe(0);
      expect(added.stdout).toMatch(/added 1 task to tasks\/added\.yaml/);
      expect(await readFile(path.join(dir, 'tasks/added.yaml'), 'utf8')).toMatch(/id: sub/);
      const again = await runCli(['tasks', 'add', '--from-file', 'incoming.jsonl'], { cwd: dir, env });
      expect(again.stdout).toMatch(/added 0 tasks .*1 already present/);

      const rm = await runCli(['tasks', 'rm', 'hello'], { cwd: dir, env });
      expect(rm.code).toBe(0);
      const run = await runCli(['run', '--json', '--progress', 'none'], { cwd: dir, env });
      const report = parseReport(run.stdout);
      expect(report.results.map((result) => result.taskId).sort()).toEqual(['add', 'mul', 'sub']);
      expect((await runCli(['tasks', 'list', '--archived'], { cwd: dir, env })).stdout).toMatch(/^hello /m);
      expect((await runCli(['tasks', 'restore', 'hello'], { cwd: dir, env })).code).toBe(0);
      expect((await runCli(['tasks', 'restore', 'hello'], { cwd: dir, env })).code).toBe(2);

      const unknown = await runCli(['tasks', 'show', 'nope'], { cwd: dir, env });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/no task "nope"/);
    } finally {
      await cleanup();
    }
  });
});

describe('tasks add into a file the config does not list yet', () => {
  it('does not append a task twice', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': 'prompts: [prompts/q.njk]\ntargets: [echo]\ntasks: [tasks/main.yaml]\n',
      'prompts/q.njk': '{{ question }}',
      'tasks/main.yaml': TASKS,
      'new.jsonl': `${JSON.stringify({ id: 'j1', vars: { question: 'q' }, expected: 'x' })}\n`,
    });
    const env = mockEnv(mock.url, dir);
    try {
      const first = await runCli(['tasks', 'add', '--from-file', 'new.jsonl'], { cwd: dir, env });
      expect(first.stdout).toMatch(/added 1 task/);
      expect(first.stderr).toMatch(/add "tasks\/added\.yaml" to `tasks:`/);
      const second = await runCli(['tasks', 'add', '--from-file', 'new.jsonl'], { cwd: dir, env });
      expect(second.stdout).toMatch(/added 0 tasks .*1 already present/);
      const text = await readFile(path.join(dir, 'tasks/added.yaml'), 'utf8');
      expect(text.match(/id: j1/g)).toHaveLength(1);
    } finally {
      await cleanup();
    }
  });
});

describe('prompts commands', () => {
  it('lists prompts, shows and diffs versions', async () => {
    const { dir, cleanup } = await project();
    const env = mockEnv(mock.url, dir);
    try {
      const first = JSON.parse(
        (await runCli(['prompts', 'list', '--json'], { cwd: dir, env })).stdout,
      ) as Array<{ name: string; version: string }>;
      expect(first).toEqual([expect.objectContaining({ name: 'q', kind: 'text' })]);
      await import('node:fs/promises').then((fs) =>
        fs.writeFile(path.join(dir, 'prompts/q.njk'), 'Answer briefly.\n{{ question }}'),
      );
      const diff = await runCli(['prompts', 'diff', 'q', first[0]!.version], { cwd: dir, env });
      expect(diff.code).toBe(0);
      expect(diff.stdout).toMatch(/^\+ Answer briefly\.$/m);
      const history = await runCli(['prompts', 'history', 'q'], { cwd: dir, env });
      expect(history.stdout.trim().split('\n')).toHaveLength(2);
      const show = await runCli(['prompts', 'show', 'q', '--version', first[0]!.version], { cwd: dir, env });
      expect(show.stdout).toMatch(/^\{\{ question \}\}$/m);
      const bad = await runCli(['prompts', 'diff', 'q', 'zzzzzz'], { cwd: dir, env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/no version "zzzzzz"/);
    } finally {
      await cleanup();
    }
  });
});

describe('selection and repeats', () => {
  it('--first and --sample pick tasks reproducibly; a suite repeat runs each task N times', async () => {
    const { dir, cleanup } = await project();
    const env = mockEnv(mock.url, dir);
    try {
      const ids = async (args: string[]) =>
        parseReport(
          (await runCli(['run', '--json', '--progress', 'none', ...args], { cwd: dir, env })).stdout,
        )
          .results.map((result) => result.taskId)
          .sort();
      expect(await ids(['--first', '2'])).toEqual(['add', 'mul']);
      const a = await ids(['--sample', '2', '--seed', '7']);
      expect(a).toHaveLength(2);
      expect(await ids(['--sample', '2', '--seed', '7'])).toEqual(a);
      const oversized = await runCli(['run', '--sample', '10', '--json', '--progress', 'none'], {
        cwd: dir,
        env,
      });
      expect(oversized.stderr).toMatch(
        /--sample 10 asked for more tasks than the 3 selected: running all of them/,
      );
      expect(parseReport(oversized.stdout).results).toHaveLength(3);
      const conflict = await runCli(['run', '--first', '1', '--sample', '1'], { cwd: dir, env });
      expect(conflict.code).toBe(2);

      const suite = parseReport(
        (await runCli(['run', '--suite', 'critical', '--json', '--progress', 'none'], { cwd: dir, env }))
          .stdout,
      );
      expect(suite.results.map((result) => `${result.taskId}#${result.repeat}`).sort()).toEqual([
        'add#0',
        'add#1',
      ]);
    } finally {
      await cleanup();
    }
  });

  it("a task's own repeat wins over the default; --repeat wins over both; custom template filters render", async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets: [openai:gpt-4o-mini]
templates: { filters: filters.mjs }
tasks:
  - { id: thrice, vars: { word: hello }, expected: "HELLO", repeat: 3 }
  - { id: once, vars: { word: bye }, expected: "BYE" }
`,
      'prompts/q.njk': 'Reply with exactly: {{ word | shout }}',
      'filters.mjs': 'export function shout(text) { return String(text).toUpperCase(); }\n',
    });
    const env = mockEnv(mock.url, dir);
    try {
      const counts = async (args: string[]) => {
        const report = parseReport(
          (await runCli(['run', '--json', '--progress', 'none', ...args], { cwd: dir, env })).stdout,
        );
        const byTask: Record<string, number> = {};
        for (const result of report.results) byTask[result.taskId] = (byTask[result.taskId] ?? 0) + 1;
        return { byTask, passed: report.summary.passed };
      };
      expect(await counts([])).toEqual({ byTask: { thrice: 3, once: 1 }, passed: 4 });
      expect((await counts(['--repeat', '2'])).byTask).toEqual({ thrice: 2, once: 2 });

      await import('node:fs/promises').then((fs) =>
        fs.writeFile(path.join(dir, 'filters.mjs'), 'export const nothing = 1;\n'),
      );
      const bad = await runCli(['run'], { cwd: dir, env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/assay\.yaml.*exports no functions/);
    } finally {
      await cleanup();
    }
  });

  it('lists tasks whose repeats disagree as flaky, with pass_all / pass_any', async () => {
    // A "model" that answers right on odd calls only: nondeterminism the report must surface.
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets: [{ id: "file:./coin.mjs", config: { temperature: 1 } }]
tasks:
  - { id: coin, vars: { question: q }, expected: "yes" }
  - { id: steady, vars: { question: q2 }, expected: "fine" }
`,
      'prompts/q.njk': '{{ question }}',
      'coin.mjs': `let calls = 0;
export default function (request) {
  if (request.messages.at(-1).content.trim() === 'q2') return 'fine';
  calls += 1;
  return calls % 2 === 1 ? 'yes' : 'no';
}
`,
    });
    try {
      const run = await runCli(['run', '--repeat', '4', '-j', '1', '--progress', 'none'], {
        cwd: dir,
        env: mockEnv(mock.url, dir),
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/repeats\s+2 tasks repeated · pass_all 50\.0% · pass_any 100\.0%/);
      expect(run.stdout).toMatch(/FLAKY\s+coin\s+2\/4 passed/);
      const json = parseReport(
        (await runCli(['results', '--json'], { cwd: dir, env: mockEnv(mock.url, dir) })).stdout,
      );
      const row = json.summary.byTarget[0]!;
      expect(row.repeats?.flaky.map((task) => task.taskId)).toEqual(['coin']);
      expect(row.passRateInterval.low).toBeLessThan(row.passRate);
    } finally {
      await cleanup();
    }
  });
});

describe('browsing runs', () => {
  it('runs, show, retry, costs and cache work on stored runs', async () => {
    const { dir, cleanup } = await makeProject({
      'assay.yaml': `prompts: [prompts/q.njk]
targets:
  - { id: openai:gpt-4o-mini, headers: { x-mock-fail-times: "2", x-mock-key: "retry-e2e-${Date.now()}" } }
tasks: [tasks/main.yaml]
defaults: { retries: 0, concurrency: 1 }
`,
      'prompts/q.njk': '{{ question }}',
      'tasks/main.yaml': TASKS,
    });
    const env = mockEnv(mock.url, dir);
    try {
      const first = await runCli(['run', '--progress', 'none'], { cwd: dir, env });
      expect(first.code).toBe(1);
      const runs = JSON.parse((await runCli(['runs', '--json'], { cwd: dir, env })).stdout) as Array<{
        id: string;
        errored: number;
        results: number;
        status: string;
      }>;
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ results: 3, errored: 2 });
      const id = runs[0]!.id;

      const table = await runCli(['runs'], { cwd: dir, env });
      expect(table.stdout).toContain(id.slice(0, 8));

      const errors = parseReport(
        (await runCli(['results', '--run', id.slice(0, 8), '--errors', '--json'], { cwd: dir, env })).stdout,
      );
      expect(errors.results).toHaveLength(2);
      const errored = errors.results[0]!.taskId;

      const shown = await runCli(['show', id.slice(0, 8), errored], { cwd: dir, env });
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/ERROR/);
      expect(shown.stdout).toMatch(/\[user\] /);

      // A retry that cannot start (no API key) changes nothing: the errored results stay, the
      // run keeps its status, and the next retry goes ahead.
      const { OPENAI_API_KEY: _key, ...noKey } = env;
      const refused = await runCli(['retry', id.slice(0, 8), '--progress', 'none'], { cwd: dir, env: noKey });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/OPENAI_API_KEY/);
      const untouched = JSON.parse((await runCli(['runs', '--json'], { cwd: dir, env })).stdout) as Array<{
        errored: number;
        results: number;
        status: string;
      }>;
      expect(untouched[0]).toMatchObject({ results: 3, errored: 2, status: runs[0]!.status });

      const retry = await runCli(['retry', id.slice(0, 8), '--progress', 'none'], { cwd: dir, env });
      expect(retry.code).toBe(0);
      expect(retry.stderr).toMatch(/retrying 2 items/);
      const after = JSON.parse((await runCli(['runs', '--json'], { cwd: dir, env })).stdout) as Array<{
        id: string;
        errored: number;
        passed: number;
        status: string;
      }>;
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ id, errored: 0, passed: 3, status: 'completed' });
      expect((await runCli(['retry', id, '--progress', 'none'], { cwd: dir, env })).stdout).toMatch(
        /nothing to retry/,
      );

      const costs = JSON.parse(
        (await runCli(['costs', '--by', 'model', '--json'], { cwd: dir, env })).stdout,
      ) as { rows: Array<{ key: string; calls: number }> };
      expect(costs.rows).toEqual([expect.objectContaining({ key: 'openai:gpt-4o-mini', calls: 3 })]);

      const stats = JSON.parse((await runCli(['cache', 'stats', '--json'], { cwd: dir, env })).stdout) as {
        entries: number;
      };
      expect(stats.entries).toBe(3);
      const young = await runCli(['cache', 'prune', '--older-than', '1d'], { cwd: dir, env });
      expect(young.stdout).toMatch(/removed 0 cache entries older than 1d/);
      const expired = await runCli(['cache', 'prune'], { cwd: dir, env });
      expect(expired.stdout).toMatch(/removed 0 cache entries past their TTL/);
      const byDay = await runCli(['costs', '--timeframe', 'day'], { cwd: dir, env });
      expect(byDay.stdout).toMatch(/costs of the last day, by day/);
      expect(byDay.stdout).toMatch(/^total\s+3\s/m);
      const clear = await runCli(['cache', 'clear'], { cwd: dir, env });
      expect(clear.code).toBe(2); // not a terminal: needs --yes
      expect((await runCli(['cache', 'clear', '--yes'], { cwd: dir, env })).stdout).toMatch(
        /removed 3 cache entries/,
      );

      const missing = await runCli(['show', id, 'no-such-task'], { cwd: dir, env });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/no result for task "no-such-task"/);
    } finally {
      await cleanup();
    }
  });
});
