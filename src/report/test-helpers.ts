import type { ItemResult, RunRecord } from '../types.js';

/** A passing result with known usage and cost; override what the test is about. */
export function makeResult(overrides: Partial<ItemResult> = {}): ItemResult {
  return {
    runId: 'run-1',
    itemId: 'item-1',
    taskId: 'task-1',
    taskVersion: 'tv1',
    targetName: 'gpt',
    targetVersion: 'gv1',
    repeat: 0,
    status: 'passed',
    prompt: [{ role: 'user', content: 'Say hi' }],
    output: 'hi',
    score: 1,
    scores: [{ name: 'contains', value: 1, pass: true, reason: 'found "hi"', weight: 1 }],
    latencyMs: 100,
    usage: { inputTokens: 10, outputTokens: 5 },
    costUsd: 0.001,
    attempts: 1,
    cached: false,
    servedBy: 'gpt',
    error: null,
    createdAt: 0,
    ...overrides,
  };
}

export function makeFailed(overrides: Partial<ItemResult> = {}): ItemResult {
  return makeResult({
    status: 'failed',
    output: 'hello there',
    score: 0,
    scores: [
      { name: 'equals', value: 1, pass: true, reason: 'ok', weight: 1 },
      { name: 'contains', value: 0, pass: false, reason: 'expected "Paris"', weight: 1 },
    ],
    ...overrides,
  });
}

export function makeError(
  category: NonNullable<ItemResult['error']>['category'],
  message = 'boom',
  overrides: Partial<ItemResult> = {},
): ItemResult {
  return makeResult({
    status: 'error',
    output: null,
    score: 0,
    scores: [],
    usage: {},
    costUsd: null,
    latencyMs: 0,
    error: { category, message },
    ...overrides,
  });
}

export function makeRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1',
    configPath: 'assay.yaml',
    status: 'completed',
    fingerprint: {
      configHash: 'c1',
      datasetVersion: 'd1',
      promptVersions: { main: 'p1' },
      targetVersions: { gpt: 'gv1' },
      scorerVersions: { contains: '1' },
      gitCommit: null,
      assayVersion: '0.1.0',
    },
    options: { suite: null, filters: [], targets: [], repeat: 1 },
    totalItems: 10,
    startedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
    finishedAt: Date.UTC(2025, 0, 2, 3, 5, 5),
    user: null,
    ...overrides,
  };
}
