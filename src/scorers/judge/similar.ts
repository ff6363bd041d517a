import { UserError } from '../../errors.js';
import type { Scorer } from '../scorer.js';
import { reaches, readOptions, unitThreshold } from '../scorer-options.js';
import { describeValue } from '../text.js';
import { requireJudge, withCost } from './judge-scorer.js';

/** Cosine similarity needed to pass when the assertion sets no threshold. */
export const SIMILAR_DEFAULT_THRESHOLD = 0.8;

/**
 * `similar`: embeds the output and the reference (`value`, else the task's `expected`) with the
 * grader's embeddings endpoint; value = max(0, cosine similarity), pass when value >= threshold (0.8).
 */
export const similarScorer: Scorer = {
  name: 'similar',
  version: '1',
  prepare(spec, where, task, context) {
    readOptions('similar', spec, where, []);
    const threshold = unitThreshold('similar', spec, where, SIMILAR_DEFAULT_THRESHOLD);
    const reference = referenceOf(spec.value ?? task.expected, where);
    const grader = context.resolveGrader(spec.grader, where);
    return async (input) => {
      const judge = requireJudge(input);
      // An empty text has no meaning to compare (and OpenAI rejects it): nothing is similar to it.
      if (input.output.trim() === '') return { value: 0, pass: false, reason: 'empty output' };
      const answer = await judge.embed({ grader, inputs: [input.output, reference] });
      const [output, expected] = answer.vectors;
      const cosine = output && expected ? cosineSimilarity(output, expected) : undefined;
      if (cosine === undefined) {
        const error = new Error(
          `embeddings unusable: expected 2 vectors of the same non-zero length, got ${describeShapes(answer.vectors)}`,
        );
        throw Object.assign(error, typeof answer.costUsd === 'number' ? { costUsd: answer.costUsd } : {});
      }
      const value = Math.max(0, Math.min(1, cosine));
      const pass = reaches(value, threshold);
      const reason = `cosine similarity ${value.toFixed(3)} ${pass ? '>=' : '<'} ${threshold}`;
      return withCost({ value, pass, reason }, answer.costUsd);
    };
  },
};

function referenceOf(value: unknown, where: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new UserError(
    value === undefined
      ? 'similar has nothing to compare with: the assertion has no "value" and the task no "expected"'
      : `similar needs a reference text as "value", got ${describeValue(value)}`,
    where,
    'add "value: <the text the output should resemble>" to the assertion or "expected: ..." to the task',
  );
}

/** Cosine of two vectors; undefined when they differ in length or one is all zeros. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number | undefined {
  if (a.length === 0 || a.length !== b.length) return undefined;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    const x = a[index]!;
    const y = b[index]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return undefined;
  return dot / Math.sqrt(normA * normB);
}

function describeShapes(vectors: readonly number[][]): string {
  return `${vectors.length} (lengths ${vectors.map((vector) => vector.length).join(', ') || 'none'})`;
}
