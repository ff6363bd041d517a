import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../errors.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { makeRun } from '../store/test-helpers.js';
import { holdRunLease, leaseOwner } from './lease.js';

describe('holdRunLease', () => {
  let store: SqliteStore;
  const run = makeRun();

  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
    await store.createRun(run);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
  });

  it('refuses a second executor with the holder, its heartbeat age and when to retry', async () => {
    const now = Date.UTC(2026, 11, 8, 10, 0, 0);
    await holdRunLease(store, run.id, { owner: 'ci-runner-3 pid 77', now: () => now });
    const refused = holdRunLease(store, run.id, { owner: 'laptop pid 5', now: () => now + 12_000 });
    await expect(refused).rejects.toBeInstanceOf(UserError);
    await expect(refused).rejects.toMatchObject({
      message: `run ${run.id} is being executed by ci-runner-3 pid 77 (heartbeat 12s ago)`,
      hint: 'wait, or if that process is gone, retry after 2026-12-08T10:00:30.000Z',
    });
  });

  it('takes over at once from a process of this machine that is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await store.acquireRunLease({
      runId: run.id,
      owner: `${os.hostname()} pid ${gone}`,
      now: Date.now(),
      ttlMs: 60_000,
    });
    const lease = await holdRunLease(store, run.id);
    await lease.release();
    // A live process of this machine (this one, under another name) is not taken over.
    await store.acquireRunLease({ runId: run.id, owner: leaseOwner(), now: Date.now(), ttlMs: 60_000 });
    await expect(holdRunLease(store, run.id, { owner: 'other pid 1' })).rejects.toThrow(/being executed by/);
  });

  it('renews while held, frees the run when disposed, and signals when taken over', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    {
      await using lease = await holdRunLease(store, run.id, { owner: 'a', ttlMs: 3_000 });
      await vi.advanceTimersByTimeAsync(5_000);
      // Renewed: past its first expiry, nobody else can take it.
      expect(
        await store.acquireRunLease({ runId: run.id, owner: 'b', now: Date.now(), ttlMs: 3_000 }),
      ).toMatchObject({ acquired: false, holder: { owner: 'a' } });
      expect(lease.lost.aborted).toBe(false);
    }
    const next = await holdRunLease(store, run.id, { owner: 'b', ttlMs: 3_000 });
    expect(next.lost.aborted).toBe(false);
    // 'b' stalls: 'c' takes the expired lease, and 'b' learns at its next heartbeat.
    await store.acquireRunLease({ runId: run.id, owner: 'c', now: Date.now() + 3_000, ttlMs: 3_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(next.lost.aborted).toBe(true);
    await next.release();
  });
});
