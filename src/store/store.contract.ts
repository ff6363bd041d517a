import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../types.js';
import type { Store } from './store.js';
import { describeAuditContract } from './store-audit.contract.js';
import { describeBrowsingContract } from './store-browsing.contract.js';
import { describeCostContract } from './store-costs.contract.js';
import { describeHistoryContract } from './store-history.contract.js';
import { describeLeaseContract } from './store-leases.contract.js';
import { type ContractContext, makeResult, makeRun, makeVersions, prompt, unique } from './test-helpers.js';

export interface StoreContractOptions {
  /** Every `open()` reaches the same database, so what one store writes the next one reads. */
  persistent?: boolean;
}

/** The behaviour every `Store` must have. `open` is called once per test (and twice in one). */
export function describeStoreContract(
  name: string,
  open: () => Promise<Store>,
  options: StoreContractOptions = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let opened: Store[] = [];

    beforeEach(async () => {
      store = await open();
      opened = [store];
    });

    afterEach(async () => {
      for (const each of opened) await each.close();
    });

    async function withRun(overrides: Partial<RunRecord> = {}): Promise<RunRecord> {
      const run = makeRun(overrides);
      await store.createRun(run);
      return run;
    }

    const context: ContractContext = { store: () => store, withRun };

    it('opens a second time while open (migrations are idempotent)', async () => {
      const second = await open();
      opened.push(second);
      const run = await withRun();
      const other = makeRun();
      await second.createRun(other);
      expect(await second.getRun(other.id)).toEqual(other);
      if (options.persistent) expect(await second.getRun(run.id)).toEqual(run);
    });

    it('saves versions idempotently', async () => {
      const versions = makeVersions();
      await store.saveVersions(versions);
      await expect(store.saveVersions(versions)).resolves.toBeUndefined();
      const [task] = versions.tasks;
      await expect(
        store.saveVersions({ tasks: [task!, task!], prompts: [prompt, prompt], targets: versions.targets }),
      ).resolves.toBeUndefined();
      await expect(store.saveVersions({ tasks: [], prompts: [], targets: [] })).resolves.toBeUndefined();
    });

    it('adds a new version of a stored task beside the old one, once', async () => {
      const versions = makeVersions();
      const task = { ...versions.tasks[0]!, id: unique('edited-task') };
      versions.tasks = [task];
      await store.saveVersions(versions);
      const edited = { ...task, expected: `${task.expected ?? ''} (edited)`, version: unique('v2') };
      await store.saveVersions({ ...versions, tasks: [task, edited] });
      await store.saveVersions({ ...versions, tasks: [edited, task] });
      const history = await store.taskHistory(task.id);
      expect(history).toHaveLength(2);
      const byVersion = new Map(history.map((entry) => [entry.version, entry.value]));
      expect(byVersion.get(task.version)?.expected).toBe(task.expected);
      expect(byVersion.get(edited.version)?.expected).toBe(edited.expected);
    });

    it('round-trips a run', async () => {
      const run = await withRun();
      const anonymous = await withRun({ user: null, fingerprint: { ...run.fingerprint, gitCommit: null } });
      const judged = await withRun({
        fingerprint: { ...run.fingerprint, judgeVersions: { 'llm-rubric': 'judge-large@t9 + rubric@p4' } },
      });
      expect(await store.getRun(run.id)).toStrictEqual(run);
      expect(await store.getRun(anonymous.id)).toStrictEqual(anonymous);
      expect(await store.getRun(judged.id)).toStrictEqual(judged);
      expect(await store.getRun(unique('missing'))).toBeUndefined();
    });

    it('returns the most recently started run for `latest`', async () => {
      // Later than any run other tests wrote, even in a shared database.
      const base = Date.now() + 1_000_000_000;
      const newest = await withRun({ startedAt: base + 2_000 });
      await withRun({ startedAt: base + 1_000 });
      expect((await store.getRun('latest'))?.id).toBe(newest.id);
    });

    it('records how a run finished', async () => {
      const run = await withRun();
      await store.finishRun(run.id, 'interrupted', run.startedAt + 5_000);
      expect(await store.getRun(run.id)).toStrictEqual({
        ...run,
        status: 'interrupted',
        finishedAt: run.startedAt + 5_000,
      });
    });

    it('sums spend since a time, and lets the real result replace a budget skip', async () => {
      const run = await withRun();
      // Far-future timestamps keep other tests' results (sharing a database) out of the sum.
      const since = Date.now() + 10 * 365 * 86_400_000;
      await store.saveResults([
        makeResult(run.id, { itemId: 'spend-1', costUsd: 0.25, createdAt: since + 1 }),
        makeResult(run.id, { itemId: 'spend-2', costUsd: null, createdAt: since + 2 }),
        makeResult(run.id, { itemId: 'spend-3', costUsd: 0.5, createdAt: since - 1 }),
        makeResult(run.id, {
          itemId: 'skipped',
          status: 'error',
          output: null,
          costUsd: null,
          scores: [],
          error: { category: 'skipped_budget', message: 'over budget' },
          createdAt: since + 3,
        }),
      ]);
      expect(await store.spentSince(since)).toBeCloseTo(0.25, 12);
      expect((await store.completedItemIds(run.id)).has('skipped')).toBe(false);
      await store.saveResults([
        makeResult(run.id, { itemId: 'skipped', costUsd: 0.125, createdAt: since + 4 }),
      ]);
      const replaced = (await store.listResults({ runId: run.id })).find(
        (result) => result.itemId === 'skipped',
      );
      expect(replaced).toMatchObject({ status: 'passed', error: null, costUsd: 0.125 });
      expect(replaced?.scores.length).toBeGreaterThan(0);
      expect((await store.completedItemIds(run.id)).has('skipped')).toBe(true);
      expect(await store.spentSince(since)).toBeCloseTo(0.375, 12);
    });

    it('round-trips results with every field', async () => {
      const run = await withRun();
      const base = Date.now();
      const full = makeResult(run.id, {
        repeat: 2,
        prompt: [
          { role: 'system', content: 'Answer briefly.' },
          { role: 'user', content: 'Say "hi" in Greek; then stop.' },
        ],
        output: 'Γειά σου\n— done',
        score: 0.625,
        scores: [
          {
            name: 'similar',
            value: 0.25,
            pass: false,
            reason: 'too far',
            weight: 3,
            metric: 'faithfulness',
            costUsd: 0.000_5,
          },
          { name: 'contains', value: 1, pass: true, reason: '', weight: 1, metric: 'accuracy' },
          { name: 'latency', value: 1, pass: true, reason: 'under 2000 ms', weight: 0.5 },
        ],
        latencyMs: 1234.5,
        ttftMs: 210.5,
        usage: {
          inputTokens: 120,
          outputTokens: 45,
          cachedInputTokens: 100,
          cacheWriteInputTokens: 20,
          reasoningTokens: 0,
          raw: { prompt_tokens: 120, details: { cached: [100, null] }, note: 'kept as is' },
        },
        costUsd: 0.000_123_45,
        judgeCostUsd: 0.000_5,
        savedUsd: 0.000_2,
        attempts: 2,
        attemptLog: [
          { target: 'primary', outcome: 'transient', httpStatus: 503, latencyMs: 12, message: 'HTTP 503' },
          { target: 'fallback-large', outcome: 'ok', latencyMs: 30 },
        ],
        cached: true,
        stale: true,
        servedBy: 'fallback-large',
        createdAt: base + 1,
      });
      const errored = makeResult(run.id, {
        status: 'error',
        output: null,
        score: 0,
        scores: [],
        usage: {},
        costUsd: null,
        attempts: 3,
        error: { category: 'timeout', message: 'no answer within 30000 ms' },
        createdAt: base + 2,
      });
      const zeros = makeResult(run.id, {
        status: 'failed',
        output: '',
        score: 0,
        usage: { inputTokens: 0, outputTokens: 0, raw: null },
        costUsd: 0,
        createdAt: base + 3,
      });
      await store.saveResults([zeros, errored, full]);

      const stored = await store.listResults({ runId: run.id });
      expect(stored).toStrictEqual([full, errored, zeros]);
      expect(stored[1]?.usage).toStrictEqual({});
      expect(stored[2]?.usage.inputTokens).toBe(0);
      expect(stored[2]?.usage.cachedInputTokens).toBeUndefined();
      expect(stored[0]?.scores.map((score) => score.name)).toEqual(['similar', 'contains', 'latency']);
    });

    it('orders results by creation time, then item id', async () => {
      const run = await withRun();
      const at = Date.now();
      const later = ['b', 'c', 'a'].map((itemId) => makeResult(run.id, { itemId, createdAt: at + 10 }));
      const first = makeResult(run.id, { itemId: 'z', createdAt: at });
      await store.saveResults([...later, first]);
      const stored = await store.listResults({ runId: run.id });
      expect(stored.map((result) => result.itemId)).toEqual(['z', 'a', 'b', 'c']);
    });

    it('keeps the first result stored for a (run, item) and its scores', async () => {
      const run = await withRun();
      const at = Date.now();
      const original = makeResult(run.id, {
        createdAt: at,
        scores: [
          { name: 'a', value: 1, pass: true, reason: 'first', weight: 1 },
          { name: 'b', value: 1, pass: true, reason: 'first', weight: 1 },
        ],
      });
      const retry = makeResult(run.id, {
        itemId: original.itemId,
        status: 'error',
        output: 'second',
        scores: [
          { name: 'x', value: 0, pass: false, reason: 'second', weight: 1 },
          { name: 'y', value: 0, pass: false, reason: 'second', weight: 1 },
          { name: 'z', value: 0, pass: false, reason: 'second', weight: 1 },
        ],
        error: { category: 'transient', message: 'HTTP 500' },
      });
      await store.saveResults([original]);
      await store.saveResults([retry]);
      const sameBatch = makeResult(run.id, { createdAt: at });
      await store.saveResults([sameBatch, { ...retry, itemId: sameBatch.itemId }]);

      const expected = [original, sameBatch].sort((left, right) => (left.itemId < right.itemId ? -1 : 1));
      expect(await store.listResults({ runId: run.id })).toStrictEqual(expected);
    });

    it('replaces a stored result and its scores when asked (a retry), and only that item', async () => {
      const run = await withRun();
      const kept = makeResult(run.id, { output: 'kept' });
      const old = makeResult(run.id, {
        status: 'error',
        output: null,
        scores: [{ name: 'x', value: 0, pass: false, reason: 'old', weight: 1 }],
        error: { category: 'transient', message: 'HTTP 500' },
      });
      await store.saveResults([kept, old]);
      const fresh = makeResult(run.id, {
        itemId: old.itemId,
        output: 'fresh',
        scores: [{ name: 'y', value: 1, pass: true, reason: 'new', weight: 1 }],
      });
      await store.saveResults([fresh], { replace: true });
      const byItem = new Map(
        (await store.listResults({ runId: run.id })).map((result) => [result.itemId, result]),
      );
      expect(byItem.get(old.itemId)).toStrictEqual(fresh);
      expect(byItem.get(kept.itemId)).toStrictEqual(kept);
      expect(byItem.size).toBe(2);
    });

    it('keeps results of different runs apart', async () => {
      const one = await withRun();
      const two = await withRun();
      const itemId = unique('item');
      await store.saveResults([
        makeResult(one.id, { itemId, output: 'one' }),
        makeResult(two.id, { itemId, output: 'two' }),
      ]);
      expect((await store.listResults({ runId: one.id })).map((result) => result.output)).toEqual(['one']);
      expect((await store.listResults({ runId: two.id })).map((result) => result.output)).toEqual(['two']);
    });

    it('lists the items completed in a run', async () => {
      const run = await withRun();
      const other = await withRun();
      expect(await store.completedItemIds(run.id)).toEqual(new Set());
      const results = [
        makeResult(run.id),
        makeResult(run.id, { status: 'error', error: { category: 'quota', message: 'out of credit' } }),
      ];
      const skipped = makeResult(run.id, {
        status: 'error',
        error: { category: 'skipped_budget', message: 'over budget' },
      });
      await store.saveResults([...results, skipped, makeResult(other.id)]);
      expect(await store.completedItemIds(run.id)).toEqual(new Set(results.map((result) => result.itemId)));
      expect(await store.countCompleted(run.id)).toBe(2);
      // Asked about a window of ids: only those among them, and nothing for an empty window.
      const window = [results[1]!.itemId, skipped.itemId, 'not-run-yet'];
      expect(await store.completedItemIds(run.id, window)).toEqual(new Set([results[1]!.itemId]));
      expect(await store.completedItemIds(run.id, [])).toEqual(new Set());
      expect(await store.countCompleted(other.id)).toBe(1);
    });

    it('filters failed and errored results, and limits the list', async () => {
      const run = await withRun();
      const at = Date.now();
      const statuses = ['passed', 'failed', 'error', 'passed', 'error'] as const;
      const results = statuses.map((status, index) =>
        makeResult(run.id, {
          itemId: `item-${index}`,
          status,
          error: status === 'error' ? { category: 'permanent', message: 'HTTP 400' } : null,
          createdAt: at + index,
        }),
      );
      await store.saveResults(results);

      const failed = await store.listResults({ runId: run.id, failedOnly: true });
      expect(failed).toStrictEqual([results[1], results[2], results[4]]);
      const firstTwo = await store.listResults({ runId: run.id, failedOnly: true, limit: 2 });
      expect(firstTwo).toStrictEqual([results[1], results[2]]);
      const limited = await store.listResults({ runId: run.id, limit: 1 });
      expect(limited).toStrictEqual([results[0]]);
    });

    it('saves a batch larger than one insert statement', async () => {
      const run = await withRun();
      const at = Date.now();
      const scores = ['a', 'b', 'c'].map((scorer) => ({
        name: scorer,
        value: 1,
        pass: true,
        reason: '',
        weight: 1,
      }));
      const results = Array.from({ length: 3_000 }, (_, index) =>
        makeResult(run.id, { itemId: `item-${String(index).padStart(4, '0')}`, scores, createdAt: at }),
      );
      await store.saveResults(results);
      const stored = await store.listResults({ runId: run.id });
      expect(stored).toHaveLength(3_000);
      expect(stored.at(-1)).toStrictEqual(results.at(-1));
      expect(stored.every((result) => result.scores.length === 3)).toBe(true);
    });

    it('writes a batch all or nothing', async () => {
      const run = await withRun();
      const batch = [makeResult(run.id), makeResult(unique('no-such-run'))];
      await expect(store.saveResults(batch)).rejects.toThrow();
      expect(await store.listResults({ runId: run.id })).toEqual([]);
      expect(await store.completedItemIds(run.id)).toEqual(new Set());
    });

    it('accepts an empty batch and an unknown run', async () => {
      await expect(store.saveResults([])).resolves.toBeUndefined();
      expect(await store.listResults({ runId: unique('missing') })).toEqual([]);
    });

    describeBrowsingContract(context);
    describeCostContract(context);
    describeHistoryContract(context);
    describeLeaseContract(context);
    describeAuditContract(context);
  });
}
