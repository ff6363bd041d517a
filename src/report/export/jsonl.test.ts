import { describe, expect, it } from 'vitest';
import type { ItemResult } from '../../types.js';
import { makeResult } from '../test-helpers.js';
import { renderJsonl } from './jsonl.js';
import { fixtureInput, NASTY } from './test-fixtures.js';

function lines(text: string): Array<Record<string, unknown>> {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('renderJsonl', () => {
  it('writes one JSON object per result, line breaks in text escaped', () => {
    const input = fixtureInput();
    const records = lines(renderJsonl(input));
    expect(records).toHaveLength(input.results.length);
    expect(records.map((record) => record.itemId)).toEqual(input.results.map((result) => result.itemId));
    expect(records.find((record) => record.itemId === 'i-special')?.output).toBe(
      `${NASTY}\u0001\u001b[31m\uFFFF`,
    );
  });

  it('carries run id, scores with metric and judge cost, usage, cost, error, servedBy and cached', () => {
    const records = lines(renderJsonl(fixtureInput()));
    expect(records.find((record) => record.itemId === 'i-math-gpt')).toMatchObject({
      runId: 'run-1',
      taskId: 'math',
      taskVersion: 'tv1',
      target: 'gpt',
      repeat: 0,
      status: 'failed',
      score: 0,
      output: '5',
      latencyMs: 800,
      usage: { inputTokens: 10, outputTokens: 5 },
      costUsd: 0.001,
      judgeCostUsd: 0.002,
      servedBy: 'gpt',
      cached: false,
      error: null,
      scores: [
        {
          name: 'equals',
          value: 0,
          pass: false,
          reason: 'expected "4", got "5"',
          weight: 1,
          metric: 'accuracy',
          costUsd: null,
        },
        {
          name: 'llm-rubric',
          value: 0.2,
          pass: false,
          reason: 'wrong <sum> & "bad"',
          weight: 1,
          metric: null,
          costUsd: 0.002,
        },
      ],
    });
    expect(records.find((record) => record.itemId === 'i-slow-claude')).toMatchObject({
      status: 'error',
      judgeCostUsd: 0,
      error: { category: 'timeout', message: 'no answer after 30s' },
    });
  });

  it('leaves out prompts, raw usage and fields added internally', () => {
    const extended = {
      ...makeResult({ usage: { inputTokens: 1, raw: { secret_shape: true } } }),
      internalNote: 'x',
    } as ItemResult;
    const text = renderJsonl(fixtureInput([extended]));
    expect(text).not.toContain('Say hi');
    expect(text).not.toContain('secret_shape');
    expect(text).not.toContain('internalNote');
  });

  it('is empty without results', () => {
    expect(renderJsonl(fixtureInput([]))).toBe('');
  });
});
