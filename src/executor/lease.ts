import os from 'node:os';
import { UserError } from '../errors.js';
import type { RunLeases } from '../store/store.js';

/** How long a lease holds without a heartbeat; heartbeats come three times per period. */
export const LEASE_TTL_MS = 30_000;

/** This process, as other processes see it in a refusal: `host pid 4242`. */
export function leaseOwner(): string {
  return `${os.hostname()} pid ${process.pid}`;
}

/** A holder on this machine whose process is gone: its lease can be taken without waiting for expiry. */
function deadLocalOwner(owner: string): boolean {
  const match = /^(.*) pid (\d+)$/.exec(owner);
  if (!match || match[1] !== os.hostname() || Number(match[2]) === process.pid) return false;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface HeldLease extends AsyncDisposable {
  /** Aborts when another process took the lease over (this one stalled past the expiry). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/**
 * Takes the run's lease and renews it until released (or disposed: `await using`). Refuses with a
 * UserError naming the holder when another live process executes the run.
 */
export async function holdRunLease(
  store: RunLeases,
  runId: string,
  options: { owner?: string; ttlMs?: number; now?: () => number } = {},
): Promise<HeldLease> {
  const owner = options.owner ?? leaseOwner();
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  const now = options.now ?? Date.now;
  let outcome = await store.acquireRunLease({ runId, owner, now: now(), ttlMs });
  if (!outcome.acquired && deadLocalOwner(outcome.holder.owner)) {
    outcome = await store.acquireRunLease({
      runId,
      owner,
      now: now(),
      ttlMs,
      replacing: outcome.holder.owner,
    });
  }
  if (!outcome.acquired) {
    const { holder } = outcome;
    const ago = Math.max(0, Math.round((now() - holder.heartbeatAt) / 1000));
    throw new UserError(
      `run ${runId} is being executed by ${holder.owner} (heartbeat ${ago}s ago)`,
      '--resume',
      `wait, or if that process is gone, retry after ${new Date(holder.expiresAt).toISOString()}`,
    );
  }

  const lost = new AbortController();
  const timer = setInterval(() => {
    store.renewRunLease({ runId, owner, now: now(), ttlMs }).then(
      (held) => {
        if (!held) lost.abort(new Error(`the lease of run ${runId} was taken over by another process`));
      },
      // A failed renewal is retried at the next beat; the store's own errors surface in the writes.
      () => {},
    );
  }, ttlMs / 3);
  timer.unref();
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    // When the store is gone (the reason a run may be ending), the lease lapses at its expiry.
    await store.releaseRunLease(runId, owner).catch(() => {});
  };
  return { lost: lost.signal, release, [Symbol.asyncDispose]: release };
}
