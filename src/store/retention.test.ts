import { describe, expect, it } from 'vitest';
import { baselineRunIds, pruneRuns } from './retention.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { makeResult, makeRun } from './test-helpers.js';

const day = 86_400_000;

describe('baselineRunIds', () => {
  it('keeps the newest completed run of each suite, and the newest on main', () => {
    const run = (id: string, suite: string | null, status: 'completed' | 'failed', commit: string) =>
      makeRun({
        id,
        status,
        options: { suite, filters: [], targets: [], repeat: 1 },
        fingerprint: { ...makeRun().fingerprint, gitCommit: commit },
      });
    const runs = [
      run('new-failed', 'a', 'failed', 'c9'),
      run('new-branch', 'a', 'completed', 'branch'),
      run('old-main', 'a', 'completed', 'm1'),
      run('older-main', 'a', 'completed', 'm0'),
      run('b-only', 'b', 'completed', 'x'),
      run('no-suite', null, 'completed', 'y'),
    ];
    expect(baselineRunIds(runs, new Set(['m0', 'm1']))).toEqual(
      new Set(['new-branch', 'old-main', 'b-only', 'no-suite']),
    );
    expect(baselineRunIds(runs, null)).toEqual(new Set(['new-branch', 'b-only', 'no-suite']));
  });
});

describe('pruneRuns', () => {
  it('removes runs older than the cutoff with their results, keeping baselines when asked', async () => {
    const store = await SqliteStore.open(':memory:');
    try {
      const now = Date.UTC(2026, 11, 8);
      const options = { suite: 'critical', filters: [], targets: [], repeat: 1 };
      const ancient = makeRun({ id: 'ancient', startedAt: now - 400 * day, status: 'completed', options });
      const baseline = makeRun({ id: 'baseline', startedAt: now - 200 * day, status: 'completed', options });
      const recent = makeRun({ id: 'recent', startedAt: now - 10 * day, status: 'failed', options });
      for (const run of [ancient, baseline, recent]) {
        await store.createRun(run);
        await store.saveResults([makeResult(run.id), makeResult(run.id)]);
      }
      const report = await pruneRuns(store, {
        before: now - 180 * day,
        keepBaselines: true,
        commitsOnMain: null,
        actor: 'ana',
        olderThan: '180d',
      });
      expect(report).toEqual({
        runs: 1,
        results: 2,
        scores: 2,
        removed: ['ancient'],
        keptBaselines: ['baseline'],
      });
      expect((await store.listRuns({})).map(({ run }) => run.id)).toEqual(['recent', 'baseline']);
      expect(await store.listAudit({ action: 'run.prune' })).toMatchObject([
        { subject: 'ancient', actor: 'ana', details: { results: 2, olderThan: '180d', keepBaselines: true } },
      ]);

      const all = await pruneRuns(store, {
        before: now,
        keepBaselines: false,
        commitsOnMain: null,
        actor: 'ana',
        olderThan: '0d',
      });
      expect(all.removed).toEqual(['baseline', 'recent']);
      expect(await store.listRuns({})).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
