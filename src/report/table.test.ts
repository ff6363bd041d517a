import { describe, expect, it } from 'vitest';
import type { ItemResult } from '../types.js';
import { summarizeRun } from './summary.js';
import { renderFailures, renderSummaryTable } from './table.js';
import { makeError, makeFailed, makeResult } from './test-helpers.js';

const ANSI = /\x1b\[/;

function fixture(): ItemResult[] {
  const gpt = Array.from({ length: 10 }, (_, index) =>
    makeResult({
      targetName: 'gpt-4o-mini',
      latencyMs: (index + 1) * 100,
      usage: { inputTokens: index === 0 ? 127 : 123, outputTokens: 34 },
      costUsd: 0.00123,
    }),
  );
  return [
    ...gpt,
    makeError('rate_limit', '429', { targetName: 'gpt-4o-mini' }),
    makeError('timeout', 'slow', { targetName: 'gpt-4o-mini' }),
    makeFailed({ targetName: 'local', usage: {}, costUsd: null, latencyMs: 50 }),
  ];
}

describe('renderSummaryTable', () => {
  const table = renderSummaryTable(summarizeRun(fixture()), { color: false });
  const lines = table.split('\n');
  const gptLine = lines.find((line) => line.startsWith('gpt-4o-mini')) ?? '';
  const localLine = lines.find((line) => line.startsWith('local')) ?? '';

  it('shows each figure of a target on its row', () => {
    expect(gptLine).toContain('83.3% (10/12)');
    expect(gptLine).toContain('1.00');
    expect(gptLine).toContain('500ms');
    expect(gptLine).toContain('1.0s');
    expect(gptLine).toContain('1.2k/340');
    expect(gptLine).toContain('$0.0123');
    expect(gptLine.endsWith('2 (rate_limit 1, timeout 1)')).toBe(true);
  });

  it('shows unknown tokens and cost as dashes and no errors as 0', () => {
    expect(localLine).toContain('0.0% (0/1)');
    expect(localLine).toMatch(/–\s+–\s+0$/);
  });

  it('aligns right-aligned columns on their right edge', () => {
    const header = lines[0] ?? '';
    const end = (line: string, text: string) => line.indexOf(text) + text.length;
    expect(end(gptLine, '$0.0123')).toBe(end(header, 'cost'));
    expect(end(localLine, '–  0')).toBe(end(header, 'cost') + 3);
    expect(end(gptLine, '(10/12)')).toBe(end(header, 'pass rate'));
    expect(end(localLine, '(0/1)')).toBe(end(header, 'pass rate'));
  });

  it('ends with a totals line', () => {
    const totals = lines.find((line) => line.startsWith('total')) ?? '';
    expect(totals).toContain('13 results');
    expect(totals).toContain('76.9% passed (10/13)');
    expect(totals).toContain('1 failed');
    expect(totals).toContain('2 errors (rate_limit 1, timeout 1)');
    expect(totals).toContain('tokens 1.2k/340');
    expect(totals).toContain('cost $0.0123*');
  });

  it('explains a cost that leaves out unpriced results', () => {
    expect(lines.at(-1)).toBe('* cost is a lower bound: 1 result had no known price');
  });

  it('has no ANSI codes without color and has them with color', () => {
    expect(table).not.toMatch(ANSI);
    const colored = renderSummaryTable(summarizeRun(fixture()), { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored.replace(/\x1b\[[0-9;]*m/g, '')).toBe(table);
  });

  it('says so when there is nothing to show', () => {
    expect(renderSummaryTable(summarizeRun([]), { color: false })).toBe('No results.');
  });
});

describe('renderFailures', () => {
  it('lists failed and errored items, one line each, with reason and truncated output', () => {
    const text = renderFailures(
      [
        makeResult({ taskId: 'ok' }),
        makeFailed({ taskId: 'capital', targetName: 'gpt', output: `Lyon\n${'blah '.repeat(100)}` }),
        makeError('rate_limit', '429 Too Many Requests', { taskId: 'limited', targetName: 'claude' }),
      ],
      { color: false, limit: 10 },
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('Failures (2):');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^ {2}FAIL {3}capital {2}gpt {5}contains: expected "Paris" · output: "Lyon blah/,
    );
    expect(lines[1]).toMatch(/…"$/);
    const output = /output: "(.*)"$/.exec(lines[1] ?? '')?.[1] ?? '';
    expect(output.length).toBeLessThanOrEqual(80);
    expect(lines[2]).toBe('  ERROR  limited  claude  rate_limit: 429 Too Many Requests');
    expect(text).not.toContain('ok');
    expect(text).not.toMatch(ANSI);
  });

  it('shows enough of a provider error to act on (not cut to `s…` after its prefix)', () => {
    const message =
      'anthropic:claude-3-5-haiku-latest: HTTP 400 invalid_request_error: seed: Extra inputs are not permitted';
    const text = renderFailures([makeError('permanent', message, { taskId: 't1', targetName: 'claude' })], {
      color: false,
    });
    expect(text.split('\n')[1]).toBe(`  ERROR  t1  claude  permanent: ${message}`);
  });

  it('stops at the limit and counts the rest', () => {
    const results = Array.from({ length: 7 }, (_, index) => makeFailed({ taskId: `t${index}` }));
    const lines = renderFailures(results, { color: false, limit: 3 }).split('\n');
    expect(lines[0]).toBe('Failures (7):');
    expect(lines.filter((line) => line.includes('FAIL'))).toHaveLength(3);
    expect(lines.at(-1)).toBe('  … and 4 more');
  });

  it('is empty when nothing failed', () => {
    expect(renderFailures([makeResult()], { color: false })).toBe('');
  });

  it('colors statuses only when asked', () => {
    expect(renderFailures([makeFailed()], { color: true })).toMatch(ANSI);
  });
});
