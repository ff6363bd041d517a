import { describe, expect, it } from 'vitest';
import type { ItemResult } from '../types.js';
import { JsonReportStream, toJsonReport } from './json.js';
import { summarizeRun } from './summary.js';
import { makeError, makeResult, makeRun } from './test-helpers.js';

describe('toJsonReport', () => {
  const results = [
    makeResult({ usage: { inputTokens: 12, outputTokens: 0, raw: { secret_shape: true } } }),
    makeError('quota', 'insufficient_quota', { itemId: 'item-2', servedBy: 'backup' }),
  ];
  const summary = summarizeRun(results);

  it('describes the run with ISO times and its fingerprint', () => {
    const report = toJsonReport(makeRun({ finishedAt: null, status: 'interrupted' }), summary);
    expect(report.schemaVersion).toBe(1);
    expect(report.run).toEqual({
      id: 'run-1',
      status: 'interrupted',
      startedAt: '2025-01-02T03:04:05.000Z',
      finishedAt: null,
      fingerprint: { ...makeRun().fingerprint, judgeVersions: {} },
    });
    expect(report.summary).toBe(summary);
    expect(Object.keys(report)).toEqual(['schemaVersion', 'run', 'summary']);
  });

  it('maps results to the public shape, unknown usage as null', () => {
    const report = toJsonReport(makeRun(), summary, results);
    expect(report.run.finishedAt).toBe('2025-01-02T03:05:05.000Z');
    expect(report.results).toEqual([
      {
        itemId: 'item-1',
        taskId: 'task-1',
        taskVersion: 'tv1',
        target: 'gpt',
        repeat: 0,
        status: 'passed',
        output: 'hi',
        score: 1,
        scores: [
          {
            name: 'contains',
            value: 1,
            pass: true,
            reason: 'found "hi"',
            weight: 1,
            metric: null,
            costUsd: null,
          },
        ],
        latencyMs: 100,
        ttftMs: null,
        attemptLog: null,
        computedCostUsd: null,
        costDivergence: false,
        stale: false,
        usage: {
          inputTokens: 12,
          outputTokens: 0,
          cachedInputTokens: null,
          cacheWriteInputTokens: null,
          reasoningTokens: null,
        },
        costUsd: 0.001,
        judgeCostUsd: 0,
        savedUsd: 0,
        attempts: 1,
        cached: false,
        servedBy: 'gpt',
        error: null,
      },
      {
        itemId: 'item-2',
        taskId: 'task-1',
        taskVersion: 'tv1',
        target: 'gpt',
        repeat: 0,
        status: 'error',
        output: null,
        score: 0,
        scores: [],
        latencyMs: 0,
        ttftMs: null,
        attemptLog: null,
        computedCostUsd: null,
        costDivergence: false,
        stale: false,
        usage: {
          inputTokens: null,
          outputTokens: null,
          cachedInputTokens: null,
          cacheWriteInputTokens: null,
          reasoningTokens: null,
        },
        costUsd: null,
        judgeCostUsd: 0,
        savedUsd: 0,
        attempts: 1,
        cached: false,
        servedBy: 'backup',
        error: { category: 'quota', message: 'insufficient_quota' },
      },
    ]);
  });

  it('leaves out prompts, raw usage and fields added internally', () => {
    const extended = { ...makeResult(), internalNote: 'x' } as ItemResult;
    const [scoreWithExtra] = extended.scores;
    if (scoreWithExtra) Object.assign(scoreWithExtra, { debug: 'y' });
    const text = JSON.stringify(toJsonReport(makeRun(), summarizeRun([extended]), [extended]));
    expect(text).not.toContain('"prompt"');
    expect(text).not.toContain('Say hi');
    expect(text).not.toContain('raw');
    expect(text).not.toContain('internalNote');
    expect(text).not.toContain('debug');
    expect(JSON.parse(text).results[0].scores[0]).toEqual({
      name: 'contains',
      value: 1,
      pass: true,
      reason: 'found "hi"',
      weight: 1,
      metric: null,
      costUsd: null,
    });
  });

  it('survives a JSON round trip unchanged', () => {
    const report = toJsonReport(makeRun(), summary, results);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('JsonReportStream', () => {
  it('writes byte for byte what JSON.stringify of the full report prints, in pieces, keeping no results', () => {
    const many = Array.from({ length: 2345 }, (_, index) =>
      index % 7 === 0
        ? makeError('timeout', 'slow', { itemId: `item-${index}` })
        : makeResult({ itemId: `item-${index}`, output: `answer "${index}"\n`.repeat(20) }),
    );
    const summary = summarizeRun(many);
    const pieces: string[] = [];
    const stream = new JsonReportStream((piece) => pieces.push(piece));
    for (const result of many) stream.add(result);
    stream.finish(makeRun(), summary);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join('')).toBe(JSON.stringify(toJsonReport(makeRun(), summary, many)));

    const empty: string[] = [];
    const none = new JsonReportStream((piece) => empty.push(piece));
    none.finish(makeRun(), summarizeRun([]));
    expect(empty.join('')).toBe(JSON.stringify(toJsonReport(makeRun(), summarizeRun([]), [])));
  });
});
