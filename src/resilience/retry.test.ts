import { describe, expect, it, vi } from 'vitest';
import { ProviderError, type ProviderErrorKind } from '../errors.js';
import { DEFAULT_RETRY_POLICY, RetryError, retryDelayMs, retryPolicy, withRetry } from './retry.js';

const FAST = retryPolicy({ maxRetries: 3, baseDelayMs: 1, maxDelayMs: 4, maxHintMs: 50 });

function failing(kind: ProviderErrorKind, retryAfterMs?: number): ProviderError {
  return new ProviderError(kind, `${kind} failure`, {
    status: kind === 'rate_limit' || kind === 'quota' ? 429 : 500,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** An attempt function that throws the given errors in turn, then answers `ok`. */
function script(...errors: Error[]) {
  return vi.fn(async (attempt: number) => {
    const error = errors[attempt - 1];
    if (error) throw error;
    return `ok after ${attempt}`;
  });
}

async function retryError(promise: Promise<unknown>): Promise<RetryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RetryError);
  return error as RetryError;
}

describe('retryPolicy', () => {
  it('fills in the defaults', () => {
    expect(retryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
    expect(retryPolicy({ maxRetries: 0 })).toEqual({ ...DEFAULT_RETRY_POLICY, maxRetries: 0 });
  });

  it.each([
    [{ maxRetries: -1 }, 'Expected `maxRetries` to be a number from 0 and up, got `-1` (number)'],
    [{ baseDelayMs: Number.NaN }, 'Expected `baseDelayMs` to be a number from 0 and up, got `NaN` (number)'],
    [{ maxDelayMs: Number.POSITIVE_INFINITY }, 'got `Infinity` (number)'],
    [
      { maxHintMs: '5' as unknown as number },
      'Expected `maxHintMs` to be a number from 0 and up, got `5` (string)',
    ],
  ])('rejects %j, quoting the value', (overrides, message) => {
    expect(() => retryPolicy(overrides)).toThrow(RangeError);
    expect(() => retryPolicy(overrides)).toThrow(message);
  });
});

describe('retryDelayMs', () => {
  const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });

  it('draws full jitter between 0 and the exponential step', () => {
    expect(retryDelayMs(policy, 0, undefined, () => 0)).toBe(0);
    expect(retryDelayMs(policy, 0, undefined, () => 0.5)).toBe(50);
    expect(retryDelayMs(policy, 0, undefined, () => 0.999)).toBeCloseTo(99.9);
    expect(retryDelayMs(policy, 2, undefined, () => 0.5)).toBe(200);
    expect(retryDelayMs(policy, 3, undefined, () => 0.999)).toBeCloseTo(799.2);
  });

  it('caps the step at maxDelayMs', () => {
    expect(retryDelayMs(policy, 4, undefined, () => 0.999)).toBeCloseTo(999);
    expect(retryDelayMs(policy, 30, undefined, () => 0.5)).toBe(500);
  });

  it('never waits less than the server hint, and jitters above a smaller one', () => {
    expect(retryDelayMs(policy, 0, 5000, () => 0.999)).toBe(5000);
    expect(retryDelayMs(policy, 3, 10, () => 0.5)).toBe(400);
    expect(retryDelayMs(policy, 0, 0, () => 0)).toBe(0);
  });
});

describe('withRetry', () => {
  it('returns the first success with its attempt count', async () => {
    const attempt = script();
    expect(await withRetry(FAST, attempt)).toEqual({ value: 'ok after 1', attempts: 1 });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it.each(['transient', 'rate_limit', 'timeout'] as const)('retries a %s error', async (kind) => {
    const error = failing(kind);
    const attempt = script(error, failing(kind));
    const onRetry = vi.fn();
    expect(await withRetry(FAST, attempt, { onRetry, random: () => 0.5 })).toEqual({
      value: 'ok after 3',
      attempts: 3,
    });
    expect(attempt.mock.calls.map(([number]) => number)).toEqual([1, 2, 3]);
    // Delays: half of 1 ms, then half of 2 ms.
    expect(onRetry.mock.calls).toEqual([
      [1, 0.5, error],
      [2, 1, expect.any(ProviderError)],
    ]);
  });

  it('stops after maxRetries and throws a RetryError with the last error and the attempts', async () => {
    const last = failing('transient');
    const attempt = script(failing('transient'), failing('rate_limit'), failing('timeout'), last);
    const error = await retryError(withRetry(FAST, attempt));
    expect(error.attempts).toBe(4);
    expect(error.error).toBe(last);
    expect(error.cause).toBe(last);
    expect(error.message).toBe('transient failure');
    expect(attempt).toHaveBeenCalledTimes(4);
  });

  it('makes one attempt when maxRetries is 0', async () => {
    const attempt = script(failing('transient'));
    expect((await retryError(withRetry({ ...FAST, maxRetries: 0 }, attempt))).attempts).toBe(1);
  });

  it.each(['permanent', 'quota'] as const)('never retries a %s error', async (kind) => {
    const attempt = script(failing(kind));
    const onRetry = vi.fn();
    const error = await retryError(withRetry(FAST, attempt, { onRetry }));
    expect(error.attempts).toBe(1);
    expect(error.error.kind).toBe(kind);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('waits at least the server hint when it is within maxHintMs', async () => {
    const onRetry = vi.fn();
    const result = await withRetry(FAST, script(failing('rate_limit', 20)), { onRetry, random: () => 0 });
    expect(result.attempts).toBe(2);
    expect(onRetry).toHaveBeenCalledWith(1, 20, expect.any(ProviderError));
  });

  it('waits only the server hint for a rate-limited attempt when a limiter admits every attempt', async () => {
    const policy = retryPolicy({ maxRetries: 3, baseDelayMs: 100, maxDelayMs: 400, maxHintMs: 50 });
    const onRetry = vi.fn();
    const errors = [failing('rate_limit', 20), failing('rate_limit'), failing('transient')];
    const result = await withRetry(policy, script(...errors), { onRetry, random: () => 0.5, admitted: true });
    expect(result.attempts).toBe(4);
    // The hint, not the backoff above it (50 ms); with no hint, or for a server error, the usual backoff.
    expect(onRetry).toHaveBeenNthCalledWith(1, 1, 20, expect.any(ProviderError));
    expect(onRetry).toHaveBeenNthCalledWith(2, 2, 100, expect.any(ProviderError));
    expect(onRetry).toHaveBeenNthCalledWith(3, 3, 200, expect.any(ProviderError));
  });

  it('still gives up on a hint over maxHintMs when a limiter admits every attempt', async () => {
    const error = await retryError(withRetry(FAST, script(failing('rate_limit', 51)), { admitted: true }));
    expect(error.attempts).toBe(1);
  });

  it('gives up at once when the server asks to wait longer than maxHintMs', async () => {
    const attempt = script(failing('rate_limit', 51));
    const error = await retryError(withRetry(FAST, attempt));
    expect(error.attempts).toBe(1);
    expect(error.error.retryAfterMs).toBe(51);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('rethrows errors that are not ProviderErrors without retrying', async () => {
    const bug = new TypeError('cannot read property of undefined');
    const attempt = script(bug);
    await expect(withRetry(FAST, attempt)).rejects.toBe(bug);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('stops waiting when the signal aborts during the backoff', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const attempt = script(failing('transient'), failing('transient'));
    // A one-minute backoff that only an abort can cut short (the test would time out otherwise).
    const slow = retryPolicy({ maxRetries: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 });
    const run = withRetry(slow, attempt, {
      signal: controller.signal,
      random: () => 1,
      onRetry: () => setImmediate(() => controller.abort(reason)),
    });
    await expect(run).rejects.toBe(reason);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('does not retry when the signal is already aborted after a failure', async () => {
    const controller = new AbortController();
    const attempt = vi.fn(async () => {
      controller.abort();
      throw failing('timeout');
    });
    const error = await retryError(withRetry(FAST, attempt, { signal: controller.signal }));
    expect(error.attempts).toBe(1);
    expect(error.error.kind).toBe('timeout');
  });
});

describe('withRetry item deadline', () => {
  it('gives up instead of waiting past maxElapsedMs, keeping the last error and attempt count', async () => {
    let clock = 0;
    const policy = retryPolicy({ maxRetries: 10, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 50 });
    let calls = 0;
    const failing = async () => {
      calls++;
      clock += 10; // each attempt takes 10 (simulated) ms
      throw new ProviderError('rate_limit', 'slow down', { retryAfterMs: 15 });
    };
    const outcome = withRetry(policy, failing, {
      now: () => clock,
      random: () => 0,
      onRetry: (_attempt, delayMs) => {
        clock += delayMs; // the wait, on the simulated clock
      },
    });
    const error = (await outcome.catch((caught: unknown) => caught)) as RetryError;
    expect(error).toBeInstanceOf(RetryError);
    // 10 + 15 wait + 10 = 35; another 15 ms wait would reach the 50 ms deadline, so no third attempt.
    expect(calls).toBe(2);
    expect(error.attempts).toBe(2);
    expect(error.error.message).toBe('slow down');
  });
});
