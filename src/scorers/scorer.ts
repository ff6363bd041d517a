import type { ToolCall } from '../providers/provider.js';
import type { AssertionSpec, ChatMessage, GenerationConfig, Task, Usage } from '../types.js';
import type { UserCode } from '../user-code/user-code.js';

/** One request to a judge model, made by a model-graded scorer. */
export interface JudgeRequest {
  /** The grader: a target label or a provider id, resolved by `PrepareContext.resolveGrader`. */
  grader: string;
  messages: ChatMessage[];
}

export interface JudgeAnswer {
  output: string;
  /** What the call cost now (0 when answered from the cache); null when the price is unknown. */
  costUsd: number | null;
  cached: boolean;
}

export interface EmbeddingAnswer {
  /** One vector per input, in order. */
  vectors: number[][];
  costUsd: number | null;
  cached: boolean;
}

/**
 * Model calls on behalf of scorers. The executor provides one that goes through the same pipeline
 * as eval calls (cache, rate limits, retries, budget, cost); outside a run it is absent.
 */
export interface JudgeService {
  complete(request: JudgeRequest): Promise<JudgeAnswer>;
  embed(request: { grader: string; inputs: string[] }): Promise<EmbeddingAnswer>;
}

/** What a scorer sees of one finished call. */
export interface ScoreInput {
  output: string;
  task: Task;
  prompt: ChatMessage[];
  latencyMs: number;
  usage: Usage;
  costUsd: number | null;
  /** The target's generation config (declared `tools` live here). */
  config?: GenerationConfig;
  /** Tool calls the model made, when the provider reported them. */
  toolCalls?: ToolCall[];
  /** Judge model access for model-graded scorers (present during runs). */
  judge?: JudgeService;
}

export interface ScoreVerdict {
  /** 0..1 */
  value: number;
  pass: boolean;
  reason: string;
  /** What judge calls made for this verdict cost (model-graded scorers). */
  costUsd?: number;
}

/** What `prepare` may need beyond the assertion: where files are, and which judge to use. */
export interface PrepareContext {
  /** Directory that relative paths in assertions (judge prompts, scorer files) resolve against. */
  baseDir: string;
  /**
   * Resolves the judge for an assertion (its `grader`, else the config's `grader:`), throwing a
   * UserError when there is none; returns the name to pass in `JudgeRequest.grader`.
   */
  resolveGrader(grader: string | undefined, where: string): string;
  /** Records a judge prompt (name → content version) so it joins the run fingerprint. */
  recordJudgePrompt(name: string, version: string): void;
  /** The run's time limit for user code, and the worker that runs `javascript` checks under it. */
  userCode: UserCode;
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
    context: PrepareContext,
  ): (input: ScoreInput) => ScoreVerdict | Promise<ScoreVerdict>;
}

/** Identity helper for custom scorers. */
export function defineScorer(scorer: Scorer): Scorer {
  return scorer;
}
