/** Fixtures for scorer tests (excluded from the build). */
import { expect } from 'vitest';
import { UserError } from '../errors.js';
import type { AssertionSpec, Task } from '../types.js';
import { standalonePrepareContext } from './registry.js';
import type { PrepareContext, ScoreInput, Scorer, ScoreVerdict } from './scorer.js';

export const WHERE = 'tasks/math.yaml: task "add-1" assertion 1';

/** The prepare context of scorer tests: no judge, paths relative to the working directory. */
export const CONTEXT: PrepareContext = standalonePrepareContext();

export function makeTask(overrides: Partial<Task> = {}): Task {
  return {
    id: 'add-1',
    version: 'v1',
    vars: {},
    assert: [],
    tags: [],
    metadata: {},
    source: 'tasks/math.yaml',
    ...overrides,
  };
}

export function makeInput(output: string, overrides: Partial<ScoreInput> = {}): ScoreInput {
  return {
    output,
    task: makeTask(),
    prompt: [{ role: 'user', content: 'What is 2 + 3?' }],
    latencyMs: 100,
    usage: { inputTokens: 10, outputTokens: 5 },
    costUsd: 0.001,
    ...overrides,
  };
}

/** Prepares `spec` with `scorer` and scores one output (synchronous scorers only). */
export function scoreWith(
  scorer: Scorer,
  spec: Omit<AssertionSpec, 'type'>,
  input: ScoreInput,
  task: Task = input.task,
): ScoreVerdict {
  const verdict = scorer.prepare({ type: scorer.name, ...spec }, WHERE, task, CONTEXT)(input);
  if (verdict instanceof Promise) throw new Error('expected a synchronous verdict');
  return verdict;
}

/** Runs `action`, expecting a `UserError` located at `location` whose message matches `message`. */
export function expectUserError(action: () => unknown, message: RegExp, location = WHERE): UserError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UserError);
  const error = caught as UserError;
  expect(error.message).toMatch(message);
  expect(error.location).toBe(location);
  return error;
}
