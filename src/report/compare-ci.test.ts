import { describe, expect, it } from 'vitest';
import { compareRuns } from '../compare/compare.js';
import { evaluateGate } from '../compare/gate.js';
import { makeFailed, regressionFixture } from '../compare/test-helpers.js';
import { type CiReportInput, REPORT_MARKER, renderCiMarkdown, toCiJson } from './compare-ci.js';

function input(overrides: Partial<CiReportInput> = {}): CiReportInput {
  const fixture = regressionFixture();
  const comparison = compareRuns(fixture);
  const gate = evaluateGate({
    failOn: 'regression',
    results: fixture.resultsB,
    comparison,
    isAllowed: () => false,
  });
  return {
    run: fixture.runB,
    results: fixture.resultsB,
    baseline: { run: fixture.runA, how: 'latest completed run of suite "critical"', note: null },
    comparison,
    gate,
    requestedFailOn: 'regression',
    allowFail: [],
    minPassRate: null,
    exitCode: gate.passed ? 0 : 1,
    reason: gate.reason,
    cutShort: null,
    detailsUrl: 'https://github.com/o/r/actions/runs/1',
    generatedAt: Date.UTC(2025, 0, 3),
    ...overrides,
  };
}

describe('renderCiMarkdown', () => {
  it('starts with the hidden marker, then the verdict and the reason for the exit code', () => {
    const markdown = renderCiMarkdown(input());
    expect(markdown.startsWith(`${REPORT_MARKER}\n## ❌ Assay CI failed\n`)).toBe(true);
    expect(markdown).toContain('**Exit 1**: 8 regressions: passed in the baseline, not now (t13 on gpt');
    expect(markdown).toContain('Gate `--fail-on regression`');
    expect(markdown).toContain('### Baseline: latest completed run of suite "critical"');
    expect(markdown).toContain('| gpt | 🔴 worse |');
    expect(markdown).toContain(
      '`assay compare aaaaaaaa-0000-4000-8000-000000000001 bbbbbbbb-0000-4000-8000-000000000002`',
    );
    expect(markdown).toContain(
      '[CI job, with the HTML report as an artifact](https://github.com/o/r/actions/runs/1)',
    );
    // The run's own report follows.
    expect(markdown).toContain('### Failures (8)');
  });

  it('says when there is no baseline, and when the run was cut short by --max-time', () => {
    const markdown = renderCiMarkdown(
      input({
        baseline: {
          run: null,
          how: 'latest completed run of suite "critical"',
          note: 'no completed run yet',
        },
        comparison: null,
        exitCode: 0,
        cutShort: { maxTimeMs: 2000, finished: 3, planned: 10 },
      }),
    );
    expect(markdown).toContain('## ✅ Assay CI passed');
    expect(markdown).toContain('No baseline: no completed run yet. Gating on failures only.');
    expect(markdown).toContain(
      '> The run was cut short at the 2.0s time limit (`--max-time`): 3 of 10 planned items finished.',
    );
  });

  it('fits in a GitHub comment and keeps the marker', () => {
    const fixture = regressionFixture();
    const long = 'x'.repeat(3000);
    const many = Array.from({ length: 400 }, (_, index) =>
      makeFailed({
        runId: fixture.runB.id,
        taskId: `task-${index}-${long.slice(0, 60)}`,
        scores: [{ name: 'equals', value: 0, pass: false, reason: long, weight: 1 }],
      }),
    );
    const markdown = renderCiMarkdown(input({ results: many }), 20_000);
    expect(markdown.length).toBeLessThanOrEqual(20_000);
    expect(markdown.startsWith(REPORT_MARKER)).toBe(true);
  });
});

describe('toCiJson', () => {
  it('holds the exit code, gate, run, summary, baseline and comparison', () => {
    const json = toCiJson(input({ allowFail: ['tag:flaky'], minPassRate: 0.9 }));
    expect(json).toMatchObject({
      schemaVersion: 1,
      exitCode: 1,
      gate: {
        failOn: 'regression',
        requestedFailOn: 'regression',
        passed: false,
        allowFail: ['tag:flaky'],
        minPassRate: 0.9,
      },
      run: { id: 'bbbbbbbb-0000-4000-8000-000000000002', status: 'completed', cutShort: null },
      summary: { total: 20, passed: 12, failed: 7, errors: 1 },
      baseline: { id: 'aaaaaaaa-0000-4000-8000-000000000001' },
      comparison: { schemaVersion: 1, metric: 'pass_rate' },
    });
    expect(json.comparison?.targets[0]?.regressions).toHaveLength(8);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
