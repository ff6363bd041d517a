import { expect, it } from 'vitest';
import type { ContractContext } from './test-helpers.js';

const TTL = 30_000;

/** Contract cases for run leases: one executor per run, and a dead one's claim lapses. */
export function describeLeaseContract({ store, withRun }: ContractContext): void {
  it('grants a free lease, and refuses a second owner, saying who holds it and until when', async () => {
    const run = await withRun();
    const now = 1_000_000;
    const first = await store().acquireRunLease({ runId: run.id, owner: 'host-a pid 1', now, ttlMs: TTL });
    expect(first).toStrictEqual({
      acquired: true,
      lease: {
        runId: run.id,
        owner: 'host-a pid 1',
        acquiredAt: now,
        heartbeatAt: now,
        expiresAt: now + TTL,
      },
    });
    const second = await store().acquireRunLease({
      runId: run.id,
      owner: 'host-b pid 2',
      now: now + 5_000,
      ttlMs: TTL,
    });
    expect(second).toStrictEqual({
      acquired: false,
      holder: {
        runId: run.id,
        owner: 'host-a pid 1',
        acquiredAt: now,
        heartbeatAt: now,
        expiresAt: now + TTL,
      },
    });
    // The holder asking again keeps it.
    const again = await store().acquireRunLease({
      runId: run.id,
      owner: 'host-a pid 1',
      now: now + 6_000,
      ttlMs: TTL,
    });
    expect(again.acquired).toBe(true);
  });

  it('renews a held lease past its first expiry, so nobody else can take it', async () => {
    const run = await withRun();
    const now = 2_000_000;
    await store().acquireRunLease({ runId: run.id, owner: 'a', now, ttlMs: TTL });
    expect(await store().renewRunLease({ runId: run.id, owner: 'a', now: now + 20_000, ttlMs: TTL })).toBe(
      true,
    );
    const refused = await store().acquireRunLease({
      runId: run.id,
      owner: 'b',
      now: now + TTL + 1,
      ttlMs: TTL,
    });
    expect(refused).toMatchObject({
      acquired: false,
      holder: { owner: 'a', acquiredAt: now, heartbeatAt: now + 20_000, expiresAt: now + 20_000 + TTL },
    });
    expect(await store().renewRunLease({ runId: run.id, owner: 'b', now: now + 21_000, ttlMs: TTL })).toBe(
      false,
    );
  });

  it('lets another owner take a lease whose owner stopped renewing, and the old owner then loses it', async () => {
    const run = await withRun();
    const now = 3_000_000;
    await store().acquireRunLease({ runId: run.id, owner: 'killed', now, ttlMs: TTL });
    const taken = await store().acquireRunLease({ runId: run.id, owner: 'next', now: now + TTL, ttlMs: TTL });
    expect(taken).toMatchObject({ acquired: true, lease: { owner: 'next', expiresAt: now + 2 * TTL } });
    expect(
      await store().renewRunLease({ runId: run.id, owner: 'killed', now: now + TTL + 1, ttlMs: TTL }),
    ).toBe(false);
  });

  it('takes a live lease over only from the holder named as dead', async () => {
    const run = await withRun();
    const now = 4_000_000;
    await store().acquireRunLease({ runId: run.id, owner: 'gone', now, ttlMs: TTL });
    const wrongName = await store().acquireRunLease({
      runId: run.id,
      owner: 'me',
      now: now + 1,
      ttlMs: TTL,
      replacing: 'someone else',
    });
    expect(wrongName).toMatchObject({ acquired: false, holder: { owner: 'gone' } });
    const replaced = await store().acquireRunLease({
      runId: run.id,
      owner: 'me',
      now: now + 1,
      ttlMs: TTL,
      replacing: 'gone',
    });
    expect(replaced).toMatchObject({ acquired: true, lease: { owner: 'me' } });
  });

  it('frees a released lease for the next owner; releasing what one does not hold changes nothing', async () => {
    const run = await withRun();
    const now = 5_000_000;
    await store().acquireRunLease({ runId: run.id, owner: 'a', now, ttlMs: TTL });
    await store().releaseRunLease(run.id, 'b');
    expect(
      await store().acquireRunLease({ runId: run.id, owner: 'b', now: now + 1, ttlMs: TTL }),
    ).toMatchObject({
      acquired: false,
    });
    await store().releaseRunLease(run.id, 'a');
    expect(await store().renewRunLease({ runId: run.id, owner: 'a', now: now + 2, ttlMs: TTL })).toBe(false);
    expect(
      await store().acquireRunLease({ runId: run.id, owner: 'b', now: now + 2, ttlMs: TTL }),
    ).toMatchObject({
      acquired: true,
    });
  });

  it('keeps leases of different runs apart, and rejects a lease without a duration', async () => {
    const one = await withRun();
    const two = await withRun();
    await store().acquireRunLease({ runId: one.id, owner: 'a', now: 1, ttlMs: TTL });
    expect(await store().acquireRunLease({ runId: two.id, owner: 'b', now: 1, ttlMs: TTL })).toMatchObject({
      acquired: true,
    });
    await expect(store().acquireRunLease({ runId: one.id, owner: 'a', now: 1, ttlMs: 0 })).rejects.toThrow(
      'got `0` (number)',
    );
  });
}
