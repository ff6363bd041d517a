import { describe, expect, it } from 'vitest';
import { FixedWindow, goDuration, RateBucket } from './rate-meter.js';

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

describe('RateBucket', () => {
  it('reports a minute of budget, counting down, when it only reports', () => {
    const bucket = new RateBucket(60, { enforced: false, now: 1_000 });
    bucket.take(1, 1_000);
    bucket.take(1, 1_000);
    expect(bucket.capacity).toBe(60);
    expect(bucket.remaining(1_000)).toBe(58);
    expect(bucket.resetMs(1_000)).toBe(2000);
  });

  it('refills continuously, up to its capacity', () => {
    const bucket = new RateBucket(60, { enforced: false, now: 1_000 });
    bucket.take(2, 1_000);
    // One second later one request has refilled.
    expect(bucket.remaining(2_000)).toBe(59);
    expect(bucket.remaining(200_000)).toBe(60);
  });

  it('never goes below empty when it only reports', () => {
    const bucket = new RateBucket(1000, { enforced: false, now: 0 });
    bucket.take(5000, 0);
    expect(bucket.levelAt(0)).toBe(0);
    expect(bucket.resetMs(0)).toBe(60_000);
  });

  it('holds one second of traffic when enforced, at least one unit', () => {
    expect(new RateBucket(1200, { enforced: true, now: 0 }).capacity).toBe(20);
    expect(new RateBucket(30, { enforced: true, now: 0 }).capacity).toBe(1);
    expect(new RateBucket(1200, { enforced: true, now: 0, level: 5 }).remaining(0)).toBe(5);
  });

  it('goes into debt when enforced and says how long until a level is reached', () => {
    const bucket = new RateBucket(600, { enforced: true, now: 0 });
    bucket.take(30, 0);
    expect(bucket.levelAt(0)).toBe(-20);
    expect(bucket.remaining(0)).toBe(0);
    // 10 per second: 2 s back to 0, 2.1 s to 1, 3 s to full.
    expect(bucket.waitMs(0, 0)).toBe(2000);
    expect(bucket.waitMs(1, 0)).toBe(2100);
    expect(bucket.resetMs(0)).toBe(3000);
    expect(bucket.waitMs(1, 2100)).toBe(0);
  });
});

describe('FixedWindow', () => {
  it('allows its share of the rate per window, counted from its origin, and forgets what is unused', () => {
    const window = new FixedWindow(1200, 1000, 0); // 20 per second
    expect(window.allowance).toBe(20);
    window.take(15, 10_400);
    expect(window.remaining(10_400)).toBe(5);
    expect(window.waitMs(5, 10_400)).toBe(0);
    expect(window.waitMs(6, 10_400)).toBe(600);
    expect(window.resetMs(10_999)).toBe(1);
    expect(window.remaining(11_000)).toBe(20);
    // Windows start at the origin, not at the clock's whole seconds.
    const shifted = new FixedWindow(1200, 1000, 250);
    expect(shifted.resetMs(1000)).toBe(250);
  });

  it('allows at least one per window', () => {
    expect(new FixedWindow(6, 1000, 0).allowance).toBe(1);
  });
});
