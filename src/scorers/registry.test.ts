import { describe, expect, it } from 'vitest';
import type { AssertionSpec } from '../types.js';
import {
  builtinScorers,
  registerScorer,
  resolveAssertion,
  ScorerRegistry,
  scorerVersions,
  standalonePrepareContext,
} from './registry.js';
import { defineScorer, type JudgeService, type ScoreInput, type ScoreVerdict } from './scorer.js';
import { expectUserError, makeInput, makeTask, WHERE } from './test-helpers.js';

const task = makeTask({ expected: '5' });

/** Model-graded scorers get a grader and a judge that agrees with everything, at an unknown cost. */
const context = { ...standalonePrepareContext(), resolveGrader: (grader?: string) => grader ?? 'judge' };
const judge: JudgeService = {
  async complete({ messages }) {
    const grading = messages.at(-1)?.content.includes('<criteria>')
      ? '{"score": 5}'
      : '{"pass": true, "choice": "C"}';
    return { output: grading, costUsd: null, cached: false };
  },
  async embed({ inputs }) {
    return { vectors: inputs.map(() => [1, 0]), costUsd: null, cached: false };
  },
};

async function scoreType(
  spec: AssertionSpec,
  input: ScoreInput,
  registry = new ScorerRegistry(),
): Promise<ScoreVerdict> {
  return registry.resolve(spec, WHERE, task, context).score(input);
}

/** One passing case per built-in scorer. */
const passingCases: Array<[AssertionSpec, ScoreInput]> = [
  [{ type: 'equals', value: '5' }, makeInput('5')],
  [{ type: 'contains', value: 'Paris' }, makeInput('in Paris')],
  [{ type: 'icontains', value: 'paris' }, makeInput('PARIS')],
  [{ type: 'regex', value: '^\\d+$' }, makeInput('42')],
  [{ type: 'is-json' }, makeInput('{}')],
  [{ type: 'latency', threshold: 1000 }, makeInput('', { latencyMs: 10 })],
  [{ type: 'cost', threshold: 0.01 }, makeInput('', { costUsd: 0.001 })],
  [{ type: 'contains-any', value: ['Lyon', 'Paris'] }, makeInput('in Paris')],
  [{ type: 'contains-all', value: 'in, Paris' }, makeInput('in Paris')],
  [{ type: 'starts-with', value: 'in' }, makeInput('in Paris')],
  [{ type: 'contains-json' }, makeInput('here: {"a": 1}')],
  [{ type: 'levenshtein', value: 'Paris' }, makeInput('Paris')],
  [{ type: 'rouge-n', value: 'the cat' }, makeInput('the cat')],
  [{ type: 'bleu', value: 'the cat sat' }, makeInput('the cat sat')],
  [{ type: 'numeric' }, makeInput('5 apples')],
  [
    { type: 'tool-call', value: 'now' },
    makeInput('[{"name": "now", "arguments": {}}]', {
      config: { tools: [{ type: 'function', function: { name: 'now' } }] },
    }),
  ],
  [{ type: 'javascript', value: 'output === expected' }, makeInput('5', { task })],
  [{ type: 'llm-rubric', value: 'Says "5"' }, makeInput('5', { judge })],
  [{ type: 'factuality' }, makeInput('5', { task, judge })],
  [{ type: 'closed-qa' }, makeInput('5', { task, judge })],
  [{ type: 'g-eval', value: 'Is a number' }, makeInput('5', { judge })],
  [{ type: 'answer-relevance' }, makeInput('5', { judge })],
  [{ type: 'similar' }, makeInput('5', { task, judge })],
];

describe('ScorerRegistry', () => {
  it('holds every built-in scorer', () => {
    expect(new ScorerRegistry().names()).toEqual([
      'equals',
      'contains',
      'icontains',
      'regex',
      'is-json',
      'latency',
      'cost',
      'contains-any',
      'contains-all',
      'starts-with',
      'contains-json',
      'levenshtein',
      'rouge-n',
      'bleu',
      'numeric',
      'tool-call',
      'javascript',
      'llm-rubric',
      'factuality',
      'closed-qa',
      'g-eval',
      'answer-relevance',
      'similar',
    ]);
    expect(passingCases.map(([spec]) => spec.type)).toEqual(builtinScorers.map((scorer) => scorer.name));
  });

  it.each(passingCases)('negates $type with not-', async (spec, input) => {
    const plain = await scoreType(spec, input);
    const negated = await scoreType({ ...spec, type: `not-${spec.type}` }, input);
    expect(plain.pass).toBe(true);
    expect(negated).toEqual({ value: 1 - plain.value, pass: false, reason: `not: ${plain.reason}` });
  });

  it('lets a negated assertion pass when the scorer fails', async () => {
    const verdict = await scoreType({ type: 'not-contains', value: 'sorry' }, makeInput('Here you go'));
    expect(verdict).toEqual({ value: 1, pass: true, reason: 'not: "sorry" not found in "Here you go"' });
  });

  it('names the prepared assertion as written and defaults its weight to 1', () => {
    const prepared = new ScorerRegistry().resolve({ type: 'not-equals', value: 'x' }, WHERE, task);
    expect(prepared.name).toBe('not-equals');
    expect(prepared.weight).toBe(1);
  });

  it('rejects an unknown type, suggesting the nearest name and listing the known ones', () => {
    const registry = new ScorerRegistry();
    const error = expectUserError(
      () => registry.resolve({ type: 'contain', value: 'x' }, WHERE, task),
      /unknown assertion type "contain"; did you mean "contains"\?/,
    );
    expect(error.hint).toMatch(/equals, contains, icontains, regex, is-json, latency, cost/);
    expectUserError(
      () => registry.resolve({ type: 'not-contian' }, WHERE, task),
      /did you mean "not-contains"/,
    );
    const unrelated = expectUserError(() => registry.resolve({ type: 'perplexity' }, WHERE, task), /unknown/);
    expect(unrelated.message).not.toMatch(/did you mean/);
  });

  it('rejects a negative, infinite or non-numeric weight and accepts 0', () => {
    const registry = new ScorerRegistry();
    const resolve = (weight: unknown) => () =>
      registry.resolve({ type: 'is-json', weight } as AssertionSpec, WHERE, task);
    expectUserError(resolve(-1), /"weight" must be a finite number from 0 and up, got -1 \(number\)/);
    expectUserError(resolve(Number.POSITIVE_INFINITY), /got Infinity/);
    expectUserError(resolve('2'), /got "2" \(string\)/);
    expect(resolve(0)().weight).toBe(0);
  });

  it('passes scorer configuration errors through with the location', () => {
    expectUserError(
      () => new ScorerRegistry().resolve({ type: 'not-regex', value: '(' }, WHERE, task),
      /invalid regex/,
    );
  });
});

describe('custom scorers', () => {
  const lengthScorer = defineScorer({
    name: 'max-length',
    version: '2',
    prepare(spec) {
      const limit = Number(spec.value);
      return async ({ output }) => ({
        value: output.length <= limit ? 1 : 0,
        pass: output.length <= limit,
        reason: `${output.length} chars`,
      });
    },
  });

  it('can be registered and used, negated included', async () => {
    const registry = new ScorerRegistry();
    registry.register(lengthScorer);
    expect(await scoreType({ type: 'max-length', value: 3 }, makeInput('abc'), registry)).toEqual({
      value: 1,
      pass: true,
      reason: '3 chars',
    });
    expect(await scoreType({ type: 'not-max-length', value: 3 }, makeInput('abc'), registry)).toEqual({
      value: 0,
      pass: false,
      reason: 'not: 3 chars',
    });
  });

  it('rejects a duplicate name, a not- name and an empty version', () => {
    const registry = new ScorerRegistry();
    expect(() => registry.register({ ...lengthScorer, name: 'contains' })).toThrow(/already registered/);
    expect(() => registry.register({ ...lengthScorer, name: 'not-short' })).toThrow(
      /not starting with "not-"/,
    );
    expect(() => registry.register({ ...lengthScorer, name: 'two words' })).toThrow(/non-empty word/);
    expect(() => registry.register({ ...lengthScorer, version: '' })).toThrow(/version/);
    expect(registry.get('not-short')).toBeUndefined();
  });

  it('gets the location when its prepare throws', () => {
    const registry = new ScorerRegistry();
    registry.register(
      defineScorer({
        name: 'broken',
        version: '1',
        prepare() {
          throw new TypeError('oops');
        },
      }),
    );
    const error = expectUserError(
      () => registry.resolve({ type: 'broken' }, WHERE, task),
      /scorer "broken" failed to prepare: oops/,
    );
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('registers into the default registry once', async () => {
    registerScorer({ ...lengthScorer, name: 'default-length' });
    expect(() => registerScorer({ ...lengthScorer, name: 'default-length' })).toThrow(/already registered/);
    const verdict = await resolveAssertion({ type: 'default-length', value: 1 }, WHERE, task).score(
      makeInput('ab'),
    );
    expect(verdict.pass).toBe(false);
  });
});

describe('scorerVersions', () => {
  it('maps assertion types to scorer versions, sorted, negations merged', () => {
    expect(scorerVersions(['regex', 'not-contains', 'contains', 'equals'])).toEqual({
      contains: '1',
      equals: '1',
      regex: '1',
    });
    expect(Object.keys(scorerVersions(['regex', 'contains']))).toEqual(['contains', 'regex']);
  });

  it('includes custom scorer versions and rejects unknown types', () => {
    const registry = new ScorerRegistry();
    registry.register({
      name: 'custom',
      version: '7',
      prepare: () => () => ({ value: 1, pass: true, reason: '' }),
    });
    expect(registry.versions(['not-custom'])).toEqual({ custom: '7' });
    expect(() => registry.versions(['nope'])).toThrow(/unknown assertion type "nope"/);
  });
});
