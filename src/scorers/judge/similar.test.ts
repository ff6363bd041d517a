import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { standalonePrepareContext } from '../registry.js';
import { cosineSimilarity, similarScorer } from './similar.js';
import { fakeJudge, judgeContext, judgeWith, makeTask, rejection, WHERE } from './test-helpers.js';

/** Embeds by fixed table, so each test knows the cosine. */
function embedder(table: Record<string, number[]>) {
  return (inputs: string[]) => inputs.map((input) => table[input] ?? [0, 0, 1]);
}

describe('similar', () => {
  it('embeds output and reference with the grader and passes at cosine >= 0.8', async () => {
    const judge = fakeJudge('', { embed: embedder({ out: [1, 0, 0], ref: [0.9, Math.sqrt(1 - 0.81), 0] }) });
    const verdict = await judgeWith(similarScorer, { value: 'ref' }, 'out', judge);
    expect(verdict.value).toBeCloseTo(0.9, 10);
    expect(verdict).toMatchObject({ pass: true, reason: 'cosine similarity 0.900 >= 0.8', costUsd: 0.002 });
    expect(judge.embedded).toEqual([{ grader: 'judge-model', inputs: ['out', 'ref'] }]);
    expect(judge.requests).toEqual([]);
  });

  it('fails below the threshold and clamps a negative cosine to 0', async () => {
    const judge = fakeJudge('', {
      embed: embedder({ out: [1, 0, 0], ref: [-1, 0, 0], half: [0.5, Math.sqrt(0.75), 0] }),
    });
    expect(await judgeWith(similarScorer, { value: 'ref' }, 'out', judge)).toMatchObject({
      value: 0,
      pass: false,
      reason: 'cosine similarity 0.000 < 0.8',
    });
    const custom = await judgeWith(similarScorer, { value: 'half', threshold: 0.5 }, 'out', judge);
    expect(custom.pass).toBe(true);
  });

  it("falls back on the task's expected output", async () => {
    const judge = fakeJudge('', { embed: embedder({}) });
    await judgeWith(similarScorer, {}, 'out', judge, makeTask({ expected: 'Paris' }));
    expect(judge.embedded[0]?.inputs).toEqual(['out', 'Paris']);
  });

  it('scores an empty output 0 without calling the judge', async () => {
    const judge = fakeJudge('', { embed: embedder({}) });
    expect(await judgeWith(similarScorer, { value: 'ref' }, '  ', judge)).toEqual({
      value: 0,
      pass: false,
      reason: 'empty output',
    });
    expect(judge.embedded).toEqual([]);
  });

  it('makes unusable vectors an error that keeps the cost', async () => {
    const judge = fakeJudge('', { embed: () => [[1, 0]], costUsd: 0.0001 });
    const error = await rejection(judgeWith(similarScorer, { value: 'ref' }, 'out', judge));
    expect(error.message).toBe(
      'embeddings unusable: expected 2 vectors of the same non-zero length, got 1 (lengths 2)',
    );
    expect((error as Error & { costUsd?: number }).costUsd).toBe(0.0001);
  });

  it('rejects a missing or non-text reference and a bad threshold at prepare', () => {
    const prepare = (spec: Record<string, unknown>) => () =>
      similarScorer.prepare({ type: 'similar', ...spec }, WHERE, makeTask(), judgeContext());
    expect(prepare({})).toThrow(UserError);
    expect(prepare({})).toThrow(/similar has nothing to compare with/);
    expect(prepare({ value: ['a'] })).toThrow('similar needs a reference text as "value", got ["a"] (array)');
    expect(prepare({ value: 'x', threshold: -0.1 })).toThrow(/"threshold" must be a number from 0 to 1/);
    expect(prepare({ value: 'x', options: { model: 'x' } })).toThrow('similar has no option "model"');
  });

  it('needs a judge and a grader', async () => {
    const error = await rejection(judgeWith(similarScorer, { value: 'ref' }, 'out', undefined));
    expect(error.message).toBe('model-graded scorer needs a judge: run it with `assay run`');
    const action = () =>
      similarScorer.prepare({ type: 'similar', value: 'x' }, WHERE, makeTask(), standalonePrepareContext());
    expect(action).toThrow(/no judge model is available here/);
  });
});

describe('cosineSimilarity', () => {
  it('is 1 for parallel vectors, 0 for orthogonal ones, and undefined when it cannot be computed', () => {
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 0], [1, 0, 0])).toBeUndefined();
    expect(cosineSimilarity([0, 0], [1, 0])).toBeUndefined();
    expect(cosineSimilarity([], [])).toBeUndefined();
  });
});
