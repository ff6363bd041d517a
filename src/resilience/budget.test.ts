import { describe, expect, it } from 'vitest';
import { Budget } from './budget.js';

describe('Budget', () => {
  it('admits calls while spent + reserved + projected stays within the cap', () => {
    const budget = new Budget({ capUsd: 1 });
    expect(budget.tryReserve(0.4)).toBe(true);
    expect(budget.tryReserve(0.4)).toBe(true);
    // 0.8 reserved: a third 0.4 call would cross the cap.
    expect(budget.tryReserve(0.4)).toBe(false);
    expect(budget.exhausted).toBe(true);
    // Once exhausted, even a tiny call is refused.
    expect(budget.tryReserve(0.0001)).toBe(false);
  });

  it('settles with the real cost, counts spend from before the run, and warns once at 80 %', () => {
    const budget = new Budget({ capUsd: 1, spentUsd: 0.5 });
    expect(budget.tryReserve(0.2)).toBe(true);
    expect(budget.settle(0.2, 0.1)).toBe(false); // 0.6 spent
    expect(budget.spentUsd).toBeCloseTo(0.6, 12);
    expect(budget.tryReserve(0.25)).toBe(true);
    expect(budget.settle(0.25, 0.25)).toBe(true); // 0.85: crosses 80 %
    expect(budget.tryReserve(0.01)).toBe(true);
    expect(budget.settle(0.01, null)).toBe(false); // unknown cost counts as projected; no second warning
    expect(budget.spentUsd).toBeCloseTo(0.86, 12);
  });

  it('rejects a bad cap', () => {
    expect(() => new Budget({ capUsd: -1 })).toThrow(/`capUsd`/);
  });
});
