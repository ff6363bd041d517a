import type { AssertionSpec, ChatMessage, Task, Usage } from '../types.js';

/** What a scorer sees of one finished call. */
export interface ScoreInput {
  output: string;
  task: Task;
  prompt: ChatMessage[];
  latencyMs: number;
  usage: Usage;
  costUsd: number | null;
}

export interface ScoreVerdict {
  /** 0..1 */
  value: number;
  pass: boolean;
  reason: string;
}

/**
 * The scorer contract. `prepare` validates the assertion's configuration once, before the run
 * starts (throwing `UserError` for bad input such as an invalid regex), and returns the function
 * that scores each output. It is called once per task, with that task, so a scorer can fall back
 * on `task.expected`; the returned function only scores outputs of that task.
 */
export interface Scorer {
  readonly name: string;
  /** Bumped when the scoring logic changes; part of the run fingerprint. */
  readonly version: string;
  prepare(
    spec: AssertionSpec,
    where: string,
    task: Task,
  ): (input: ScoreInput) => ScoreVerdict | Promise<ScoreVerdict>;
}

/** Identity helper for custom scorers. */
export function defineScorer(scorer: Scorer): Scorer {
  return scorer;
}
