import { describe, expect, it } from 'vitest';
import { LocalAdmission } from './admission.js';
import type { Permit, RateLimiter } from './rate-limiter.js';

const permit: Permit = { succeeded() {}, refused() {}, failed() {} };

/** A limiter that admits `free` calls, then asks to wait `waitMs` and admits one more per wait. */
function scripted(free: number, waitMs: number): RateLimiter & { asked: number } {
  let left = free;
  let readyAt = 0;
  const limiter = {
    asked: 0,
    tryAcquire() {
      limiter.asked++;
      if (left > 0) {
        left--;
        return permit;
      }
      const now = performance.now();
      if (readyAt === 0) readyAt = now + waitMs;
      if (now >= readyAt) {
        readyAt = 0;
        return permit;
      }
      return { waitMs: readyAt - now };
    },
    effectiveRpm: () => undefined,
  };
  return limiter;
}

describe('LocalAdmission', () => {
  it('admits at once, without a promise, while the limiter allows', () => {
    const admission = new LocalAdmission(scripted(2, 10));
    const signal = new AbortController().signal;
    expect(admission.acquire(1, 0, signal)).toBe(permit);
    expect(admission.acquire(1, 0, signal)).toBe(permit);
    expect(admission.acquire(1, 0, signal)).toBeInstanceOf(Promise);
  });

  it('queues the callers that must wait and admits them in arrival order', async () => {
    const admission = new LocalAdmission(scripted(0, 5));
    const signal = new AbortController().signal;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map(async (caller) => {
        await admission.acquire(1, 0, signal);
        order.push(caller);
      }),
    );
    expect(order).toEqual([1, 2, 3]);
  });

  it('ends a wait when the signal aborts', async () => {
    const admission = new LocalAdmission(scripted(0, 60_000));
    const stop = new AbortController();
    const waiting = admission.acquire(1, 0, stop.signal);
    stop.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});
