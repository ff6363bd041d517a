/**
 * Sums and means of floating-point columns, to 12 significant digits. Each database adds rows up in
 * its own order and way (SQLite compensates rounding errors, PostgreSQL does not), so the last bits of
 * a sum differ between them; 12 digits (a millionth of a millionth of a dollar) hide that, and both
 * give the same figures. Adding exactly in SQL (NUMERIC) did the same at twice the cost per query.
 */
export function aggregate(value: unknown): number {
  const number = Number(value);
  return Number.isFinite(number) ? Number(number.toPrecision(12)) : number;
}
