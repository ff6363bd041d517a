import { describe, expect, it } from 'vitest';
import { compareRuns } from '../compare/compare.js';
import { makeFailed, regressionFixture } from '../compare/test-helpers.js';
import { code, renderComparisonMarkdown } from './compare-markdown.js';

describe('renderComparisonMarkdown', () => {
  it('has a verdict table and a regressions table with inspect commands', () => {
    const markdown = renderComparisonMarkdown(compareRuns(regressionFixture()));
    expect(markdown).toContain('### Comparison: `bbbbbbbb` (B) against `aaaaaaaa` (A)');
    expect(markdown).toContain(
      '| gpt | 🔴 worse | 100.0% → 60.0% | -40.0 pp [-60.0, -20.0] | 0.00781 | 8 | 0 | -$0.0010 (-$0.000050/item) |',
    );
    expect(markdown).toContain('**Regressions (8)**: passed in A, not in B');
    expect(markdown).toContain(
      '| t13 | passed → failed | contains: expected "Paris" | `assay show bbbbbbbb-0000-4000-8000-000000000002 t13 --target gpt` |',
    );
    expect(markdown).toContain('#### gpt');
  });

  it('escapes task ids and reasons so a table cannot break and nobody is mentioned', () => {
    const fixture = regressionFixture();
    const resultsB = fixture.resultsB.map((result) =>
      result.taskId === 't13'
        ? makeFailed({
            ...result,
            taskId: 't13',
            scores: [{ name: 'equals', value: 0, pass: false, reason: 'got | pipe @octocat', weight: 1 }],
          })
        : result,
    );
    const markdown = renderComparisonMarkdown(compareRuns({ ...fixture, resultsB }));
    expect(markdown).toContain('equals: got \\| pipe @\u200boctocat');
  });

  it('lists at most 20 flips per direction and says how many more there are', () => {
    const fixture = regressionFixture();
    const many = (runId: string, status: 'passed' | 'failed') =>
      Array.from({ length: 25 }, (_, index) =>
        makeFailed({ runId, taskId: `task-${index}`, status, score: status === 'passed' ? 1 : 0 }),
      );
    const markdown = renderComparisonMarkdown(
      compareRuns({ ...fixture, resultsA: many('a', 'passed'), resultsB: many('b', 'failed') }),
      { level: 4 },
    );
    expect(markdown).toContain('#### Comparison');
    expect(markdown).toContain('_… and 5 more; `assay compare --json` lists every one._');
  });
});

describe('code', () => {
  it('fences text holding any number of backtick runs', () => {
    const text = 'a`'.repeat(200_000);
    expect(code(text)).toBe(`\`\` ${text} \`\``);
    expect(code('x ``` y')).toBe('````x ``` y````');
  });
});
