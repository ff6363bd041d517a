import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type Project } from '../config/load.js';
import { UserError } from '../errors.js';
import { RunEventBus } from '../executor/events.js';
import { materialize } from '../executor/materialize.js';
import { executePlan } from '../executor/run.js';
import { readPlan, writePlan } from '../executor/run-plan.js';
import { type MockServer, startMockServer } from '../mock/server.js';
import { createRuntime } from '../runtime.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ItemResult, RunRecord } from '../types.js';
import { NO_SECRETS } from '../util/redactor.js';
import { type RunDeps, resumeRun, startRun } from './execute.js';
import { runOptionsFor } from './options.js';
import { planRun } from './plan.js';

/** Every value of an async iterable (Array.fromAsync needs Node 22). */
async function collect<T>(values: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of values) out.push(value);
  return out;
}

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0 });
});
afterAll(() => mock.close());

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function project(files: Record<string, string>, env: NodeJS.ProcessEnv): Promise<Project> {
  const dir = await mkdtemp(path.join(tmpdir(), 'assay-runs-'));
  directories.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return loadProject({ cwd: dir, env });
}

const ARITHMETIC = Array.from({ length: 12 }, (_, index) =>
  JSON.stringify({
    id: `t${index}`,
    vars: { question: `What is ${index} + 7?` },
    expected: String(index + 7),
  }),
).join('\n');

function files(target: string, extra = ''): Record<string, string> {
  return {
    'assay.yaml': `prompts: [q.njk]\ntasks: [tasks.jsonl]\ntargets:\n${target}\n${extra}`,
    'q.njk': '{{ question }}',
    'tasks.jsonl': ARITHMETIC,
  };
}

function control() {
  return { stopSignal: new AbortController().signal, hardSignal: new AbortController().signal };
}

async function deps(env: NodeJS.ProcessEnv): Promise<RunDeps> {
  const store = await SqliteStore.open(':memory:');
  return { store, cache: store.cache, runtime: createRuntime(), events: new RunEventBus(), env };
}

/** What a result says, without the timing and identity of the run it is in. */
function comparable(results: ItemResult[]) {
  return results
    .map((result) => ({
      itemId: result.itemId,
      status: result.status,
      output: result.output,
      score: result.score,
      scores: result.scores,
      servedBy: result.servedBy,
      usage: result.usage.inputTokens,
    }))
    .sort((a, b) => a.itemId.localeCompare(b.itemId));
}

describe('run plans', () => {
  const env = { OPENAI_API_KEY: 'sk-plan-test', MOCK_URL: '' };

  it('go through JSON and back, and execute to the same results', async () => {
    env.MOCK_URL = `${mock.url}/v1`;
    const target = '  - id: openai:gpt-4o-mini\n    base_url: ${MOCK_URL}\n    headers: { x-team: evals }';
    const loaded = await project(files(target, 'defaults: { repeat: 2 }'), env);
    const runtime = createRuntime();
    const plan = await planRun({ project: loaded, options: runOptionsFor(loaded, {}), runtime });
    expect(plan.totalItems).toBe(24);

    const text = await collect(writePlan(plan));
    // The written plan holds the reference, never the value from the environment.
    expect(text.join('')).toContain('${MOCK_URL}');
    expect(text.join('')).not.toContain(mock.url);
    const copy = readPlan(JSON.parse(JSON.stringify(text)) as string[], env);
    expect(copy.prepared).toBeUndefined();
    const ids = async (items: AsyncIterable<{ id: string }>) => (await collect(items)).map((item) => item.id);
    expect(await ids(copy.items())).toEqual(await ids(plan.items()));

    const outcomes = await Promise.all(
      [plan, copy].map(async (each) => {
        const store = await SqliteStore.open(':memory:');
        const run: RunRecord = {
          id: `run-${each === plan ? 'direct' : 'copy'}`,
          configPath: each.configPath,
          status: 'running',
          fingerprint: each.fingerprint,
          options: each.options,
          totalItems: each.totalItems,
          startedAt: Date.now(),
          finishedAt: null,
          user: null,
        };
        await store.createRun(run);
        const outcome = await executePlan({
          plan: each,
          run,
          materialized: await materialize(each, runtime, env, 4),
          store,
          cache: null,
          events: new RunEventBus(),
          redactor: NO_SECRETS,
          concurrency: 4,
          ...control(),
        });
        const results = await store.listResults({ runId: run.id });
        await store.close();
        return { outcome, results };
      }),
    );
    expect(outcomes.map(({ outcome }) => outcome.status)).toEqual(['completed', 'completed']);
    expect(outcomes[0]!.results).toHaveLength(24);
    expect(comparable(outcomes[1]!.results)).toEqual(comparable(outcomes[0]!.results));
    await runtime.close();
  });

  it('are planned from tasks that stream past, refusing a repeated id with both places', async () => {
    env.MOCK_URL = `${mock.url}/v1`;
    const loaded = await project(
      {
        ...files('  - id: openai:gpt-4o-mini\n    base_url: ${MOCK_URL}'),
        'tasks.jsonl': `${ARITHMETIC}\n${JSON.stringify({ id: 't3', vars: { question: 'again' }, expected: 'x' })}\n`,
      },
      env,
    );
    const error = await planRun({
      project: loaded,
      options: runOptionsFor(loaded, {}),
      runtime: createRuntime(),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^duplicate task id "t3" \(also at tasks\.jsonl:4\)/);
    expect((error as UserError).location).toBe('tasks.jsonl:13');
  });

  it('select the same tasks on every pass, --sample and --first included', async () => {
    env.MOCK_URL = `${mock.url}/v1`;
    const loaded = await project(files('  - id: openai:gpt-4o-mini\n    base_url: ${MOCK_URL}'), env);
    const runtime = createRuntime();
    for (const selection of [{ sample: 5, seed: '7' }, { first: 4 }, { filters: ['id:t1*'] }]) {
      const plan = await planRun({ project: loaded, options: runOptionsFor(loaded, selection), runtime });
      const once = (await collect(plan.tasks())).map((task) => task.id);
      expect(await collect(plan.tasks()).then((tasks) => tasks.map((task) => task.id))).toEqual(once);
      expect(once).toHaveLength(plan.taskCount);
      expect(plan.totalItems).toBe(plan.taskCount);
    }
    const sampled = await planRun({
      project: loaded,
      options: runOptionsFor(loaded, { sample: 5, seed: '7' }),
      runtime,
    });
    expect(sampled.taskCount).toBe(5);
    const ids = (await collect(sampled.tasks())).map((task) => Number(task.id.slice(1)));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('refuse to run where the user code differs from the planned one', async () => {
    env.MOCK_URL = `${mock.url}/v1`;
    const loaded = await project(
      {
        ...files('  - id: openai:gpt-4o-mini\n    base_url: ${MOCK_URL}', 'scorers: [scorers.mjs]'),
        'scorers.mjs':
          "export default { name: 'always', version: '1', prepare: () => () => ({ value: 1, pass: true, reason: 'ok' }) };\n",
      },
      env,
    );
    const runtime = createRuntime();
    const plan = await planRun({ project: loaded, options: runOptionsFor(loaded, {}), runtime });
    const copy = readPlan(await collect(writePlan(plan)), env);
    await writeFile(path.join(loaded.baseDir, 'scorers.mjs'), '// changed\n');
    const error = await materialize(copy, runtime, env, 1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(
      /scorers code at .*scorers\.mjs differs from the run plan's/,
    );
  });
});

describe('run services', () => {
  it('run two different projects at once in one process, sharing the runtime', async () => {
    const env = { OPENAI_API_KEY: 'sk-one', ANTHROPIC_API_KEY: 'sk-two', MOCK: mock.url };
    const openai = await project(files('  - id: openai:gpt-4o-mini\n    base_url: ${MOCK}/v1'), env);
    const anthropic = await project(
      files('  - id: anthropic:claude-3-5-haiku-latest\n    base_url: ${MOCK}', 'defaults: { repeat: 3 }'),
      env,
    );
    const shared = await deps(env);
    const [one, two] = await Promise.all(
      [openai, anthropic].map((each) =>
        startRun(shared, {
          project: each,
          options: runOptionsFor(each, {}),
          concurrency: 3,
          control: control(),
        }),
      ),
    );
    expect([one!.status, two!.status]).toEqual(['completed', 'completed']);
    expect([one!.run.totalItems, two!.run.totalItems]).toEqual([12, 36]);
    for (const outcome of [one!, two!]) {
      const results = await shared.store.listResults({ runId: outcome.run.id });
      expect(results.every((result) => result.status === 'passed')).toBe(true);
      expect(new Set(results.map((result) => result.targetName)).size).toBe(1);
    }
    await shared.store.close();
    await shared.runtime.close();
  });

  it('refuse a selection when resuming: the run keeps the one it started with', async () => {
    const env = { OPENAI_API_KEY: 'sk-one', MOCK: mock.url };
    const loaded = await project(files('  - id: openai:gpt-4o-mini\n    base_url: ${MOCK}/v1'), env);
    const shared = await deps(env);
    const error = await resumeRun(shared, {
      project: loaded,
      runId: 'latest',
      selection: { filters: ['tag:x'] },
      concurrency: 1,
      control: control(),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(
      /--resume continues a run with the selection it started with/,
    );
    await shared.store.close();
  });
});
