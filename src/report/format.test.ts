import { describe, expect, it } from 'vitest';
import {
  columnWidths,
  ERROR_REASON_CHARS,
  failureReason,
  formatMs,
  formatPercent,
  formatScore,
  formatTokens,
  formatUsd,
  longestLength,
  terminalText,
  truncateLine,
} from './format.js';
import { makeError, makeFailed, makeResult } from './test-helpers.js';

describe('formatMs', () => {
  it('picks a unit by size', () => {
    expect(formatMs(234.4)).toBe('234ms');
    expect(formatMs(999.6)).toBe('1.0s');
    expect(formatMs(1234)).toBe('1.2s');
    expect(formatMs(12_345)).toBe('12.3s');
    expect(formatMs(125_000)).toBe('2m 05s');
    expect(formatMs(3_720_000)).toBe('1h 02m');
  });

  it('shows unknown as a dash', () => {
    expect(formatMs(null)).toBe('–');
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('–');
  });
});

describe('formatUsd', () => {
  it('keeps tiny costs visible and zero short', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.0123)).toBe('$0.0123');
    expect(formatUsd(0.0001)).toBe('$0.0001');
    expect(formatUsd(0.000012)).toBe('$0.000012');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(null)).toBe('–');
  });
});

describe('formatTokens', () => {
  it('compacts thousands and millions', () => {
    expect(formatTokens(340)).toBe('340');
    expect(formatTokens(0)).toBe('0');
    expect(formatTokens(1000)).toBe('1k');
    expect(formatTokens(1234)).toBe('1.2k');
    expect(formatTokens(9960)).toBe('10k');
    expect(formatTokens(340_400)).toBe('340k');
    expect(formatTokens(999_700)).toBe('1M');
    expect(formatTokens(12_400_000)).toBe('12M');
    expect(formatTokens(undefined)).toBe('–');
    expect(formatTokens(null)).toBe('–');
  });
});

describe('formatPercent and formatScore', () => {
  it('use fixed decimals', () => {
    expect(formatPercent(10 / 12)).toBe('83.3%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(null)).toBe('–');
    expect(formatScore(0.834)).toBe('0.83');
    expect(formatScore(null)).toBe('–');
  });
});

describe('truncateLine', () => {
  it('returns short single-line text unchanged', () => {
    expect(truncateLine('hello world', 20)).toBe('hello world');
  });

  it('collapses newlines, tabs and control characters into single spaces', () => {
    expect(truncateLine('a\n\n b\tc\x1b[31mred\x1b[0m', 40)).toBe('a b c [31mred [0m');
  });

  it('cuts to at most max characters ending with an ellipsis', () => {
    const line = truncateLine('x'.repeat(200), 80);
    expect(line).toHaveLength(80);
    expect(line.endsWith('…')).toBe(true);
  });

  it('marks text cut from a huge input even when the kept part is short', () => {
    const huge = `${'a '.repeat(10)}${' '.repeat(10_000)}tail`;
    expect(truncateLine(huge, 80).endsWith('…')).toBe(true);
    expect(truncateLine(huge, 80)).not.toContain('tail');
  });

  it('never splits a surrogate pair', () => {
    const line = truncateLine(`${'a'.repeat(8)}😀😀😀`, 10);
    expect(line).toBe(`${'a'.repeat(8)}…`);
  });
});

describe('failureReason', () => {
  it('uses the first failing score', () => {
    expect(failureReason(makeFailed(), 80)).toBe('contains: expected "Paris"');
  });

  it('uses the error category and message', () => {
    expect(failureReason(makeError('timeout', 'no answer\nafter 30s'), 80)).toBe(
      'timeout: no answer after 30s',
    );
  });

  it('keeps a provider error to the provider’s own words, past its long prefix', () => {
    const message =
      'anthropic:claude-3-5-haiku-latest: HTTP 400 invalid_request_error: seed: Extra inputs are not permitted';
    // The whole reason, although the caller asked for 80 characters (this one is 114).
    expect(failureReason(makeError('permanent', message), 80)).toBe(`permanent: ${message}`);
    const long = `openai:gpt-4o: HTTP 429 insufficient_quota: ${'You exceeded your quota. '.repeat(20)}`;
    const reason = failureReason(makeError('quota', long), 80);
    expect(reason.length).toBeLessThanOrEqual(ERROR_REASON_CHARS);
    expect(reason.length).toBeGreaterThan(ERROR_REASON_CHARS - 5);
    expect(reason.endsWith('…')).toBe(true);
    // A failing score's reason still keeps to the caller's width.
    const failed = makeFailed({
      scores: [{ name: 'contains', value: 0, pass: false, weight: 1, reason: 'x'.repeat(200) }],
    });
    expect(failureReason(failed, 80)).toHaveLength(80);
  });

  it('falls back to the score when no single assertion failed', () => {
    expect(failureReason(makeResult({ status: 'failed', score: 0.4 }), 80)).toBe(
      'score 0.40 below threshold',
    );
  });
});

// 200,000 rows: a spread into Math.max (`Math.max(...widths)`) overflows the call stack there.
describe('columnWidths and longestLength', () => {
  it('measure any number of rows', () => {
    const rows = Array.from({ length: 200_000 }, (_, index) => [`t${index}`, 'x']);
    rows.push(['id', 'a much longer cell']);
    expect(columnWidths(rows)).toEqual([7, 18]);
    expect(longestLength(rows.map((row) => row[0]!))).toBe(7);
    expect(longestLength([])).toBe(0);
  });
});

describe('terminalText', () => {
  it('keeps lines and tabs, and turns escape sequences and other control characters into spaces', () => {
    expect(terminalText('a\tb\r\nc\x1b[31mred\x1b]0;title\x07\x9b2J\rd')).toBe(
      'a\tb\nc [31mred ]0;title  2J d',
    );
  });
});
