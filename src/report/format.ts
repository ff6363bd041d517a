import pc from 'picocolors';
import type { ItemResult } from '../types.js';

/** Small display formatters shared by the terminal renderers. `–` always means "unknown". */

export const UNKNOWN = '–';

export type Colors = ReturnType<typeof pc.createColors>;

/** Colors exactly when asked: the caller has already weighed TTY, `NO_COLOR` and `--no-color`. */
export function colorsFor(enabled: boolean): Colors {
  return pc.createColors(enabled);
}

/** `234ms`, `1.2s`, `12.3s`, `2m 05s`, `1h 02m`. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return UNKNOWN;
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/**
 * `$0` for zero, `$12.35` from a dollar up, `$0.0123` down to a hundredth of a cent, and two
 * significant digits below that (`$0.000012`) so that tiny per-item costs never read as zero.
 */
export function formatUsd(usd: number | null): string {
  if (usd === null || !Number.isFinite(usd)) return UNKNOWN;
  if (usd === 0) return '$0';
  const abs = Math.abs(usd);
  if (abs >= 1) return `$${usd.toFixed(2)}`;
  if (abs >= 0.0001) return `$${usd.toFixed(4)}`;
  const decimals = Math.min(Math.ceil(-Math.log10(abs)) + 1, 10);
  return `$${usd.toFixed(decimals)}`;
}

/** `340`, `1.2k`, `340k`, `1.2M`, `12M`. */
export function formatTokens(tokens: number | null | undefined): string {
  if (tokens === null || tokens === undefined || !Number.isFinite(tokens)) return UNKNOWN;
  if (tokens < 1000) return String(Math.round(tokens));
  if (tokens < 999_500) return compact(tokens / 1000, 'k');
  return compact(tokens / 1_000_000, 'M');
}

function compact(value: number, unit: string): string {
  // One decimal under 10 (`1.2k`), none above (`340k`); `9.96` rounds to `10k`, not `10.0k`.
  if (value < 9.95) return `${value.toFixed(1).replace(/\.0$/, '')}${unit}`;
  return `${Math.round(value)}${unit}`;
}

/** `1 error`, `2 errors`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A 0..1 ratio as `83.3%`. */
export function formatPercent(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return UNKNOWN;
  return `${(ratio * 100).toFixed(1)}%`;
}

/** A 0..1 score as `0.83`. */
export function formatScore(score: number | null): string {
  if (score === null || !Number.isFinite(score)) return UNKNOWN;
  return score.toFixed(2);
}

/**
 * The width of each column: its widest cell over every row (header rows included). A loop, not a
 * spread into Math.max, which overflows the call stack past ~100,000 arguments.
 */
export function columnWidths(rows: ReadonlyArray<ReadonlyArray<string>>): number[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let index = 0; index < row.length; index++) {
      widths[index] = Math.max(widths[index] ?? 0, row[index]!.length);
    }
  }
  return widths;
}

/** The length of the longest string, or 0 for none (a loop: see `columnWidths`). */
export function longestLength(texts: Iterable<string>): number {
  let longest = 0;
  for (const text of texts) longest = Math.max(longest, text.length);
  return longest;
}

// Whitespace and control characters (C0, DEL, C1): model output may contain ANSI escapes or
// newlines that would break a one-line terminal report.
const LINE_BREAKING = /[\s\x00-\x1f\x7f-\x9f]+/g;

// Control characters but newline and tab: an escape sequence in model output could recolour,
// move the cursor or retitle the terminal of whoever reads it.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Text for a terminal with its lines kept: every other control character (an ESC starting an
 * escape sequence, a carriage return, a bell) becomes a space, as `truncateLine` does on one line.
 */
export function terminalText(text: string): string {
  return text.replaceAll('\r\n', '\n').replace(CONTROL, ' ');
}

/**
 * Collapses whitespace and control characters to single spaces and cuts the text to at most
 * `max` characters, ending with `…` when anything was dropped. Reads only a bounded prefix of huge
 * inputs.
 */
export function truncateLine(text: string, max: number): string {
  const head = text.length > max * 4 + 16 ? text.slice(0, max * 4 + 16) : text;
  const clean = head.replace(LINE_BREAKING, ' ').trim();
  if (clean.length <= max && head.length === text.length) return clean;
  if (max <= 1) return '…'.slice(0, Math.max(max, 0));
  let cut = clean.slice(0, max - 1).trimEnd();
  // Never leave half of a surrogate pair before the ellipsis.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Fewest characters an error reason keeps, whatever `max` a caller asks for: a provider error starts with
 * its category, provider id and status (`permanent: anthropic:claude-…: HTTP 400 invalid_request_error: `,
 * about 80 characters), and the provider's own words that come after are what the user acts on.
 */
export const ERROR_REASON_CHARS = 320;

/**
 * Why an item did not pass, on one line: `category: message` for errors (at least ERROR_REASON_CHARS
 * of it), else the first failing score (at most `max`).
 */
export function failureReason(result: ItemResult, max: number): string {
  if (result.status === 'error') {
    if (!result.error) return 'error';
    const { category, message } = result.error;
    return truncateLine(`${category}: ${message}`, Math.max(max, ERROR_REASON_CHARS));
  }
  const failing = result.scores.find((score) => !score.pass);
  if (!failing) return `score ${formatScore(result.score)} below threshold`;
  return truncateLine(failing.reason ? `${failing.name}: ${failing.reason}` : failing.name, max);
}
