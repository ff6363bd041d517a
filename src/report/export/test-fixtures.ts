import type { ItemResult } from '../../types.js';
import { makeError, makeFailed, makeResult, makeRun } from '../test-helpers.js';
import type { ExportInput } from './input.js';

/** Text that breaks naive CSV, XML, HTML and Markdown writers. */
export const NASTY = `héllo 🌍 <b>&amp;</b> "quoted" 'single' | pipe
second line ]]> </script><!-- @octocat https://example.com/x`;

/**
 * Every case the exports must handle: passed, failed with reasons, errored, a flaky task over three
 * repeats, a cached answer, special characters and formula-like outputs. Two targets: gpt, claude.
 */
export function fixtureResults(): ItemResult[] {
  return [
    makeResult({ itemId: 'i-capital-gpt', taskId: 'capital', output: 'Paris', latencyMs: 1200 }),
    makeFailed({
      itemId: 'i-math-gpt',
      taskId: 'math',
      output: '5',
      latencyMs: 800,
      judgeCostUsd: 0.002,
      scores: [
        {
          name: 'equals',
          value: 0,
          pass: false,
          reason: 'expected "4", got "5"',
          weight: 1,
          metric: 'accuracy',
        },
        {
          name: 'llm-rubric',
          value: 0.2,
          pass: false,
          reason: 'wrong <sum> & "bad"',
          weight: 1,
          costUsd: 0.002,
        },
      ],
    }),
    makeError('timeout', 'no answer after 30s', {
      itemId: 'i-slow-claude',
      taskId: 'slow',
      targetName: 'claude',
      servedBy: 'claude',
      attempts: 3,
      attemptLog: [
        { target: 'claude', outcome: 'timeout', latencyMs: 30_000, message: 'no answer' },
        { target: 'backup', outcome: 'transient', httpStatus: 503, latencyMs: 20 },
      ],
    }),
    makeResult({
      itemId: 'i-flaky-0',
      taskId: 'flaky',
      targetName: 'claude',
      servedBy: 'claude',
      repeat: 0,
      latencyMs: 300,
    }),
    makeFailed({
      itemId: 'i-flaky-1',
      taskId: 'flaky',
      targetName: 'claude',
      servedBy: 'claude',
      repeat: 1,
      latencyMs: 400,
    }),
    makeResult({
      itemId: 'i-flaky-2',
      taskId: 'flaky',
      targetName: 'claude',
      servedBy: 'claude',
      repeat: 2,
      latencyMs: 500,
    }),
    makeResult({
      itemId: 'i-capital-claude',
      taskId: 'capital',
      targetName: 'claude',
      servedBy: 'claude',
      cached: true,
      costUsd: 0,
      output: 'Paris',
    }),
    makeFailed({
      itemId: 'i-special',
      taskId: `special <>&"'|`,
      output: `${NASTY}\u0001\u001b[31m\uFFFF`,
      scores: [{ name: 'contains', value: 0, pass: false, reason: `missing "<>&'|"\nat line 2`, weight: 1 }],
    }),
    makeResult({ itemId: 'i-formula-1', taskId: 'formula-1', output: '=HYPERLINK("http://evil.test","x")' }),
    makeResult({ itemId: 'i-formula-2', taskId: 'formula-2', output: '@SUM(A1:A2)' }),
    makeResult({ itemId: 'i-formula-3', taskId: 'formula-3', output: '-5' }),
    makeResult({ itemId: 'i-formula-4', taskId: 'formula-4', output: '+1-2' }),
  ];
}

export function fixtureInput(results = fixtureResults()): ExportInput {
  return {
    run: makeRun({
      totalItems: results.length,
      options: { suite: null, filters: [], targets: [], repeat: 3 },
      fingerprint: { ...makeRun().fingerprint, gitCommit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' },
    }),
    results,
    generatedAt: Date.UTC(2025, 0, 2, 4, 0, 0),
  };
}
