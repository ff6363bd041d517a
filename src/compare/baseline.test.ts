import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import type { RunQuery, Store } from '../store/store.js';
import type { RunRecord } from '../types.js';
import { type GitLookup, resolveBaseline } from './baseline.js';
import { runNamed } from './test-helpers.js';

function run(id: string, startedAt: number, commit: string | null, overrides: Partial<RunRecord> = {}) {
  const base = runNamed(id);
  return runNamed(id, {
    startedAt,
    options: { ...base.options, suite: 'critical' },
    fingerprint: { ...base.fingerprint, gitCommit: commit },
    ...overrides,
  });
}

/** The two Store methods baseline lookup reads, over an in-memory list. */
function fakeStore(runs: RunRecord[]): Store {
  const store = {
    async getRun(id: string) {
      if (id === 'latest') return [...runs].sort((a, b) => b.startedAt - a.startedAt)[0];
      return runs.find((candidate) => candidate.id === id);
    },
    async listRuns(query: RunQuery) {
      return runs
        .filter((candidate) => query.suite === undefined || candidate.options.suite === query.suite)
        .filter((candidate) => query.statuses === undefined || query.statuses.includes(candidate.status))
        .sort((a, b) => b.startedAt - a.startedAt)
        .slice(0, query.limit)
        .map((candidate) => ({ run: candidate, stats: {} }));
    },
  };
  return store as unknown as Store;
}

function fakeGit(branches: Record<string, string[]>, refs: Record<string, string> = {}): GitLookup {
  return {
    async commitsOf(ref) {
      return branches[ref] ? new Set(branches[ref]) : null;
    },
    async resolveCommit(ref) {
      return refs[ref] ?? null;
    },
    async mergeBase(_a, b) {
      return branches[b]?.[0] ?? null;
    },
  };
}

const RUNS = [
  run('11110000-main-old', 1, 'c1'),
  run('22220000-main-new', 2, 'c2'),
  run('33330000-branch', 3, 'f1'),
  run('44440000-interrupted', 4, 'c2', { status: 'interrupted' }),
  run('55550000-other-suite', 5, 'c2', {
    options: { suite: 'nightly', filters: [], targets: [], repeat: 1 },
  }),
];

describe('resolveBaseline', () => {
  it('latest: the newest completed run of the same suite', async () => {
    const baseline = await resolveBaseline(fakeStore(RUNS), 'latest', 'critical', fakeGit({}));
    expect(baseline.run?.id).toBe('33330000-branch');
    expect(baseline.how).toBe('latest completed run of suite "critical"');
  });

  it('latest: none yet is a note, not an error', async () => {
    const baseline = await resolveBaseline(fakeStore([]), 'latest', 'critical', fakeGit({}));
    expect(baseline).toMatchObject({ run: null, note: 'no completed run of suite "critical" yet' });
  });

  it('latest-on-main: the newest completed run made on a commit of main', async () => {
    const baseline = await resolveBaseline(
      fakeStore(RUNS),
      'latest-on-main',
      'critical',
      fakeGit({ main: ['c2', 'c1'] }),
    );
    expect(baseline.run?.id).toBe('22220000-main-new');
    expect(baseline.how).toBe('latest completed run of suite "critical" on main');
  });

  it('latest-on-main: uses origin/main when there is no local main (a CI checkout)', async () => {
    const baseline = await resolveBaseline(
      fakeStore(RUNS),
      'latest-on-main',
      'critical',
      fakeGit({ 'origin/main': ['c1'] }),
    );
    expect(baseline.run?.id).toBe('11110000-main-old');
  });

  it('latest-on-main: falls back to latest, with a note, when git knows no main', async () => {
    const baseline = await resolveBaseline(fakeStore(RUNS), 'latest-on-main', 'critical', fakeGit({}));
    expect(baseline.run?.id).toBe('33330000-branch');
    expect(baseline.note).toMatch(/no main branch found/);
  });

  it('latest-on-main: no run on main is no baseline', async () => {
    const baseline = await resolveBaseline(
      fakeStore(RUNS),
      'latest-on-main',
      'critical',
      fakeGit({ main: ['zz'] }),
    );
    expect(baseline).toMatchObject({
      run: null,
      note: 'no completed run of suite "critical" was made on a commit of main',
    });
  });

  it('a run id or a unique prefix of one', async () => {
    const store = fakeStore(RUNS);
    expect((await resolveBaseline(store, '11110000-main-old', 'critical', fakeGit({}))).run?.id).toBe(
      '11110000-main-old',
    );
    expect((await resolveBaseline(store, '2222', 'critical', fakeGit({}))).run?.id).toBe('22220000-main-new');
  });

  it('a git ref: the newest completed run at the commit it names', async () => {
    const baseline = await resolveBaseline(
      fakeStore(RUNS),
      'v1.0',
      'critical',
      fakeGit({}, { 'v1.0': 'c1' }),
    );
    expect(baseline.run?.id).toBe('11110000-main-old');
    expect(baseline.how).toBe('latest completed run of suite "critical" at v1.0 (c1)');
  });

  it('neither a run nor a git ref is a usage error naming --baseline', async () => {
    const attempt = resolveBaseline(fakeStore(RUNS), 'nope', 'critical', fakeGit({}));
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toMatchObject({ location: '--baseline' });
  });
});
