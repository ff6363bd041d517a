import { expect, it } from 'vitest';
import type { CostDimension, CostRow } from './store.js';
import { type ContractContext, makeResult, makeTarget, unique } from './test-helpers.js';

const at = (iso: string): number => Date.parse(iso);

function row(
  key: string,
  costUsd: number,
  judgeCostUsd: number,
  savedUsd: number,
  calls: number,
  cachedCalls: number,
): CostRow {
  return { key, costUsd, judgeCostUsd, savedUsd, calls, cachedCalls };
}

/** Contract cases for cost breakdowns. Amounts are binary fractions, so every sum is exact. */
export function describeCostContract({ store, withRun }: ContractContext): void {
  it('breaks costs down by every dimension, within the time window', async () => {
    // A window far in the future, which no other test writes into.
    const since = at('2199-12-29T00:00:00Z');
    const until = at('2200-01-07T00:00:00Z');
    const suite = unique('suite');
    const [mini, haiku, big] = [
      makeTarget({ providerId: 'openai:gpt-4o-mini', version: 'v1' }),
      makeTarget({ providerId: 'anthropic:claude-3-5-haiku', version: 'v1' }),
      makeTarget({ providerId: 'openai:gpt-4o', version: 'v1' }),
    ];
    // A target version that was never stored has no provider.
    const ghost = unique('ghost');
    await store().saveVersions({ tasks: [], prompts: [], targets: [mini!, haiku!, big!] });
    const [one, two] = [unique('task-1'), unique('task-2')];
    const ana = await withRun({ user: 'ana', options: { suite, filters: [], targets: [], repeat: 1 } });
    const nobody = await withRun({
      user: null,
      options: { suite: null, filters: [], targets: [], repeat: 1 },
    });
    const result = (
      run: string,
      target: string,
      task: string,
      createdAt: string,
      overrides: Parameters<typeof makeResult>[1] = {},
    ) =>
      makeResult(run, {
        targetName: target,
        targetVersion: target === ghost ? 'v9' : 'v1',
        taskId: task,
        createdAt: at(createdAt),
        ...overrides,
      });
    await store().saveResults([
      result(ana.id, mini!.name, one, '2199-12-29T12:00:00Z', { costUsd: 0.5, judgeCostUsd: 0.125 }),
      result(ana.id, haiku!.name, two, '2199-12-30T00:00:00Z', { costUsd: 0.25 }),
      result(nobody.id, big!.name, one, '2199-12-31T08:00:00Z', { costUsd: 0, savedUsd: 1, cached: true }),
      result(nobody.id, mini!.name, two, '2200-01-01T23:00:00Z', { costUsd: 2, judgeCostUsd: 0.25 }),
      result(ana.id, ghost, one, '2200-01-06T00:00:00Z', { costUsd: 0.0625 }),
      result(nobody.id, mini!.name, one, '2200-01-06T23:59:59.999Z', {
        status: 'error',
        costUsd: null,
        error: { category: 'timeout', message: 'slow' },
      }),
      // Not calls, or outside [since, until).
      result(ana.id, mini!.name, one, '2200-01-02T00:00:00Z', {
        status: 'error',
        costUsd: null,
        error: { category: 'skipped_budget', message: 'over budget' },
      }),
      result(ana.id, mini!.name, one, '2200-01-07T00:00:00Z', { costUsd: 100 }),
      result(ana.id, mini!.name, one, '2199-12-28T23:59:59.999Z', { costUsd: 100 }),
    ]);
    const breakdown = (by: CostDimension) => store().costBreakdown({ since, until, by });

    expect(await breakdown('provider')).toStrictEqual([
      row('openai', 2.5, 0.375, 1, 4, 1),
      row('anthropic', 0.25, 0, 0, 1, 0),
      row('unknown', 0.0625, 0, 0, 1, 0),
    ]);
    expect(await breakdown('model')).toStrictEqual([
      row('openai:gpt-4o-mini', 2.5, 0.375, 0, 3, 0),
      row('anthropic:claude-3-5-haiku', 0.25, 0, 0, 1, 0),
      row('unknown', 0.0625, 0, 0, 1, 0),
      row('openai:gpt-4o', 0, 0, 1, 1, 1),
    ]);
    expect(await breakdown('target')).toStrictEqual([
      row(mini!.name, 2.5, 0.375, 0, 3, 0),
      row(haiku!.name, 0.25, 0, 0, 1, 0),
      row(ghost, 0.0625, 0, 0, 1, 0),
      row(big!.name, 0, 0, 1, 1, 1),
    ]);
    expect(await breakdown('task')).toStrictEqual([
      row(two, 2.25, 0.25, 0, 2, 0),
      row(one, 0.5625, 0.125, 1, 4, 1),
    ]);
    expect(await breakdown('suite')).toStrictEqual([
      row('(none)', 2, 0.25, 1, 3, 1),
      row(suite, 0.8125, 0.125, 0, 3, 0),
    ]);
    expect(await breakdown('user')).toStrictEqual([
      row('unknown', 2, 0.25, 1, 3, 1),
      row('ana', 0.8125, 0.125, 0, 3, 0),
    ]);
    expect(await breakdown('day')).toStrictEqual([
      row('2199-12-29', 0.5, 0.125, 0, 1, 0),
      row('2199-12-30', 0.25, 0, 0, 1, 0),
      row('2199-12-31', 0, 0, 1, 1, 1),
      row('2200-01-01', 2, 0.25, 0, 1, 0),
      row('2200-01-06', 0.0625, 0, 0, 2, 0),
    ]);
    // 2199-12-29 is a Sunday; the Monday after starts ISO week 1 of 2200.
    expect(await breakdown('week')).toStrictEqual([
      row('2199-W52', 0.5, 0.125, 0, 1, 0),
      row('2200-W01', 2.25, 0.25, 1, 3, 1),
      row('2200-W02', 0.0625, 0, 0, 2, 0),
    ]);
    expect(await breakdown('month')).toStrictEqual([
      row('2199-12', 0.75, 0.125, 1, 3, 1),
      row('2200-01', 2.0625, 0.25, 0, 3, 0),
    ]);

    // Without `until`, everything from `since` on.
    expect(await store().costBreakdown({ since: at('2200-01-06T00:00:00Z'), by: 'target' })).toStrictEqual([
      row(mini!.name, 100, 0, 0, 2, 0),
      row(ghost, 0.0625, 0, 0, 1, 0),
    ]);
    expect(await store().costBreakdown({ since: until + 1, until: until + 2, by: 'day' })).toEqual([]);
  });

  it('rejects an unknown dimension, quoting it', async () => {
    await expect(store().costBreakdown({ since: 0, by: 'year' as CostDimension })).rejects.toThrow(
      'got `year` (string)',
    );
  });
}
