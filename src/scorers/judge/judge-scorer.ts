/**
 * The shape shared by the prompt-based model-graded scorers: at prepare, resolve the grader, check the
 * assertion, load and version the judge prompt; at score time, render it, ask the judge once, and
 * read its answer. Each scorer only says which variables it adds and how an answer becomes a verdict.
 */
import { UserError } from '../../errors.js';
import type { AssertionSpec, Task } from '../../types.js';
import type { JudgeService, ScoreInput, Scorer, ScoreVerdict } from '../scorer.js';
import { readOptions, unitThreshold } from '../scorer-options.js';
import { comparisonValue } from '../spec.js';
import { describeValue } from '../text.js';
import { loadJudgePrompt, promptText } from './prompt.js';

/** A judge answer turned into a verdict (before the cost is added). */
export type JudgeGrade = Omit<ScoreVerdict, 'costUsd'>;

export interface JudgeScorerDefinition {
  name: string;
  /** Bumped when the scoring logic changes (a prompt change is versioned by its content). */
  version: string;
  /** Score needed to pass when the assertion sets no `threshold`; undefined lets the judge's own pass decide. */
  defaultThreshold?: number;
  /** Reads the assertion's own template variables (rubric, reference…), throwing UserError when missing. */
  variables(spec: AssertionSpec, task: Task, where: string): Record<string, unknown>;
  /** Reads the judge's answer, throwing `JudgeParseError` (with `costUsd`) when it cannot. */
  grade(answer: string, threshold: number | undefined, costUsd: number | null): JudgeGrade;
}

/** Builds a scorer that asks the grader with its built-in prompt `judges/<name>.njk` (or `prompt:`). */
export function judgeScorer(definition: JudgeScorerDefinition): Scorer {
  const { name } = definition;
  return {
    name,
    version: definition.version,
    prepare(spec, where, task, context) {
      readOptions(name, spec, where, []);
      const threshold = optionalThreshold(name, spec, where, definition.defaultThreshold);
      const fixed = {
        expected: task.expected ?? '',
        vars: task.vars,
        ...definition.variables(spec, task, where),
      };
      const grader = context.resolveGrader(spec.grader, where);
      const prompt = loadJudgePrompt(name, spec, where, context, { ...fixed, output: '', input: '' });
      return async (input) => {
        const judge = requireJudge(input);
        const messages = prompt.render(
          { ...fixed, output: input.output, input: promptText(input.prompt) },
          where,
        );
        const answer = await judge.complete({ grader, messages });
        const grade = definition.grade(answer.output, threshold, answer.costUsd);
        return withCost(grade, answer.costUsd);
      };
    },
  };
}

/** The judge of a run; outside `assay run` there is none. */
export function requireJudge(input: ScoreInput): JudgeService {
  if (!input.judge) throw new Error('model-graded scorer needs a judge: run it with `assay run`');
  return input.judge;
}

/** A verdict carrying what its judge calls cost, when known. */
export function withCost(grade: JudgeGrade, costUsd: number | null): ScoreVerdict {
  return typeof costUsd === 'number' ? { ...grade, costUsd } : grade;
}

/** `spec.threshold` (0..1), else `fallback`, which may be undefined: "let the judge's verdict decide". */
export function optionalThreshold(
  name: string,
  spec: AssertionSpec,
  where: string,
  fallback: number | undefined,
): number | undefined {
  return spec.threshold === undefined && fallback === undefined
    ? undefined
    : unitThreshold(name, spec, where, fallback ?? 0.5);
}

/** A required non-empty text such as a rubric; `what` names it in the message. */
export function requiredText(
  name: string,
  value: unknown,
  what: string,
  where: string,
  example: string,
): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new UserError(
    `${name} needs ${what} as "value", got ${describeValue(value)}`,
    where,
    `add e.g. value: ${example}`,
  );
}

/** The reference answer: `spec.value`, else the task's `expected`; text or a number. */
export function referenceText(name: string, spec: AssertionSpec, task: Task, where: string): string {
  const value = comparisonValue(name, spec, task, where);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new UserError(
    `${name} needs a reference answer (text) as "value" or the task's "expected", got ${describeValue(value)}`,
    where,
    'write the correct answer, e.g. value: Paris is the capital of France',
  );
}

/** `judge: <reason>`, the reason of every model-graded verdict. */
export function judgeReason(reason: string, prefix = ''): string {
  const text = reason.trim() || 'no reason given';
  return `judge: ${prefix}${text}`;
}
