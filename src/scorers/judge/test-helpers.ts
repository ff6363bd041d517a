/** Fixtures for judge scorer tests (excluded from the build). */
import type { AssertionSpec, ChatMessage, Task } from '../../types.js';
import { standalonePrepareContext } from '../registry.js';
import type {
  EmbeddingAnswer,
  JudgeRequest,
  JudgeService,
  PrepareContext,
  Scorer,
  ScoreVerdict,
} from '../scorer.js';
import { makeInput, makeTask, WHERE } from '../test-helpers.js';

export { makeInput, makeTask, WHERE };

/** A prepare context that resolves every grader to `judge-model` (or the assertion's own) and records prompts. */
export function judgeContext(baseDir = process.cwd()): PrepareContext & {
  recorded: Array<{ name: string; version: string }>;
  graders: Array<string | undefined>;
} {
  const recorded: Array<{ name: string; version: string }> = [];
  const graders: Array<string | undefined> = [];
  return {
    ...standalonePrepareContext(baseDir),
    recorded,
    graders,
    resolveGrader(grader) {
      graders.push(grader);
      return grader ?? 'judge-model';
    },
    recordJudgePrompt(name, version) {
      recorded.push({ name, version });
    },
  };
}

/** A judge that answers every completion with `reply(messages)` at `costUsd`, and embeds with `embed`. */
export function fakeJudge(
  reply: string | ((messages: ChatMessage[]) => string),
  options: { costUsd?: number | null; embed?: (inputs: string[]) => number[][] } = {},
): JudgeService & { requests: JudgeRequest[]; embedded: Array<{ grader: string; inputs: string[] }> } {
  const requests: JudgeRequest[] = [];
  const embedded: Array<{ grader: string; inputs: string[] }> = [];
  const costUsd = options.costUsd === undefined ? 0.002 : options.costUsd;
  return {
    requests,
    embedded,
    async complete(request) {
      requests.push(request);
      const output = typeof reply === 'string' ? reply : reply(request.messages);
      return { output, costUsd, cached: false };
    },
    async embed(request): Promise<EmbeddingAnswer> {
      embedded.push(request);
      if (!options.embed) throw new Error('this fake judge has no embeddings');
      return { vectors: options.embed(request.inputs), costUsd, cached: false };
    },
  };
}

/** Prepares `spec` with `scorer` for `task` and scores `output` with `judge`. */
export async function judgeWith(
  scorer: Scorer,
  spec: Omit<AssertionSpec, 'type'>,
  output: string,
  judge: JudgeService | undefined,
  task: Task = makeTask(),
  context: PrepareContext = judgeContext(),
): Promise<ScoreVerdict> {
  const score = scorer.prepare({ type: scorer.name, ...spec }, WHERE, task, context);
  return score(makeInput(output, { task, ...(judge ? { judge } : {}) }));
}

/** The rejection of a promise that must fail. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error(`expected a rejection with an Error, got ${String(error)}`);
  return error;
}
