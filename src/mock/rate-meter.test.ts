import { describe, expect, it } from 'vitest';
import { goDuration, RateMeter } from './rate-meter.js';

describe('goDuration', () => {
  it.each([
    [0, '0s'],
    [12, '12ms'],
    [999.6, '1s'],
    [1000, '1s'],
    [8640, '8.64s'],
    [360_000, '6m0s'],
    [90_500, '1m30.5s'],
    [3_723_000, '1h2m3s'],
  ])('formats %d ms as %s', (ms, expected) => {
    expect(goDuration(ms)).toBe(expected);
  });
});

describe('RateMeter', () => {
  it('counts requests and tokens down from the limits', () => {
    const meter = new RateMeter(60, 1000);
    meter.consume(100, 1_000);
    const snapshot = meter.consume(50, 1_000);
    expect(snapshot).toMatchObject({
      limitRequests: 60,
      remainingRequests: 58,
      limitTokens: 1000,
      remainingTokens: 850,
    });
    expect(snapshot.resetRequestsMs).toBe(2000);
    expect(snapshot.resetTokensMs).toBe(9000);
  });

  it('refills continuously over a minute', () => {
    const meter = new RateMeter(60, 1000);
    meter.consume(0, 1_000);
    meter.consume(0, 1_000);
    // Two requests used; one second later one has refilled, then this request uses one again.
    expect(meter.consume(0, 2_000).remainingRequests).toBe(58);
    expect(meter.consume(0, 200_000).remainingRequests).toBe(59);
  });

  it('reports no requests left while rate limited', () => {
    const meter = new RateMeter(60, 1000);
    expect(meter.exhausted(3000, 1_000)).toMatchObject({ remainingRequests: 0, resetRequestsMs: 3000 });
  });
});
