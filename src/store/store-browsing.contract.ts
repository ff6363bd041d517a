import { expect, it } from 'vitest';
import type { ItemResult } from '../types.js';
import type { RunStats } from './store.js';
import { type ContractContext, makeResult, makeTarget, unique } from './test-helpers.js';

/** Contract cases for browsing results and runs, and for retrying items. */
export function describeBrowsingContract({ store, withRun }: ContractContext): void {
  it('filters results by status, target, task and item, and pages them in a stable order', async () => {
    const run = await withRun();
    const at = Date.now();
    const rows = [
      ['passed', 'x', 't1'],
      ['failed', 'y', 't1'],
      ['error', 'x', 't2'],
      ['passed', 'y', 't2'],
      ['error', 'y', 't1'],
      ['passed', 'x', 't1'],
    ] as const;
    const results = rows.map(([status, target, task], index) =>
      makeResult(run.id, {
        // Two share a creation time, so the item id decides their order.
        itemId: `item-${index}`,
        createdAt: at + Math.min(index, 4),
        status,
        targetName: target,
        taskId: task,
        scores: [{ name: `scorer-${index}`, value: 1, pass: true, reason: '', weight: 1 }],
        error: status === 'error' ? { category: 'transient', message: 'HTTP 503' } : null,
      }),
    );
    await store().saveResults([...results].reverse());
    const pick = (...indexes: number[]): ItemResult[] => indexes.map((index) => results[index]!);
    const list = (query: Omit<Parameters<ReturnType<typeof store>['listResults']>[0], 'runId'>) =>
      store().listResults({ runId: run.id, ...query });

    expect(await list({ status: ['error'] })).toStrictEqual(pick(2, 4));
    expect(await list({ status: ['passed', 'failed'] })).toStrictEqual(pick(0, 1, 3, 5));
    expect(await list({ targetName: 'x' })).toStrictEqual(pick(0, 2, 5));
    expect(await list({ taskId: 't2' })).toStrictEqual(pick(2, 3));
    expect(await list({ itemIds: ['item-5', 'item-1', 'missing'] })).toStrictEqual(pick(1, 5));
    expect(await list({ targetName: 'y', taskId: 't1', failedOnly: true })).toStrictEqual(pick(1, 4));
    expect(await list({ failedOnly: true, status: ['failed', 'passed'] })).toStrictEqual(pick(1));
    expect(await list({ status: [] })).toEqual([]);
    expect(await list({ itemIds: [] })).toEqual([]);
    expect(await list({ targetName: 'nobody' })).toEqual([]);

    const pages = [await list({ limit: 4 }), await list({ limit: 4, offset: 4 })];
    expect(pages).toStrictEqual([pick(0, 1, 2, 3), pick(4, 5)]);
    expect(await list({ offset: 3 })).toStrictEqual(pick(3, 4, 5));
    expect(await list({ status: ['passed'], limit: 1, offset: 1 })).toStrictEqual(pick(3));
    expect(await list({ offset: 99 })).toEqual([]);
    await expect(list({ offset: -1 })).rejects.toThrow('got `-1` (number)');
  });

  it('names every target with a stored version, sorted and once', async () => {
    const [a, b] = [unique('target-b'), unique('target-a')];
    await store().saveVersions({
      tasks: [],
      prompts: [],
      targets: [
        makeTarget({ name: a, version: 'v1' }),
        makeTarget({ name: b }),
        makeTarget({ name: a, version: 'v2' }),
      ],
    });
    const names = await store().targetNames();
    expect(names.filter((name) => name === a || name === b)).toEqual([a, b].sort());
    expect(names).toEqual([...names].sort());
  });

  it('lists runs newest first, filtered by suite, target, start time and status, with their stats', async () => {
    const suite = unique('suite');
    const x = unique('target-x');
    const y = unique('target-y');
    // Later than the runs of other tests, even in a shared database.
    const base = Date.now() + 2_000_000_000;
    const options = { suite, filters: [], targets: [x, y], repeat: 1 };
    const old = await withRun({ options, startedAt: base, status: 'completed', finishedAt: base + 1 });
    const planned = await withRun({
      options,
      startedAt: base + 1_000,
      status: 'failed',
      fingerprint: { ...old.fingerprint, targetVersions: { [y]: 'v1' } },
    });
    const newest = await withRun({ options, startedAt: base + 2_000 });
    const elsewhere = await withRun({
      options: { ...options, suite: unique('suite') },
      startedAt: base + 3_000,
    });
    await store().saveResults([
      makeResult(newest.id, { targetName: x, score: 1, latencyMs: 100, costUsd: 0.5, judgeCostUsd: 0.25 }),
      makeResult(newest.id, { targetName: y, status: 'failed', score: 0.5, latencyMs: 300, costUsd: 0.25 }),
      makeResult(newest.id, {
        targetName: x,
        status: 'error',
        score: 0,
        latencyMs: 50,
        costUsd: null,
        error: { category: 'timeout', message: 'slow' },
      }),
      makeResult(newest.id, { targetName: y, cached: true, latencyMs: 5, costUsd: 0, savedUsd: 0.75 }),
      makeResult(elsewhere.id, { targetName: x }),
    ]);
    const ids = async (query: Parameters<ReturnType<typeof store>['listRuns']>[0]) =>
      (await store().listRuns(query)).map((listing) => listing.run.id);

    const listed = await store().listRuns({ suite });
    expect(listed.map((listing) => listing.run)).toStrictEqual([newest, planned, old]);
    const stats: RunStats = {
      results: 4,
      passed: 2,
      failed: 1,
      errored: 1,
      costUsd: 0.75,
      judgeCostUsd: 0.25,
      savedUsd: 0.75,
      cached: 1,
      meanScore: 2.5 / 3,
      meanLatencyMs: 200,
      targets: [x, y].sort(),
    };
    expect(listed[0]?.stats).toEqual({ ...stats, meanScore: expect.closeTo(2.5 / 3, 12) });
    expect(listed[1]?.stats).toStrictEqual({
      results: 0,
      passed: 0,
      failed: 0,
      errored: 0,
      costUsd: 0,
      judgeCostUsd: 0,
      savedUsd: 0,
      cached: 0,
      meanScore: null,
      meanLatencyMs: null,
      targets: [],
    });
    expect(await store().runStats(newest.id)).toEqual(listed[0]?.stats);
    expect((await store().runStats(unique('missing'))).results).toBe(0);

    expect(await ids({ suite, limit: 2 })).toEqual([newest.id, planned.id]);
    expect(await ids({ suite, since: base + 1_000 })).toEqual([newest.id, planned.id]);
    expect(await ids({ suite, statuses: ['completed', 'failed'] })).toEqual([planned.id, old.id]);
    expect(await ids({ suite, statuses: [] })).toEqual([]);
    expect(await ids({ target: x, since: base })).toEqual([elsewhere.id, newest.id]);
    expect(await ids({ target: y })).toEqual([newest.id, planned.id]);
    expect(await ids({ target: x, suite })).toEqual([newest.id]);
    expect(await ids({ since: base, limit: 1 })).toEqual([elsewhere.id]);
    expect(await ids({ suite, before: base + 2_000 })).toEqual([planned.id, old.id]);
    expect(await ids({ suite, since: base + 500, before: base + 1_500 })).toEqual([planned.id]);
    await expect(store().listRuns({ before: Number.NaN })).rejects.toThrow('Expected `before`');
    expect(await ids({ suite: unique('no-such-suite') })).toEqual([]);
  });

  it('deletes the results of chosen items for a retry, scores included', async () => {
    const run = await withRun();
    const other = await withRun();
    const at = Date.now();
    const [first, second, third] = ['a', 'b', 'c'].map((itemId, index) =>
      makeResult(run.id, { itemId, createdAt: at + index }),
    );
    await store().saveResults([first!, second!, third!, makeResult(other.id, { itemId: 'a' })]);

    expect(await store().deleteResults(run.id, ['a', 'c', 'missing'])).toBe(2);
    expect(await store().deleteResults(run.id, [])).toBe(0);
    expect(await store().completedItemIds(run.id)).toEqual(new Set(['b']));
    expect(await store().completedItemIds(other.id)).toEqual(new Set(['a']));
    expect(await store().listResults({ runId: run.id })).toStrictEqual([second]);

    // The retried item is stored afresh, with its new scores only.
    const retried = makeResult(run.id, {
      itemId: 'a',
      createdAt: at + 10,
      scores: [{ name: 'retried', value: 0, pass: false, reason: 'second try', weight: 1 }],
    });
    await store().saveResults([retried]);
    expect(await store().listResults({ runId: run.id })).toStrictEqual([second, retried]);
  });

  it('reopens a finished run', async () => {
    const run = await withRun();
    await store().finishRun(run.id, 'interrupted', run.startedAt + 5_000);
    await store().reopenRun(run.id);
    expect(await store().getRun(run.id)).toStrictEqual({ ...run, status: 'running', finishedAt: null });
  });
}
