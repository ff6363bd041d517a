import type { Permit, RateLimiter } from './rate-limiter.js';
import { sleep } from './semaphore.js';

/**
 * Admission to a provider lane: when a call of this size may go. One contract, two homes: in memory
 * for one process (`LocalAdmission`), shared state for many workers later. A permit reports the
 * call's outcome (answer with its limit headers, 429, other failure) back to whoever admitted it.
 */
export interface Admission {
  /**
   * A permit for one call of `tokens` (of them `outputTokens` output), once the lane allows it. Only
   * this lane's callers wait; `signal` ends the wait. Answers at once (not a promise) when it can.
   */
  acquire(tokens: number, outputTokens: number, signal: AbortSignal): Permit | Promise<Permit>;
}

/** Admission in one process: the lane's rate limiter, with its waiters queued in arrival order. */
export class LocalAdmission implements Admission {
  readonly #limiter: RateLimiter;
  /** The tail of the queue of calls waiting for the limiter (they are admitted in order). */
  #queue: Promise<void> = Promise.resolve();

  constructor(limiter: RateLimiter) {
    this.#limiter = limiter;
  }

  acquire(tokens: number, outputTokens: number, signal: AbortSignal): Permit | Promise<Permit> {
    // Most calls are admitted at once: no promise, no queue.
    const immediate = this.#limiter.tryAcquire(tokens, outputTokens);
    return 'waitMs' in immediate ? this.#wait(tokens, outputTokens, signal) : immediate;
  }

  /** Waiters queue, so one timer at a time runs instead of every worker waking together. */
  async #wait(tokens: number, outputTokens: number, signal: AbortSignal): Promise<Permit> {
    const previous = this.#queue;
    let done!: () => void;
    this.#queue = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      await previous;
      for (;;) {
        const permit = this.#limiter.tryAcquire(tokens, outputTokens);
        if (!('waitMs' in permit)) return permit;
        await sleep(permit.waitMs, signal);
      }
    } finally {
      done();
    }
  }
}
