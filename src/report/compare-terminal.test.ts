import { describe, expect, it } from 'vitest';
import { compareRuns } from '../compare/compare.js';
import { regressionFixture, runNamed } from '../compare/test-helpers.js';
import { renderComparisonText } from './compare-terminal.js';

describe('renderComparisonText', () => {
  it('shows the verdict, the test, the metrics and each regression with its inspect command', () => {
    const text = renderComparisonText(compareRuns(regressionFixture()), { color: false });
    expect(text).toContain('changed  prompt main p1 → p2 · target gpt gv1 → gv2');
    expect(text).toContain(
      'gpt  WORSE  McNemar p = 0.00781 < 0.05 (8 regressions, 0 improvements of 20 aligned items)',
    );
    expect(text).toMatch(/pass rate \*\s+100\.0%\s+60\.0%\s+-40\.0 pp\s+\[-60\.0, -20\.0\]/);
    expect(text).toContain('8 regressions (passed in A, not in B)');
    expect(text).toMatch(/t20\s+passed → error\s+timeout: no answer/);
    expect(text).toContain('assay show bbbbbbbb-0000-4000-8000-000000000002 t13 --target gpt');
    expect(text).not.toContain('\x1b[');
  });

  it('replaces the change line by a warning listing every change when several things changed', () => {
    const fixture = regressionFixture();
    const runB = runNamed(fixture.runB.id, {
      fingerprint: { ...fixture.runB.fingerprint, datasetVersion: 'd2' },
    });
    const text = renderComparisonText(compareRuns({ ...fixture, runB }), { color: false });
    expect(text).toContain(
      'warning: more than one thing changed (prompt, dataset): a difference cannot be pinned on one of them. Changes: prompt main p1 → p2; target gpt gv1 → gv2; dataset d1 → d2',
    );
    expect(text).not.toContain('changed  prompt');
  });

  it('says why nothing was compared, and what only one run has', () => {
    const fixture = regressionFixture();
    const comparison = compareRuns({
      ...fixture,
      resultsA: [...fixture.resultsA, ...fixture.resultsA.map((result) => ({ ...result, targetName: 'x' }))],
      resultsB: fixture.resultsB.map((result) => ({ ...result, targetName: 'z' })),
    });
    const text = renderComparisonText(comparison, { color: false });
    expect(text).toContain('targets only in A (not compared): gpt, x');
    expect(text).toContain('not comparable: the runs share no target; choose a pair with --target-a');
  });
});
