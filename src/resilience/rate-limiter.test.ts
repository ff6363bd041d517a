import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, type Permit } from './rate-limiter.js';
import { type ServerShape, SimulatedServer, simulate } from './test-helpers.js';

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function isPermit(value: Permit | { waitMs: number }): value is Permit {
  return !('waitMs' in value);
}

/** Every permit the limiter gives at once. */
function drain(limiter: AdaptiveRateLimiter, tokens = 0): Permit[] {
  const permits: Permit[] = [];
  for (let decision = limiter.tryAcquire(tokens); isPermit(decision); decision = limiter.tryAcquire(tokens)) {
    permits.push(decision);
  }
  return permits;
}

/** How many calls a limiter admits over `ms` of simulated time, asking every 10 ms. */
function admittedOver(limiter: AdaptiveRateLimiter, time: ReturnType<typeof clock>, ms: number): number {
  let admitted = 0;
  for (let elapsed = 0; elapsed < ms; elapsed += 10) {
    admitted += drain(limiter).length;
    time.advance(10);
  }
  return admitted;
}

describe('AdaptiveRateLimiter with configured limits', () => {
  it('rejects a bad limit, quoting it', () => {
    expect(() => new AdaptiveRateLimiter({ rpm: 0 })).toThrow(
      'Expected `rpm` to be a number above 0, got `0` (number)',
    );
    expect(() => new AdaptiveRateLimiter({ safety: 1.5 })).toThrow('got `1.5`');
  });

  it('paces requests at the configured RPM (less the safety margin), with at most one second of burst', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ rpm: 1200, safety: 1, now: time.now });
    const admitted = admittedOver(limiter, time, 60_000);
    expect(admitted).toBeGreaterThanOrEqual(1200);
    expect(admitted).toBeLessThanOrEqual(1221);
  });

  it('says how long to wait instead of blocking', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ rpm: 60, safety: 1, now: time.now });
    expect(isPermit(limiter.tryAcquire(0))).toBe(true);
    expect(limiter.tryAcquire(0)).toEqual({ waitMs: 1000 });
  });

  it('reserves estimated tokens against TPM and reconciles with actual usage', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ tpm: 6000, safety: 1, now: time.now }); // 100 tokens per second
    const first = limiter.tryAcquire(80);
    expect(isPermit(first)).toBe(true);
    expect(isPermit(limiter.tryAcquire(80))).toBe(false);
    // The call used only 10 tokens: 70 come back, so another 80-token call fits.
    (first as Permit).succeeded(undefined, 10);
    expect(isPermit(limiter.tryAcquire(80))).toBe(true);
  });

  it('gives the whole reservation back for a call that was never sent', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ rpm: 60, safety: 1, now: time.now });
    const permit = limiter.tryAcquire(0) as Permit;
    expect(isPermit(limiter.tryAcquire(0))).toBe(false);
    permit.failed(false);
    expect(isPermit(limiter.tryAcquire(0))).toBe(true);
  });

  it('keeps pacing a configured limit evenly when the server reports a large budget', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ rpm: 60, safety: 1, now: time.now });
    (limiter.tryAcquire(0) as Permit).succeeded({
      limitRequests: 30_000,
      remainingRequests: 29_999,
      resetRequestsMs: 2,
    });
    expect(drain(limiter)).toHaveLength(0);
    time.advance(1000);
    expect(drain(limiter)).toHaveLength(1);
  });

  it('keeps the configured rate when the server reports a higher limit, and takes a lower one', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ rpm: 600, safety: 1, now: time.now });
    (limiter.tryAcquire(0) as Permit).succeeded({ limitRequests: 6000 });
    expect(limiter.effectiveRpm()).toBe(600);
    (limiter.tryAcquire(0) as Permit).succeeded({ limitRequests: 300 });
    expect(limiter.effectiveRpm()).toBe(300);
  });
});

describe('AdaptiveRateLimiter learning from headers', () => {
  it('sends one call first, and opens up once the server says how much is left', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ now: time.now });
    const [first, ...rest] = drain(limiter);
    expect(rest).toHaveLength(0);
    time.advance(5);
    first!.succeeded({ limitRequests: 6000, remainingRequests: 30, resetRequestsMs: 300 });
    expect(limiter.effectiveRpm()).toBeCloseTo(6000 * 0.97);
    expect(drain(limiter)).toHaveLength(30);
  });

  it('never sends more than the server says is left, counting the calls still in flight', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ now: time.now });
    drain(limiter)[0]!.succeeded({ limitRequests: 600, remainingRequests: 8, resetRequestsMs: 1000 });
    const batch = drain(limiter);
    expect(batch).toHaveLength(8);
    // The first of the eight says 7 are left: the other seven in flight take them all.
    batch[0]!.succeeded({ limitRequests: 600, remainingRequests: 7, resetRequestsMs: 1000 });
    expect(drain(limiter)).toHaveLength(0);
  });

  it('learns that a budget refills in windows when a call sent on the belief of a steady refill is refused', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ now: time.now });
    const snapshot = (remaining: number, resetMs: number) => ({
      limitRequests: 1200,
      remainingRequests: remaining,
      resetRequestsMs: resetMs,
    });
    drain(limiter)[0]!.succeeded(snapshot(19, 1000));
    for (const permit of drain(limiter)) permit.succeeded(snapshot(0, 900));
    // By a steady refill of 19.4 a second, one more is due after ~52 ms …
    time.advance(60);
    const probe = drain(limiter);
    expect(probe).toHaveLength(1);
    probe[0]!.refused(1000, snapshot(0, 840));
    // … but the window only restarts when the server said: nothing goes before then.
    time.advance(500);
    expect(drain(limiter)).toHaveLength(0);
    time.advance(350);
    expect(drain(limiter).length).toBeGreaterThan(10);
    expect(limiter.effectiveRpm()).toBeCloseTo(1200 * 0.97);
  });

  it('takes a refusal while the server reports room as a shorter window: smaller bursts, same rate', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ now: time.now });
    const snapshot = (remaining: number) => ({
      limitRequests: 1200,
      remainingRequests: remaining,
      resetRequestsMs: 60_000,
    });
    drain(limiter)[0]!.succeeded(snapshot(1199));
    const burst = drain(limiter).slice(0, 50);
    for (const [index, permit] of burst.slice(0, 19).entries()) permit.succeeded(snapshot(1198 - index));
    for (const permit of burst.slice(19)) permit.refused(1000, snapshot(1180));
    expect(limiter.effectiveRpm()).toBeCloseTo(1200 * 0.97);
    time.advance(1000);
    // One second of traffic at most, as the server let through.
    expect(drain(limiter).length).toBeLessThanOrEqual(20);
  });
});

describe('AdaptiveRateLimiter learning from refusals alone', () => {
  it('reacts once to a burst of refusals it caused, not once per refusal', () => {
    const time = clock();
    const limiter = new AdaptiveRateLimiter({ now: time.now });
    // Slow start: the calls go one at a time at first, the twenty-first is refused.
    for (let call = 0; call < 20; call++) (limiter.tryAcquire(0) as Permit).succeeded();
    time.advance(100);
    const inFlight = drain(limiter);
    expect(inFlight.length).toBeGreaterThan(1);
    for (const permit of inFlight) permit.refused(1000);
    const learned = limiter.effectiveRpm()!;
    // Twenty calls in the last second: about 1200 a minute, less the margin; the rest of the burst changed nothing.
    expect(learned).toBeGreaterThan(1000);
    expect(learned).toBeLessThan(1200);
  });
});

const IDEAL_MS = (shape: ServerShape, items: number) => (items / shape.perMinute) * 60_000;

describe('AdaptiveRateLimiter against simulated servers (300 calls, 50 at once, no limit configured)', () => {
  const behaviours: Array<[string, ServerShape]> = [
    [
      '1-second windows, OpenAI counts, retry-after in seconds',
      { kind: 'window', perMinute: 1200, periodMs: 1000, headers: 'counts', hint: 'seconds' },
    ],
    [
      'a bucket refilled continuously, OpenAI counts, exact retry-after',
      { kind: 'bucket', perMinute: 1200, periodMs: 1000, headers: 'counts', hint: 'precise' },
    ],
    [
      '1-second windows, no headers, retry-after in seconds',
      { kind: 'window', perMinute: 1200, periodMs: 1000, headers: 'none', hint: 'seconds' },
    ],
    [
      '1-second windows, no headers, exact retry delay (Gemini RetryInfo)',
      { kind: 'window', perMinute: 1200, periodMs: 1000, headers: 'none', hint: 'precise' },
    ],
    [
      'a bucket, no headers, exact retry delay',
      { kind: 'bucket', perMinute: 1200, periodMs: 1000, headers: 'none', hint: 'precise' },
    ],
    [
      'a bucket, a bare 429',
      { kind: 'bucket', perMinute: 1200, periodMs: 1000, headers: 'none', hint: 'none' },
    ],
    [
      '1-second windows, a bare 429',
      { kind: 'window', perMinute: 1200, periodMs: 1000, headers: 'none', hint: 'none' },
    ],
    [
      '1-second windows, counts on refusals only (OpenRouter)',
      { kind: 'window', perMinute: 1200, periodMs: 1000, headers: 'refusal-counts', hint: 'seconds' },
    ],
  ];

  for (const [name, shape] of behaviours)
    it(`${name}: within 1.2× the ideal time, at most 5 % refused, steady pace`, () => {
      const result = simulate(new SimulatedServer(shape), { items: 300, concurrency: 50, latencyMs: 2 });
      expect(result.failed).toBe(0);
      expect(result.finishedMs).toBeLessThanOrEqual(1.2 * IDEAL_MS(shape, 300));
      expect(result.refused / result.requests).toBeLessThanOrEqual(0.05);
      // No oscillation: over the second half, the pace stays within a few percent of the real rate.
      const late = result.paced.filter(([at]) => at > result.finishedMs / 2).map(([, rpm]) => rpm!);
      expect(Math.min(...late)).toBeGreaterThan(0.85 * shape.perMinute);
      expect(Math.max(...late)).toBeLessThan(1.15 * shape.perMinute);
    });

  it('uses a per-minute window as it comes: the whole budget at once, then the next window', () => {
    const shape: ServerShape = {
      kind: 'window',
      perMinute: 200,
      periodMs: 60_000,
      headers: 'counts',
      hint: 'precise',
    };
    const result = simulate(new SimulatedServer(shape), { items: 300, concurrency: 50, latencyMs: 2 });
    expect(result.failed).toBe(0);
    // The second window opens at 60 s: the ideal.
    expect(result.finishedMs).toBeLessThanOrEqual(1.2 * 60_000);
    expect(result.refused).toBeLessThanOrEqual(2);
  });

  it('uses the burst a bucket holds and then its refill rate', () => {
    const shape: ServerShape = {
      kind: 'bucket',
      perMinute: 1200,
      periodMs: 10_000,
      headers: 'counts',
      hint: 'precise',
    };
    const result = simulate(new SimulatedServer(shape), { items: 300, concurrency: 50, latencyMs: 2 });
    // 200 at once, then 100 at 20 a second: 5 s.
    expect(result.finishedMs).toBeLessThanOrEqual(1.2 * 5000);
    expect(result.refused).toBe(0);
  });

  it('pays one burst of refusals at most for a server that reports a larger budget than it enforces', () => {
    const shape: ServerShape = {
      kind: 'bucket',
      perMinute: 1200,
      periodMs: 1000,
      headers: 'minute-counts',
      hint: 'seconds',
    };
    const result = simulate(new SimulatedServer(shape), { items: 600, concurrency: 50, latencyMs: 2 });
    expect(result.failed).toBe(0);
    expect(result.refused).toBeLessThanOrEqual(50);
    expect(result.finishedMs).toBeLessThanOrEqual(1.2 * IDEAL_MS(shape, 600));
  });

  it('holds a higher latency too (100 ms a call)', () => {
    const shape: ServerShape = {
      kind: 'window',
      perMinute: 1200,
      periodMs: 1000,
      headers: 'none',
      hint: 'seconds',
    };
    const result = simulate(new SimulatedServer(shape), { items: 300, concurrency: 50, latencyMs: 100 });
    expect(result.failed).toBe(0);
    expect(result.finishedMs).toBeLessThanOrEqual(1.2 * IDEAL_MS(shape, 300));
    expect(result.refused / result.requests).toBeLessThanOrEqual(0.08);
  });
});

describe('AdaptiveRateLimiter against simulated servers with the limit configured', () => {
  const configured: Array<[string, ServerShape]> = [
    [
      '1-second windows, OpenAI counts',
      { kind: 'window', perMinute: 1200, periodMs: 1000, headers: 'counts', hint: 'seconds' },
    ],
    [
      'a bucket, OpenAI counts',
      { kind: 'bucket', perMinute: 1200, periodMs: 1000, headers: 'counts', hint: 'precise' },
    ],
    [
      '1-second windows, no headers',
      { kind: 'window', perMinute: 1200, periodMs: 1000, headers: 'none', hint: 'seconds' },
    ],
  ];
  for (const [name, shape] of configured)
    it(`${name}: within 1.05× the ideal time, at most 5 % refused`, () => {
      const result = simulate(new SimulatedServer(shape), {
        items: 300,
        concurrency: 50,
        latencyMs: 2,
        limiter: { rpm: shape.perMinute },
      });
      expect(result.failed).toBe(0);
      expect(result.finishedMs).toBeLessThanOrEqual(1.05 * IDEAL_MS(shape, 300));
      expect(result.refused / result.requests).toBeLessThanOrEqual(0.05);
    });
});

describe('AdaptiveRateLimiter on an unlimited server', () => {
  it('reaches full concurrency within a few round trips when the server reports nothing', () => {
    const shape: ServerShape = {
      kind: 'bucket',
      perMinute: 1e9,
      periodMs: 60_000,
      headers: 'none',
      hint: 'none',
    };
    const result = simulate(new SimulatedServer(shape), {
      items: 5000,
      concurrency: 50,
      latencyMs: 100,
      timerLagMs: 0,
    });
    // 100 rounds of 50 calls at 100 ms: 10 s, plus the slow start's handful of round trips.
    expect(result.finishedMs).toBeLessThanOrEqual(10_000 + 800);
    expect(result.refused).toBe(0);
  });
});
