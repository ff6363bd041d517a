import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, type Permit } from './rate-limiter.js';

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function isPermit(value: Permit | { waitMs: number }): value is Permit {
  return !('waitMs' in value);
}

/** How many calls a limiter admits over `ms` of simulated time, asking every 10 ms. */
function admittedOver(
  limiter: AdaptiveRateLimiter,
  time: ReturnType<typeof clock>,
  ms: number,
  tokens = 0,
): number {
  let admitted = 0;
  for (let elapsed = 0; elapsed < ms; elapsed += 10) {
    while (isPermit(limiter.tryAcquire(tokens))) admitted++;
    time.advance(10);
  }
  return admitted;
}

describe('AdaptiveRateLimiter', () => {
  it('paces requests at the configured RPM (less the safety margin), with at most one second of burst', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ rpm: 1200, safety: 1, now: time.now });
    // 60 s at 1200 RPM: 1200 calls plus the initial one-second burst of 20.
    const admitted = admittedOver(limiter, time, 60_000);
    expect(admitted).toBeGreaterThanOrEqual(1200);
    expect(admitted).toBeLessThanOrEqual(1221);
  });

  it('says how long to wait instead of blocking', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ rpm: 60, safety: 1, now: time.now });
    expect(isPermit(limiter.tryAcquire(0))).toBe(true);
    const denied = limiter.tryAcquire(0);
    expect(denied).toEqual({ waitMs: 1000 });
  });

  it('reserves estimated tokens against TPM and reconciles with actual usage', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ tpm: 6000, safety: 1, now: time.now }); // 100 tokens per second
    const first = limiter.tryAcquire(80);
    expect(isPermit(first)).toBe(true);
    expect(isPermit(limiter.tryAcquire(80))).toBe(false);
    // The call used only 10 tokens: 70 come back, so another 80-token call fits.
    (first as Permit).settle(10);
    expect(isPermit(limiter.tryAcquire(80))).toBe(true);
  });

  it('halves the rate on a 429 and pauses for the retry-after, then grows back with successes', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ rpm: 600, safety: 1, now: time.now });
    expect(limiter.effectiveRpm()).toBe(600);
    limiter.onRateLimited(2000);
    expect(limiter.effectiveRpm()).toBe(300);
    expect(limiter.tryAcquire(0)).toEqual({ waitMs: 2000 });
    time.advance(2000);
    for (let index = 0; index < 10; index++) limiter.onSuccess();
    expect(limiter.effectiveRpm()).toBeCloseTo(330, 6);
    for (let index = 0; index < 200; index++) limiter.onSuccess();
    expect(limiter.effectiveRpm()).toBe(600);
  });

  it('learns a limit from headers when none is configured, and trusts the server when it says none is left', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ now: time.now, safety: 1 });
    expect(limiter.effectiveRpm()).toBeUndefined();
    expect(isPermit(limiter.tryAcquire(0))).toBe(true);
    limiter.onSuccess({ limitRequests: 120, remainingRequests: 0, resetRequestsMs: 1500 });
    expect(limiter.effectiveRpm()).toBe(120);
    expect(limiter.tryAcquire(0)).toEqual({ waitMs: 1500 });
  });

  it('validates its options and quotes the bad value', () => {
    expect(() => new AdaptiveRateLimiter({ rpm: 0 })).toThrow(
      'Expected `rpm` to be a number above 0, got `0` (number)',
    );
    expect(() => new AdaptiveRateLimiter({ tpm: Number.NaN })).toThrow(/`tpm`/);
  });
});

describe('learned limits', () => {
  it('allow the whole minute as burst (the server’s remaining count corrects it), unlike a configured one', () => {
    const time = { now: 0 };
    const learned = new AdaptiveRateLimiter({ now: () => time.now, safety: 1 });
    learned.onSuccess({ limitRequests: 600 });
    let admitted = 0;
    while (!('waitMs' in learned.tryAcquire(0)) && admitted < 10_000) admitted++;
    expect(admitted).toBe(600);
    const configured = new AdaptiveRateLimiter({ rpm: 600, now: () => time.now, safety: 1 });
    let paced = 0;
    while (!('waitMs' in configured.tryAcquire(0)) && paced < 10_000) paced++;
    expect(paced).toBe(10);
  });
});

describe('split input/output token buckets (Anthropic ITPM/OTPM)', () => {
  it('reserves input and output separately, and settles each with the real usage', () => {
    const time = clock();
    // 60 input and 6 output tokens per second.
    const limiter = new AdaptiveRateLimiter({ itpm: 3600, otpm: 360, safety: 1, now: time.now });
    const first = limiter.tryAcquire(30 + 6, 6); // 30 in, 6 out: the output bucket is now empty
    expect(isPermit(first)).toBe(true);
    expect(isPermit(limiter.tryAcquire(10 + 1, 1))).toBe(false); // input fits, output does not
    (first as Permit).settle(30 + 2, 2); // only 2 output tokens were used: 4 come back
    expect(isPermit(limiter.tryAcquire(10 + 1, 1))).toBe(true);
  });

  it('learns both from headers and pauses when the server says output tokens are gone', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ now: time.now, safety: 1 });
    limiter.onSuccess({
      limitInputTokens: 40_000,
      limitOutputTokens: 8000,
      remainingOutputTokens: 0,
      resetOutputTokensMs: 3000,
    });
    expect(limiter.tryAcquire(100, 50)).toEqual({ waitMs: 3000 });
  });
});
