import { UserError } from '../errors.js';
import type { AssertionSpec, Task } from '../types.js';
import { DEFAULT_TIME_LIMIT } from '../user-code/time-limit.js';
import { UserCode } from '../user-code/user-code.js';
import { nearestName } from '../util/suggest.js';
import { bleuScorer } from './bleu.js';
import { containsScorer } from './contains.js';
import { containsAllScorer } from './contains-all.js';
import { containsAnyScorer } from './contains-any.js';
import { containsJsonScorer } from './contains-json.js';
import { costScorer } from './cost.js';
import { equalsScorer } from './equals.js';
import { icontainsScorer } from './icontains.js';
import { isJsonScorer } from './is-json.js';
import { javascriptScorer } from './javascript.js';
import { answerRelevanceScorer } from './judge/answer-relevance.js';
import { closedQaScorer } from './judge/closed-qa.js';
import { factualityScorer } from './judge/factuality.js';
import { gEvalScorer } from './judge/g-eval.js';
import { llmRubricScorer } from './judge/llm-rubric.js';
import { similarScorer } from './judge/similar.js';
import { latencyScorer } from './latency.js';
import { levenshteinScorer } from './levenshtein.js';
import { numericScorer } from './numeric.js';
import { regexScorer } from './regex.js';
import { rougeNScorer } from './rouge-n.js';
import type { PrepareContext, ScoreInput, Scorer, ScoreVerdict } from './scorer.js';
import { startsWithScorer } from './starts-with.js';
import { describeValue } from './text.js';
import { toolCallScorer } from './tool-call.js';

/** Prefix that negates any scorer: `not-contains`, `not-is-json`… */
export const NEGATION_PREFIX = 'not-';

/** The scorers every registry starts with. */
export const builtinScorers: readonly Scorer[] = [
  equalsScorer,
  containsScorer,
  icontainsScorer,
  regexScorer,
  isJsonScorer,
  latencyScorer,
  costScorer,
  containsAnyScorer,
  containsAllScorer,
  startsWithScorer,
  containsJsonScorer,
  levenshteinScorer,
  rougeNScorer,
  bleuScorer,
  numericScorer,
  toolCallScorer,
  javascriptScorer,
  llmRubricScorer,
  factualityScorer,
  closedQaScorer,
  gEvalScorer,
  answerRelevanceScorer,
  similarScorer,
];

export type ScoreFunction = (input: ScoreInput) => ScoreVerdict | Promise<ScoreVerdict>;

/** One assertion of a task, validated and ready to score outputs. */
export interface PreparedAssertion {
  /** The type as written, e.g. `not-contains`; the name of its `ScoreResult`. */
  name: string;
  weight: number;
  metric?: string;
  score: ScoreFunction;
}

/** Scorers by name. The default registry holds the built-ins; a fresh one keeps tests independent. */
export class ScorerRegistry {
  readonly #scorers = new Map<string, Scorer>();

  constructor(scorers: Iterable<Scorer> = builtinScorers) {
    for (const scorer of scorers) this.register(scorer);
  }

  /** Adds a scorer; names are unique and cannot start with `not-`. */
  register(scorer: Scorer): void {
    const { name, version } = scorer;
    if (typeof name !== 'string' || !/^\S+$/.test(name) || name.startsWith(NEGATION_PREFIX)) {
      throw new UserError(
        `scorer name must be a non-empty word not starting with "${NEGATION_PREFIX}", got ${describeValue(name)}`,
        undefined,
        `"${NEGATION_PREFIX}" is reserved for negation: every scorer can be used as "${NEGATION_PREFIX}<name>"`,
      );
    }
    if (typeof version !== 'string' || version === '') {
      throw new UserError(
        `scorer "${name}" needs a non-empty version string, got ${describeValue(version)}`,
        undefined,
        `set version: '1' and bump it whenever the scoring logic changes`,
      );
    }
    if (this.#scorers.has(name)) {
      throw new UserError(
        `a scorer named "${name}" is already registered`,
        undefined,
        'give the custom scorer another name',
      );
    }
    this.#scorers.set(name, scorer);
  }

  get(name: string): Scorer | undefined {
    return this.#scorers.get(name);
  }

  names(): string[] {
    return [...this.#scorers.keys()];
  }

  /** Validates an assertion and prepares its scorer for `task`; `not-` negates the verdict. */
  resolve(
    spec: AssertionSpec,
    where: string,
    task: Task,
    context: PrepareContext = standalonePrepareContext(),
  ): PreparedAssertion {
    const { scorer, negated } = this.#lookup(spec.type, where);
    const weight = checkWeight(spec.weight, where);
    const metric = checkMetric(spec.metric, where);
    const score = prepareWithLocation(scorer, spec, where, task, context);
    return {
      name: spec.type,
      weight,
      ...(metric !== undefined ? { metric } : {}),
      score: negated ? negate(score) : score,
    };
  }

  /** Versions of the scorers behind assertion types, keyed by scorer name in sorted order (for fingerprints). */
  versions(types: Iterable<string>): Record<string, string> {
    const names = new Set<string>();
    for (const type of types) names.add(this.#lookup(type, 'scorer versions').scorer.name);
    const versions: Record<string, string> = {};
    for (const name of [...names].sort()) versions[name] = this.#scorers.get(name)?.version ?? '';
    return versions;
  }

  #lookup(type: unknown, where: string): { scorer: Scorer; negated: boolean } {
    if (typeof type !== 'string') {
      throw new UserError(`assertion "type" must be a string, got ${describeValue(type)}`, where);
    }
    const negated = type.startsWith(NEGATION_PREFIX);
    const base = negated ? type.slice(NEGATION_PREFIX.length) : type;
    const scorer = this.#scorers.get(base);
    if (scorer) return { scorer, negated };
    const known = this.names();
    const nearest = nearestName(base, known);
    const prefix = negated ? NEGATION_PREFIX : '';
    throw new UserError(
      `unknown assertion type "${type}"${nearest ? `; did you mean "${prefix}${nearest}"?` : ''}`,
      where,
      `known types: ${known.join(', ')} (each can be negated with "${NEGATION_PREFIX}")`,
    );
  }
}

/** Gives every preparation failure, including a custom scorer's own bug, the assertion's location. */
function prepareWithLocation(
  scorer: Scorer,
  spec: AssertionSpec,
  where: string,
  task: Task,
  context: PrepareContext,
): ScoreFunction {
  try {
    return scorer.prepare(spec, where, task, context);
  } catch (error) {
    if (error instanceof UserError) {
      if (error.location !== undefined) throw error;
      throw new UserError(error.message, where, error.hint, { cause: error.cause });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(`scorer "${scorer.name}" failed to prepare: ${message}`, where, undefined, {
      cause: error,
    });
  }
}

/**
 * The context scorers get outside a run (tests, `defaultRegistry` users): paths resolve against
 * the working directory, there is no judge, and user code has the default time limit.
 */
export function standalonePrepareContext(baseDir = process.cwd()): PrepareContext {
  standaloneUserCode ??= new UserCode(DEFAULT_TIME_LIMIT);
  return {
    baseDir,
    resolveGrader(grader, where) {
      throw new UserError(
        `no judge model is available here${grader ? ` for grader "${grader}"` : ''}`,
        where,
        'model-graded scorers run inside `assay run`, with `grader:` set in assay.yaml or on the assertion',
      );
    },
    recordJudgePrompt() {},
    userCode: standaloneUserCode,
  };
}

/**
 * Shared by every standalone context, so scoring outside a run starts at most one check worker
 * (which never keeps the process alive). A run makes its own, with its config's time limit.
 */
let standaloneUserCode: UserCode | undefined;

function checkMetric(metric: unknown, where: string): string | undefined {
  if (metric === undefined) return undefined;
  if (typeof metric === 'string' && /^[A-Za-z_][\w.-]*$/.test(metric)) return metric;
  throw new UserError(
    `assertion "metric" must be a name such as "accuracy", got ${describeValue(metric)}`,
    where,
    'use letters, digits, "_", "-" or "." and start with a letter',
  );
}

function checkWeight(weight: unknown, where: string): number {
  if (weight === undefined) return 1;
  if (typeof weight === 'number' && Number.isFinite(weight) && weight >= 0) return weight;
  throw new UserError(
    `assertion "weight" must be a finite number from 0 and up, got ${describeValue(weight)}`,
    where,
    'weights are relative (default 1); use 0 to report an assertion without counting it',
  );
}

function negateVerdict(verdict: ScoreVerdict): ScoreVerdict {
  return {
    value: 1 - verdict.value,
    pass: !verdict.pass,
    reason: `not: ${verdict.reason}`,
    ...(verdict.costUsd !== undefined ? { costUsd: verdict.costUsd } : {}),
  };
}

function negate(score: ScoreFunction): ScoreFunction {
  return (input) => {
    const verdict = score(input);
    return isPromiseLike(verdict) ? Promise.resolve(verdict).then(negateVerdict) : negateVerdict(verdict);
  };
}

/** Scorers may answer synchronously; only a real promise is awaited. */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** The registry used by `prepareTask` unless another is given. */
export const defaultRegistry = new ScorerRegistry();

/** Adds a custom scorer (see `defineScorer`) to the default registry; rejects duplicate names. */
export function registerScorer(scorer: Scorer): void {
  defaultRegistry.register(scorer);
}

/** Validates one assertion and prepares it for `task`, with the default registry. */
export function resolveAssertion(
  spec: AssertionSpec,
  where: string,
  task: Task,
  context?: PrepareContext,
): PreparedAssertion {
  return defaultRegistry.resolve(spec, where, task, context);
}

/** `{ name: version }` of the scorers behind the given assertion types, for the run fingerprint. */
export function scorerVersions(types: Iterable<string>): Record<string, string> {
  return defaultRegistry.versions(types);
}
