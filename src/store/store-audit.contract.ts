import { expect, it } from 'vitest';
import { type ContractContext, makeResult, makeVersions, unique } from './test-helpers.js';

/** Contract cases for the audit log and for deleting runs (retention). */
export function describeAuditContract({ store, withRun }: ContractContext): void {
  const auditOf = async (subject: string) =>
    (await store().listAudit({})).filter((entry) => entry.subject === subject);

  it('audits archiving and restoring a task when an actor is given, with the change', async () => {
    const task = unique('task');
    await store().archiveTask(task, 1_000, 'ana@example.com');
    await store().archiveTask(task, 2_000, 'ana@example.com');
    await store().restoreTask(task, 'bo');
    // Restoring a task that is not archived changes nothing, and records nothing.
    await store().restoreTask(task, 'bo');
    const quiet = unique('task');
    await store().archiveTask(quiet, 1_000);
    const entries = await auditOf(task);
    expect(entries.map(({ action, actor, at }) => ({ action, actor, at }))).toEqual([
      { action: 'task.archive', actor: 'ana@example.com', at: 1_000 },
      { action: 'task.archive', actor: 'ana@example.com', at: 2_000 },
      { action: 'task.restore', actor: 'bo', at: expect.any(Number) },
    ]);
    expect(entries[0]?.id).toEqual(expect.any(String));
    expect(await auditOf(quiet)).toEqual([]);
  });

  it('audits the results a retry deletes, with how many', async () => {
    const run = await withRun();
    await store().saveResults([makeResult(run.id, { itemId: 'a' }), makeResult(run.id, { itemId: 'b' })]);
    expect(await store().deleteResults(run.id, ['a', 'missing'], 'ci-bot')).toBe(1);
    expect(await auditOf(run.id)).toMatchObject([
      { action: 'run.retry', actor: 'ci-bot', details: { results: 1, scores: 1 } },
    ]);
  });

  it('deletes runs with their results, scores and leases (not versions), audited per run', async () => {
    const versions = makeVersions();
    await store().saveVersions(versions);
    const [gone, alsoGone, kept] = [await withRun(), await withRun(), await withRun()];
    await store().saveResults([
      makeResult(gone.id, { taskId: versions.tasks[0]!.id }),
      makeResult(gone.id),
      makeResult(alsoGone.id),
      makeResult(kept.id),
    ]);
    await store().acquireRunLease({ runId: gone.id, owner: 'x', now: 1, ttlMs: 10 });
    const removed = await store().deleteRuns([gone.id, alsoGone.id, unique('missing')], {
      actor: 'ana',
      action: 'run.prune',
      details: { olderThan: '180d' },
    });
    expect(removed).toEqual({ runs: 2, results: 3, scores: 3 });
    expect(await store().getRun(gone.id)).toBeUndefined();
    expect(await store().listResults({ runId: gone.id })).toEqual([]);
    expect(await store().listResults({ runId: kept.id })).toHaveLength(1);
    expect(await store().taskHistory(versions.tasks[0]!.id)).toHaveLength(2);
    expect(await auditOf(gone.id)).toMatchObject([
      { action: 'run.prune', actor: 'ana', details: { results: 2, scores: 2, olderThan: '180d' } },
    ]);
    expect(await auditOf(alsoGone.id)).toMatchObject([{ action: 'run.prune', details: { results: 1 } }]);
    expect(await store().deleteRuns([], { actor: 'ana', action: 'run.delete' })).toEqual({
      runs: 0,
      results: 0,
      scores: 0,
    });
  });

  it('lists audit entries oldest first, by time and action, and records outside changes', async () => {
    // Far in the future: no other test's entries are there, even in a shared database.
    const base = Date.now() + 50 * 365 * 86_400_000;
    const subject = unique('tasks/added.yaml');
    for (const [offset, action] of [
      [2, 'task.add'],
      [1, 'task.add'],
      [3, 'cache.clear'],
    ] as const) {
      await store().recordAudit({ at: base + offset, actor: 'ana', action, subject, details: { n: offset } });
    }
    const since = await store().listAudit({ since: base });
    expect(since.map((entry) => entry.details.n)).toEqual([1, 2, 3]);
    expect((await store().listAudit({ since: base, action: 'task.add' })).map((entry) => entry.at)).toEqual([
      base + 1,
      base + 2,
    ]);
    expect(await store().listAudit({ since: base, limit: 1 })).toHaveLength(1);
    await expect(store().listAudit({ since: Number.NaN })).rejects.toThrow('got `NaN` (number)');
  });
}
