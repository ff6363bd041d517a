import { describe, expect, it } from 'vitest';
import { repeatStats } from './repeats.js';

describe('repeatStats', () => {
  it('summarises repeats that all pass', () => {
    expect(repeatStats([1, 1, 1], [true, true, true])).toEqual({
      n: 3,
      meanScore: 1,
      standardError: 0,
      passAll: true,
      passAny: true,
      passRate: 1,
      flaky: false,
    });
  });

  it('flags a task that passes only sometimes as flaky', () => {
    const stats = repeatStats([1, 0, 1, 1, 0], [true, false, true, true, false]);
    expect(stats).toMatchObject({ n: 5, passAll: false, passAny: true, passRate: 0.6, flaky: true });
    expect(stats.meanScore).toBeCloseTo(0.6, 12);
    // Sample sd of {1, 0, 1, 1, 0} is √(1.2 / 4) = 0.547723; se = 0.547723 / √5 = 0.244949.
    expect(stats.standardError).toBeCloseTo(0.244949, 6);
  });

  it('summarises repeats that all fail', () => {
    expect(repeatStats([0.2, 0.4], [false, false])).toMatchObject({
      passAll: false,
      passAny: false,
      passRate: 0,
      flaky: false,
    });
  });

  it('takes the standard error over the scores', () => {
    // Wikipedia "Standard deviation" example: sample sd √(32/7), se √(32/7/8) = 0.755929.
    const stats = repeatStats([2, 4, 4, 4, 5, 5, 7, 9], new Array<boolean>(8).fill(true));
    expect(stats.meanScore).toBe(5);
    expect(stats.standardError).toBeCloseTo(0.755929, 6);
  });

  it('has no spread for one repeat and no rates for none', () => {
    const single = repeatStats([0.5], [true]);
    expect(single.standardError).toBeNaN();
    expect(single).toMatchObject({ n: 1, meanScore: 0.5, passAll: true, flaky: false });
    const none = repeatStats([], []);
    expect(none).toMatchObject({ n: 0, passAll: false, passAny: false, flaky: false });
    expect(none.meanScore).toBeNaN();
    expect(none.passRate).toBeNaN();
  });

  it('rejects scores and verdicts of different lengths', () => {
    expect(() => repeatStats([1, 0], [true])).toThrow(RangeError);
    expect(() => repeatStats([1], [true, false])).toThrow(/2 verdicts/);
  });
});
