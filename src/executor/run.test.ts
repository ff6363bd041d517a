import { afterEach, describe, expect, it } from 'vitest';
import type { Cache } from '../cache/cache.js';
import { ProviderError, RunStoppedError } from '../errors.js';
import type { Provider, ProviderRequest, ProviderResponse } from '../providers/provider.js';
import { ScorerRegistry } from '../scorers/registry.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ItemResult, RunRecord, Target, Task } from '../types.js';
import { UserCode } from '../user-code/user-code.js';
import { NO_SECRETS } from '../util/redactor.js';
import type { TargetLane } from './answer.js';
import { RunEventBus } from './events.js';
import { buildLanes } from './lanes.js';
import type { Materialized } from './materialize.js';
import { planItems } from './plan.js';
import { executePlan, type RunOutcome } from './run.js';
import type { RunPlan } from './run-plan.js';
import { Scoring } from './scoring.js';

/** A provider that answers by a script: each call gets the next behaviour for its prompt. */
function fakeProvider(
  id: string,
  answer: (prompt: string, call: number) => ProviderResponse | ProviderError,
): Provider & { calls: string[] } {
  const calls: string[] = [];
  return {
    id,
    model: id,
    calls,
    cacheScope: () => `fake ${id}`,
    async call(request: ProviderRequest) {
      const prompt = request.messages.at(-1)!.content;
      calls.push(prompt);
      await new Promise((resolve) => setTimeout(resolve, 1));
      const outcome = answer(prompt, calls.filter((each) => each === prompt).length);
      if (outcome instanceof ProviderError) throw outcome;
      return outcome;
    },
  };
}

const ok = (output: string): ProviderResponse => ({ output, usage: { inputTokens: 3, outputTokens: 1 } });

function task(id: string, expected: string, extra: Partial<Task> = {}): Task {
  return {
    id,
    version: `v-${id}`,
    vars: { q: id },
    expected,
    assert: [],
    tags: [],
    metadata: {},
    source: 't',
    ...extra,
  };
}

function target(name: string, extra: Partial<Target> = {}): Target {
  return {
    name,
    providerId: `fake:${name}`,
    config: { temperature: 0 },
    prompt: { name: 'p', path: 'p', kind: 'text', source: '{{ q }}', version: 'p1' },
    options: {},
    timeoutMs: 5_000,
    version: `tv-${name}`,
    ...extra,
  };
}

interface Setup {
  tasks: Task[];
  targets: Target[];
  /** Targets called only as fallbacks or judges. */
  extra?: Target[];
  providers: Record<string, Provider>;
  repeat?: number;
  retries?: number;
  runUsd?: number;
  graders?: Record<string, string>;
  cache?: (real: Cache) => Cache;
  concurrency?: number;
  itemTimeoutMs?: number;
}

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function run(
  setup: Setup,
  control?: { stop?: AbortSignal },
): Promise<{ outcome: RunOutcome; results: ItemResult[]; error?: unknown }> {
  const store = await SqliteStore.open(':memory:');
  closers.push(() => store.close());
  const callable = [...setup.targets, ...(setup.extra ?? [])];
  const items = (only?: ReadonlySet<string>) =>
    planItems(
      setup.tasks,
      only ? setup.targets.filter((each) => only.has(each.name)) : setup.targets,
      setup.repeat ?? 1,
      new Map([
        ['p', (vars: Record<string, unknown>) => [{ role: 'user' as const, content: String(vars.q) }]],
      ]),
    );
  const userCode = new UserCode({ ms: 1000, setting: 'test' });
  const graders = setup.graders ?? {};
  const scoring = await Scoring.create({
    baseDir: '.',
    scorerFiles: [],
    registry: new ScorerRegistry(),
    where: 'test',
    resolveGrader: (grader) => graders[grader ?? '']!,
    recordJudgePrompt() {},
    userCode,
  });
  const plan: RunPlan = {
    options: { suite: null, filters: [], targets: [], repeat: setup.repeat ?? 1 },
    fingerprint: {
      configHash: 'c',
      datasetVersion: 'd',
      promptVersions: {},
      targetVersions: {},
      scorerVersions: {},
      gitCommit: null,
      assayVersion: 'test',
    },
    configPath: 'assay.yaml',
    baseDir: '.',
    taskCount: setup.tasks.length,
    tasks: () => stream(setup.tasks),
    prompts: [],
    targets: setup.targets,
    callable,
    graders,
    code: [],
    settings: {
      retries: setup.retries ?? 2,
      itemTimeoutMs: setup.itemTimeoutMs ?? 60_000,
      cacheTtlMs: 60_000,
      budget: setup.runUsd !== undefined ? { runUsd: setup.runUsd } : {},
      pricesMemoFile: null,
      codeTimeoutMs: 1000,
      codeTimeoutSetting: 'test',
    },
    totalItems: [...items()].length,
    targetStats: {},
    items: (only) => stream(items(only)),
  };
  const providers = new Map(callable.map((each) => [each.name, setup.providers[each.name]!]));
  const laneOf = buildLanes(callable, providers, setup.concurrency ?? 4);
  const lanes = new Map<string, TargetLane>(
    callable.map((each) => [
      each.name,
      { provider: providers.get(each.name)!, pricer: () => 0.001, lane: laneOf.get(each.name)! },
    ]),
  );
  const materialized: Materialized = {
    lanes,
    targets: new Map(callable.map((each) => [each.name, each])),
    scoring,
    judging: Object.keys(graders).length > 0,
    userCode,
  };
  const record: RunRecord = {
    id: 'run-1',
    configPath: 'assay.yaml',
    status: 'running',
    fingerprint: plan.fingerprint,
    options: plan.options,
    totalItems: plan.totalItems,
    startedAt: Date.now(),
    finishedAt: null,
    user: null,
  };
  await store.createRun(record);
  const cache = setup.cache ? setup.cache(store.cache) : store.cache;
  let error: unknown;
  const outcome = await executePlan({
    plan,
    run: record,
    materialized,
    store,
    cache,
    events: new RunEventBus(),
    redactor: NO_SECRETS,
    concurrency: setup.concurrency ?? 4,
    stopSignal: control?.stop ?? new AbortController().signal,
    hardSignal: new AbortController().signal,
  }).catch((caught: unknown) => {
    error = caught;
    return undefined;
  });
  const results = await store.listResults({ runId: record.id });
  return { outcome: outcome!, results, error };
}

async function* stream<T>(values: Iterable<T>): AsyncGenerator<T> {
  yield* values;
}

const byTask = (results: ItemResult[]) =>
  Object.fromEntries(results.map((result) => [result.taskId, result]));

/** A provider whose calls never answer: they end only when their signal aborts. */
function hanging(id: string): Provider & { calls: string[] } {
  const calls: string[] = [];
  return {
    id,
    model: id,
    calls,
    cacheScope: () => `fake ${id}`,
    call(request: ProviderRequest) {
      calls.push(request.messages.at(-1)!.content);
      return new Promise<ProviderResponse>((_resolve, reject) => {
        request.signal.addEventListener('abort', () =>
          reject(new ProviderError('timeout', `${id}: timed out`, { cause: request.signal.reason })),
        );
      });
    },
  };
}

describe('item_timeout', () => {
  it('ends a call that outlives it, whatever the target timeout, as a timeout naming the limit', async () => {
    const { outcome, results } = await run({
      tasks: [task('x', 'x')],
      targets: [target('a', { timeoutMs: 60_000 })],
      providers: { a: hanging('a') },
      itemTimeoutMs: 150,
    });
    expect(outcome.status).toBe('completed');
    expect(results[0]).toMatchObject({ status: 'error', error: { category: 'timeout' } });
    expect(results[0]!.error!.message).toMatch(/^item_timeout \(150ms\) reached/);
    expect(results[0]!.latencyMs).toBeLessThan(5_000);
  });

  it('covers the wait for a -j slot: a queued item times out without ever being called', async () => {
    const provider = hanging('a');
    const { results } = await run({
      tasks: [task('x', 'x'), task('y', 'y')],
      targets: [target('a', { timeoutMs: 60_000 })],
      providers: { a: provider },
      concurrency: 1,
      itemTimeoutMs: 200,
    });
    expect(results.map((result) => result.error?.category)).toEqual(['timeout', 'timeout']);
    // Both items timed out; at most the first ever reached the provider within its 200 ms.
    expect(provider.calls.length).toBeLessThanOrEqual(2);
  });
});

describe('the item pipeline', () => {
  it('answers repeats at temperature 0 with one call: the others share it in flight or hit the cache', async () => {
    const provider = fakeProvider('a', (prompt) => ok(prompt));
    const { outcome, results } = await run({
      tasks: [task('x', 'x'), task('y', 'y')],
      targets: [target('a')],
      providers: { a: provider },
      repeat: 5,
    });
    expect(outcome.status).toBe('completed');
    expect(results).toHaveLength(10);
    expect(results.every((result) => result.status === 'passed')).toBe(true);
    expect(provider.calls.sort()).toEqual(['x', 'y']);
    expect(results.filter((result) => result.cached)).toHaveLength(8);
  });

  it('answers from the cache a second time, at no cost and with the saving recorded', async () => {
    const provider = fakeProvider('a', (prompt) => ok(prompt));
    const store = await SqliteStore.open(':memory:');
    closers.push(() => store.close());
    const shared = () => store.cache;
    await run({ tasks: [task('x', 'x')], targets: [target('a')], providers: { a: provider }, cache: shared });
    const { results } = await run({
      tasks: [task('x', 'x')],
      targets: [target('a')],
      providers: { a: provider },
      cache: shared,
    });
    expect(provider.calls).toEqual(['x']);
    expect(results[0]).toMatchObject({ cached: true, costUsd: 0, savedUsd: 0.001, status: 'passed' });
  });

  it('retries a transient error and records the attempts', async () => {
    const provider = fakeProvider('a', (prompt, call) =>
      call === 1 ? new ProviderError('transient', 'HTTP 503', { status: 503, retryAfterMs: 1 }) : ok(prompt),
    );
    const { results } = await run({
      tasks: [task('x', 'x')],
      targets: [target('a')],
      providers: { a: provider },
    });
    expect(results[0]).toMatchObject({ status: 'passed', attempts: 2 });
    expect(results[0]!.attemptLog?.map((entry) => entry.outcome)).toEqual(['transient', 'ok']);
  });

  it('gives up after the retries and keeps the error as the result', async () => {
    const provider = fakeProvider(
      'a',
      () => new ProviderError('transient', 'HTTP 500', { status: 500, retryAfterMs: 1 }),
    );
    const { outcome, results } = await run({
      tasks: [task('x', 'x')],
      targets: [target('a')],
      providers: { a: provider },
      retries: 2,
    });
    expect(outcome.status).toBe('completed');
    expect(results[0]).toMatchObject({ status: 'error', attempts: 3, error: { category: 'transient' } });
    expect(provider.calls).toHaveLength(3);
  });

  it('never retries a permanent error', async () => {
    const provider = fakeProvider(
      'a',
      () => new ProviderError('permanent', 'HTTP 400 bad request', { status: 400 }),
    );
    const { results } = await run({
      tasks: [task('x', 'x')],
      targets: [target('a')],
      providers: { a: provider },
    });
    expect(results[0]).toMatchObject({ status: 'error', attempts: 1, error: { category: 'permanent' } });
  });

  it('sends items to the fallback while the primary keeps failing, and says who served them', async () => {
    const down = fakeProvider(
      'a',
      () => new ProviderError('transient', 'HTTP 503', { status: 503, retryAfterMs: 1 }),
    );
    const backup = fakeProvider('b', (prompt) => ok(prompt));
    const tasks = Array.from({ length: 12 }, (_, index) => task(`t${index}`, `t${index}`));
    const { results } = await run({
      tasks,
      targets: [target('a', { fallback: ['b'] })],
      extra: [target('b')],
      providers: { a: down, b: backup },
      retries: 0,
      concurrency: 1,
    });
    expect(results.every((result) => result.status === 'passed' && result.servedBy === 'b')).toBe(true);
    // The breaker opened after repeated failures: later items skipped the primary.
    expect(down.calls.length).toBeLessThan(12);
    expect(backup.calls).toHaveLength(12);
  });

  it('skips calls that would cross the budget, as results of their own, and ends budget_exceeded', async () => {
    const provider = fakeProvider('a', (prompt) => ok(prompt));
    const tasks = Array.from({ length: 5 }, (_, index) => task(`t${index}`, `t${index}`));
    const { outcome, results } = await run({
      tasks,
      targets: [target('a')],
      providers: { a: provider },
      runUsd: 0.0025,
      concurrency: 1,
    });
    expect(outcome.status).toBe('budget_exceeded');
    const skipped = results.filter((result) => result.error?.category === 'skipped_budget');
    expect(skipped.length).toBeGreaterThan(0);
    expect(provider.calls.length + skipped.length).toBe(5);
  });

  it('turns a judge that fails into a scorer error on the item, never a crash', async () => {
    const provider = fakeProvider('a', (prompt) => ok(prompt));
    const judge = fakeProvider(
      'judge',
      () => new ProviderError('permanent', 'HTTP 401 bad key', { status: 401 }),
    );
    const { outcome, results } = await run({
      tasks: [task('x', 'x', { assert: [{ type: 'llm-rubric', value: 'says x' }] })],
      targets: [target('a')],
      extra: [target('judge:j')],
      providers: { a: provider, 'judge:j': judge },
      graders: { '': 'judge:j' },
    });
    expect(outcome.status).toBe('completed');
    expect(results[0]!.status).toBe('failed');
    expect(results[0]!.scores[0]!.reason).toMatch(/judge judge:j failed: HTTP 401 bad key/);
  });

  it('stops taking items on the stop signal and ends interrupted, with what ran saved', async () => {
    const stop = new AbortController();
    let answered = 0;
    const provider = fakeProvider('a', (prompt) => {
      if (++answered === 3) stop.abort();
      return ok(prompt);
    });
    const tasks = Array.from({ length: 50 }, (_, index) => task(`t${index}`, `t${index}`));
    const { outcome, results } = await run(
      { tasks, targets: [target('a')], providers: { a: provider }, concurrency: 1 },
      { stop: stop.signal },
    );
    expect(outcome.status).toBe('interrupted');
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.length).toBeLessThan(50);
    expect(Object.keys(byTask(results))).toHaveLength(results.length);
  });

  it('stops interrupted, keeping what it saved, when the cache cannot be read mid-run', async () => {
    const provider = fakeProvider('a', (prompt) => ok(prompt));
    const tasks = Array.from({ length: 1200 }, (_, index) => task(`t${index}`, `t${index}`));
    let lookups = 0;
    const { error } = await run({
      tasks,
      targets: [target('a')],
      providers: { a: provider },
      concurrency: 8,
      cache: (real) => ({
        ...real,
        get: real.get.bind(real),
        set: real.set.bind(real),
        stats: real.stats.bind(real),
        prune: real.prune.bind(real),
        clear: real.clear.bind(real),
        async getMany(keys, now) {
          if (++lookups > 1) throw new Error('database connection lost');
          return real.getMany(keys, now);
        },
      }),
    });
    expect(error).toBeInstanceOf(RunStoppedError);
    expect((error as Error).message).toMatch(/run run-1 interrupted: .*database connection lost/);
    expect(provider.calls.length).toBeGreaterThan(0);
    expect(provider.calls.length).toBeLessThan(1200);
  });
});
