import { ProviderError } from '../errors.js';
import { sleep } from './semaphore.js';

export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  maxRetries: number;
  /** First backoff step. @default 500 */
  baseDelayMs: number;
  /** Largest backoff step before jitter. @default 8000 */
  maxDelayMs: number;
  /** Largest server hint honoured; a longer retry-after fails the item instead of stalling the run. @default 60000 */
  maxHintMs: number;
  /** Wall time one item may spend across all its attempts and waits; no retry starts past it. @default 600000 */
  maxElapsedMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxHintMs: 60_000,
  maxElapsedMs: 600_000,
};

/** Validates a policy when built and quotes the bad value. */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  for (const [key, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `Expected \`${key}\` to be a number from 0 and up, got \`${String(value)}\` (${typeof value})`,
      );
    }
  }
  return policy;
}

/**
 * Delay before retry number `retry` (0-based): full jitter over an exponential step, but never
 * less than the server's hint.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  hintMs: number | undefined,
  random: () => number,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = random() * step;
  return Math.max(hintMs ?? 0, jittered);
}

export interface AttemptRecord {
  /** 1-based attempt number. */
  attempt: number;
  error?: ProviderError;
}

export interface RetryHooks {
  signal?: AbortSignal;
  /**
   * A rate limiter in front of every attempt paces the lane, so a rate-limited attempt with a
   * server hint waits just that, with no backoff of its own (the limiter already slows the lane
   * down); without a hint it backs off as usual, so it cannot spend its retries at once. A hint over
   * `maxHintMs` still fails the item.
   */
  admitted?: boolean;
  random?: () => number;
  now?: () => number;
  /** Called after every failed attempt that will be retried, with the chosen delay. */
  onRetry?: (attempt: number, delayMs: number, error: ProviderError) => void;
}

/** Thrown when the last attempt failed; carries the classified error and the attempt count. */
export class RetryError extends Error {
  override name = 'RetryError';
  constructor(
    readonly error: ProviderError,
    readonly attempts: number,
  ) {
    super(error.message, { cause: error });
  }
}

/**
 * The one retry loop. Retries rate limits, transient errors and timeouts; never permanent or quota
 * errors; gives up when a server hint exceeds `maxHintMs`. Non-ProviderErrors are not retried.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
  hooks: RetryHooks = {},
): Promise<{ value: T; attempts: number }> {
  const random = hooks.random ?? Math.random;
  const now = hooks.now ?? Date.now;
  const deadline = now() + policy.maxElapsedMs;
  for (let retry = 0; ; retry++) {
    try {
      return { value: await attempt(retry + 1), attempts: retry + 1 };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      const hint = error.retryAfterMs;
      const giveUp =
        !error.retryable || retry >= policy.maxRetries || (hint !== undefined && hint > policy.maxHintMs);
      if (giveUp || hooks.signal?.aborted) throw new RetryError(error, retry + 1);
      const delay =
        hooks.admitted && error.kind === 'rate_limit' && hint !== undefined
          ? hint
          : retryDelayMs(policy, retry, hint, random);
      // A retry that could not start before the item's deadline is not worth waiting for.
      if (now() + delay >= deadline) throw new RetryError(error, retry + 1);
      hooks.onRetry?.(retry + 1, delay, error);
      if (delay > 0) await sleep(delay, hooks.signal);
    }
  }
}
