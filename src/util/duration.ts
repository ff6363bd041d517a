import { UserError } from '../errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `500ms`, `30s`, `10m`, `12h`, `7d` or a number of milliseconds. */
export function parseDuration(value: string | number, where: string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) {
    throw new UserError(
      `invalid duration "${value}"`,
      where,
      'write a number of milliseconds or e.g. "30s", "10m", "7d"',
    );
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Writes milliseconds the way config durations are written: `250ms`, `5s`, `1.5s`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(3))}s`;
}
