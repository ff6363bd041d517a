/** Fixtures for the store contract suite. */
import { randomUUID } from 'node:crypto';
import type { ItemResult, PromptTemplate, RunRecord, Target, Task } from '../types.js';
import type { Store } from './store.js';

export const unique = (prefix: string): string => `${prefix}-${randomUUID()}`;

export function makeRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: unique('run'),
    configPath: 'evals/assay.yaml',
    status: 'running',
    fingerprint: {
      configHash: 'c0ffee',
      datasetVersion: 'd1',
      promptVersions: { greet: 'p1' },
      targetVersions: { mini: 't1', large: 't2' },
      scorerVersions: { equals: 's1' },
      gitCommit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      assayVersion: '0.1.0',
    },
    options: { suite: 'critical', filters: ['tag:math'], targets: ['mini'], repeat: 3 },
    totalItems: 12,
    startedAt: Date.now(),
    finishedAt: null,
    user: 'ana',
    ...overrides,
  };
}

export function makeResult(runId: string, overrides: Partial<ItemResult> = {}): ItemResult {
  return {
    runId,
    itemId: unique('item'),
    taskId: 'math-1',
    taskVersion: 'tv1',
    targetName: 'mini',
    targetVersion: 't1',
    repeat: 0,
    status: 'passed',
    prompt: [{ role: 'user', content: 'What is 2 + 2?' }],
    output: '4',
    score: 1,
    scores: [{ name: 'equals', value: 1, pass: true, reason: 'matched', weight: 1 }],
    latencyMs: 120,
    usage: { inputTokens: 12, outputTokens: 1 },
    costUsd: 0.000_02,
    attempts: 1,
    cached: false,
    servedBy: 'mini',
    error: null,
    createdAt: Date.now(),
    ...overrides,
  };
}

export const prompt: PromptTemplate = {
  name: 'greet',
  path: 'prompts/greet.njk',
  kind: 'chat',
  source: '- role: user\n  content: Hello {{ name }}',
  version: 'p1',
  gitCommit: 'abc123',
};

export function makeTask(overrides: Partial<Task> = {}): Task {
  return {
    id: unique('task'),
    version: 'tv1',
    vars: { name: 'Ada' },
    expected: 'Hello Ada',
    assert: [{ type: 'equals', value: 'Hello Ada' }],
    tags: ['smoke'],
    metadata: {},
    source: 'tasks/greet.yaml',
    ...overrides,
  };
}

export function makeTarget(overrides: Partial<Target> = {}): Target {
  return {
    name: unique('target'),
    providerId: 'openai:gpt-4o-mini',
    config: { temperature: 0 },
    prompt,
    options: { base_url: 'http://localhost:1234' },
    timeoutMs: 30_000,
    version: 't1',
    ...overrides,
  };
}

export function makeVersions(): { tasks: Task[]; prompts: PromptTemplate[]; targets: Target[] } {
  const task = makeTask();
  return {
    tasks: [task, { ...task, version: 'tv2', expected: 'Hi Ada' }],
    prompts: [prompt],
    targets: [makeTarget()],
  };
}

/** What the contract cases in other files get: the store opened for the current test. */
export interface ContractContext {
  store(): Store;
  withRun(overrides?: Partial<RunRecord>): Promise<RunRecord>;
}
