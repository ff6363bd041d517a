import { describe, expect, it } from 'vitest';
import { dayKey, isoWeekKey, monthKey } from './calendar.js';

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

describe('calendar buckets', () => {
  it('names UTC days and months', () => {
    expect(dayKey(0)).toBe('1970-01-01');
    expect(dayKey(day('2024-02-29'))).toBe('2024-02-29');
    expect(monthKey(day('2024-02-29'))).toBe('2024-02');
  });

  it('names ISO weeks, including those that straddle a new year', () => {
    expect(isoWeekKey(day('1970-01-01'))).toBe('1970-W01');
    expect(isoWeekKey(day('2024-01-01'))).toBe('2024-W01');
    expect(isoWeekKey(day('2024-12-30'))).toBe('2025-W01');
    expect(isoWeekKey(day('2021-01-03'))).toBe('2020-W53');
    expect(isoWeekKey(day('2026-12-31'))).toBe('2026-W53');
    expect(isoWeekKey(day('2027-01-03'))).toBe('2026-W53');
    expect(isoWeekKey(day('2027-01-04'))).toBe('2027-W01');
    expect(isoWeekKey(day('2025-06-15'))).toBe('2025-W24');
  });
});
