import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupDirectories, tempDirectory } from '../test-helpers.js';
import { convertAssertion } from './assertions.js';
import { PromptfooContext } from './context.js';

afterEach(cleanupDirectories);

const PLACE = { owner: 'test "t"', index: 0, where: 'promptfooconfig.yaml:9:9' };

async function convert(raw: unknown, context = new PromptfooContext(process.cwd())) {
  return { assertion: await convertAssertion(raw, PLACE, context), context };
}

describe('convertAssertion', () => {
  it.each([
    'equals',
    'contains',
    'icontains',
    'contains-any',
    'contains-all',
    'starts-with',
    'regex',
    'rouge-n',
    'bleu',
    'javascript',
    'llm-rubric',
    'factuality',
    'g-eval',
    'answer-relevance',
    'similar',
  ])('keeps %s and its negation under the same name', async (type) => {
    for (const written of [type, `not-${type}`]) {
      const { assertion, context } = await convert({
        type: written,
        value: ['a'],
        threshold: 0.5,
        weight: 2,
      });
      expect(assertion).toEqual({ type: written, value: ['a'], threshold: 0.5, weight: 2 });
      expect(context.skipped).toEqual([]);
    }
  });

  it.each([
    ['latency', { type: 'latency', threshold: 5000 }],
    ['cost', { type: 'cost', threshold: 0.01 }],
    ['is-json', { type: 'is-json' }],
    ['contains-json', { type: 'contains-json' }],
  ])('keeps %s without a value', async (type, expected) => {
    expect(expected.type).toBe(type);
    expect((await convert(expected)).assertion).toEqual(expected);
  });

  it.each([
    ['icontains-any', { type: 'contains-any', value: ['a', 'b'], options: { ignoreCase: true } }],
    ['icontains-all', { type: 'contains-all', value: ['a', 'b'], options: { ignoreCase: true } }],
    ['not-icontains-any', { type: 'not-contains-any', value: ['a', 'b'], options: { ignoreCase: true } }],
    ['model-graded-closedqa', { type: 'closed-qa', value: ['a', 'b'] }],
    ['model-graded-factuality', { type: 'factuality', value: ['a', 'b'] }],
    ['is-valid-openai-tools-call', { type: 'tool-call', value: ['a', 'b'] }],
  ])('renames %s', async (type, expected) => {
    expect((await convert({ type, value: ['a', 'b'] })).assertion).toEqual(expected);
  });

  it('turns a levenshtein edit limit into a similarity on the reference length', async () => {
    const { assertion, context } = await convert({ type: 'levenshtein', value: 'forty-two', threshold: 3 });
    expect(assertion).toEqual({ type: 'levenshtein', value: 'forty-two', threshold: 0.66 });
    expect(context.notes).toEqual([
      'test "t" assert[0] levenshtein: at most 3 edits becomes similarity >= 0.66 (1 - edits / length)',
    ]);
    // promptfoo's default limit is 5 edits.
    expect((await convert({ type: 'not-levenshtein', value: 'Buenos Aires' })).assertion).toEqual({
      type: 'not-levenshtein',
      value: 'Buenos Aires',
      threshold: 0.58,
    });
    expect((await convert({ type: 'levenshtein', value: 'abc', threshold: 9 })).assertion?.threshold).toBe(0);
    const { assertion: noValue, context: noted } = await convert({ type: 'levenshtein', threshold: 2 });
    expect(noValue).toEqual({ type: 'levenshtein' });
    expect(noted.notes[0]).toMatch(/needs a value to convert/);
  });

  it("writes promptfoo's 0.75 default threshold for similar and rouge-n", async () => {
    expect((await convert({ type: 'similar', value: 'x' })).assertion).toEqual({
      type: 'similar',
      value: 'x',
      threshold: 0.75,
    });
    expect((await convert({ type: 'rouge-n', value: 'x' })).assertion).toEqual({
      type: 'rouge-n',
      value: 'x',
      threshold: 0.75,
    });
    expect((await convert({ type: 'bleu', value: 'x' })).assertion).toEqual({ type: 'bleu', value: 'x' });
  });

  it('rewrites context.vars in javascript checks to vars, noting other context use', async () => {
    const { assertion, context } = await convert({
      type: 'javascript',
      value: 'output.includes(context.vars.city) && context.prompt.length > 0',
    });
    expect(assertion).toEqual({
      type: 'javascript',
      value: 'output.includes(vars.city) && context.prompt.length > 0',
    });
    expect(context.notes).toEqual([
      'test "t" assert[0] javascript: uses context.*, which in Assay holds { task, latencyMs, usage, costUsd, prompt }',
    ]);
  });

  it('turns leading inline regex flags into /pattern/flags and skips patterns JavaScript rejects', async () => {
    const { assertion, context } = await convert({ type: 'not-regex', value: '(?i)sorry' });
    expect(assertion).toEqual({ type: 'not-regex', value: '/sorry/i' });
    expect(context.notes).toEqual(['test "t" assert[0] not-regex: pattern "(?i)sorry" written as /sorry/i']);
    expect((await convert({ type: 'regex', value: '^\\d+$' })).assertion).toEqual({
      type: 'regex',
      value: '^\\d+$',
    });
    const bad = await convert({ type: 'regex', value: '(?P<x>a)' });
    expect(bad.assertion).toBeUndefined();
  });

  it('splits a comma-separated contains-any value into a list', async () => {
    const { assertion } = await convert({ type: 'icontains-all', value: 'refund, 30 days ,' });
    expect(assertion).toEqual({
      type: 'contains-all',
      value: ['refund', '30 days'],
      options: { ignoreCase: true },
    });
  });

  it('moves a JSON schema value of is-json and contains-json to options.schema', async () => {
    const schema = { type: 'object', required: ['category'] };
    expect((await convert({ type: 'is-json', value: schema })).assertion).toEqual({
      type: 'is-json',
      options: { schema },
    });
    expect((await convert({ type: 'not-contains-json', value: schema })).assertion).toEqual({
      type: 'not-contains-json',
      options: { schema },
    });
  });

  it('inlines file:// values: JSON and YAML parsed, text as it is', async () => {
    const dir = await tempDirectory();
    await mkdir(path.join(dir, 'rubrics'));
    await writeFile(path.join(dir, 'rubrics/tone.txt'), 'Is friendly and brief.\n');
    await writeFile(path.join(dir, 'schema.yaml'), 'type: object\nrequired: [answer]\n');
    const context = new PromptfooContext(dir);
    expect(
      (await convert({ type: 'llm-rubric', value: 'file://rubrics/tone.txt' }, context)).assertion,
    ).toEqual({
      type: 'llm-rubric',
      value: 'Is friendly and brief.\n',
    });
    expect((await convert({ type: 'is-json', value: 'file://schema.yaml' }, context)).assertion).toEqual({
      type: 'is-json',
      options: { schema: { type: 'object', required: ['answer'] } },
    });
    expect([...context.inputs].sort()).toEqual([
      path.join(dir, 'rubrics/tone.txt'),
      path.join(dir, 'schema.yaml'),
    ]);
  });

  it('maps a grader override and makes metric names identifiers', async () => {
    const { assertion, context } = await convert({
      type: 'llm-rubric',
      value: 'is polite',
      metric: 'Tone (polite)',
      provider: 'anthropic:messages:claude-3-5-sonnet-20241022',
    });
    expect(assertion).toEqual({
      type: 'llm-rubric',
      value: 'is polite',
      metric: 'Tone_polite_',
      grader: 'anthropic:claude-3-5-sonnet-20241022',
    });
    expect(context.notes).toEqual([
      'test "t" assert[0] llm-rubric: metric "Tone (polite)" renamed to "Tone_polite_"',
    ]);
  });

  it("keeps the assertion and its grader's id but lists a rubric prompt, grader settings and unknown settings", async () => {
    const { assertion, context } = await convert({
      type: 'factuality',
      value: 'Paris is the capital',
      rubricPrompt: 'Grade this: {{ output }}',
      provider: { id: 'openai:gpt-4o', config: { temperature: 0 } },
      config: { strict: true },
    });
    expect(assertion).toEqual({ type: 'factuality', value: 'Paris is the capital', grader: 'openai:gpt-4o' });
    expect(context.skipped.map((skip) => skip.item)).toEqual([
      'test "t" assert[0] factuality provider',
      'test "t" assert[0] factuality rubricPrompt',
      'test "t" assert[0] factuality config',
    ]);
    expect(context.skipped.every((skip) => skip.where === PLACE.where)).toBe(true);
  });

  it.each([
    [{ type: 'python', value: 'len(output) < 50' }, 'test "t" assert[0] python', /Python assertions/],
    [{ type: 'not-python', value: 'x' }, 'test "t" assert[0] not-python', /Python assertions/],
    [{ type: 'webhook', value: 'https://x' }, 'test "t" assert[0] webhook', /webhook/],
    [{ type: 'perplexity', threshold: 2 }, 'test "t" assert[0] perplexity', /log-probabilities/],
    [{ type: 'select-best', value: 'x' }, 'test "t" assert[0] select-best', /several targets/],
    [{ type: 'max-score' }, 'test "t" assert[0] max-score', /several targets/],
    [{ type: 'context-recall', value: 'x' }, 'test "t" assert[0] context-recall', /RAG/],
    [{ type: 'is-sql' }, 'test "t" assert[0] is-sql', /SQL/],
    [{ type: 'assert-set', assert: [] }, 'test "t" assert[0] assert-set', /assertion sets/],
    [{ type: 'moderation' }, 'test "t" assert[0] moderation', /moderation/],
    [{ type: 'contians', value: 'x' }, 'test "t" assert[0] contians', /unknown assertion type "contians"/],
    [
      { type: 'contains', value: 'x', transform: 'output.toLowerCase()' },
      'test "t" assert[0] contains',
      /transform/,
    ],
    [
      { type: 'javascript', value: 'file://checks/length.js' },
      'test "t" assert[0] javascript',
      /from a file.*adapt it/,
    ],
    [{ $ref: '#/assertionTemplates/polite' }, 'test "t" assert[0]', /\$ref/],
    [{ value: 'x' }, 'test "t" assert[0]', /no type/],
    ['contains: x', 'test "t" assert[0]', /not an assertion object/],
  ])('skips %j', async (raw, item, reason) => {
    const { assertion, context } = await convert(raw);
    expect(assertion).toBeUndefined();
    expect(context.skipped).toHaveLength(1);
    expect(context.skipped[0]).toMatchObject({ item, where: PLACE.where });
    expect(context.skipped[0]?.reason).toMatch(reason);
  });
});
