/** UTC calendar buckets of days since the Unix epoch, for cost breakdowns. */

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' of a UTC day number. */
export function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 'YYYY-MM' of a UTC day number. */
export function monthKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 7);
}

/** ISO 8601 week 'YYYY-Www' of a UTC day number: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeekKey(day: number): string {
  // 1970-01-01 was a Thursday; Monday is 0 here.
  const weekday = (((day + 3) % 7) + 7) % 7;
  const thursday = new Date((day - weekday + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const yearStart = Date.UTC(year, 0, 1) / DAY_MS;
  const week = Math.floor((thursday.getTime() / DAY_MS - yearStart) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}
