/**
 * The built-in judge prompts against the mock server's judge, over HTTP through real provider adapters:
 * the deterministic verdicts examples rely on, and an unparseable answer forced with `x-mock-reply`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../mock/server.js';
import { createOpenAiCompatibleProvider } from '../../providers/openai-compatible.js';
import { createOpenRouterProvider } from '../../providers/openrouter.js';
import type { Provider } from '../../providers/provider.js';
import { testHttp } from '../../providers/test-helpers.js';
import type { AssertionSpec, Task } from '../../types.js';
import type { JudgeService, Scorer, ScoreVerdict } from '../scorer.js';
import { answerRelevanceScorer } from './answer-relevance.js';
import { closedQaScorer } from './closed-qa.js';
import { factualityScorer } from './factuality.js';
import { gEvalScorer } from './g-eval.js';
import { llmRubricScorer } from './llm-rubric.js';
import { JudgeParseError } from './parse.js';
import { similarScorer } from './similar.js';
import { judgeContext, makeInput, makeTask, rejection, WHERE } from './test-helpers.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

/** A judge service straight over one provider: what the executor's pipeline does, minus cache and retries. */
function providerJudge(provider: Provider): JudgeService {
  const signal = () => AbortSignal.timeout(10_000);
  return {
    async complete({ messages }) {
      const response = await provider.call({ messages, config: { temperature: 0 }, signal: signal() });
      return { output: response.output, costUsd: response.costUsd ?? null, cached: false };
    },
    async embed({ inputs }) {
      if (!provider.embed) throw new Error(`${provider.id} cannot embed`);
      const response = await provider.embed({ inputs, signal: signal() });
      return { vectors: response.vectors, costUsd: response.costUsd ?? null, cached: false };
    },
  };
}

function compatible(headers: Record<string, string> = {}): Provider {
  return createOpenAiCompatibleProvider({
    rest: 'mock-judge',
    options: { base_url: `${server.url}/v1`, headers },
    env: {},
    baseDir: '.',
    http: testHttp,
  });
}

async function grade(
  scorer: Scorer,
  spec: Omit<AssertionSpec, 'type'>,
  output: string,
  task: Task = makeTask(),
  provider: Provider = compatible(),
): Promise<ScoreVerdict> {
  const score = scorer.prepare({ type: scorer.name, ...spec }, WHERE, task, judgeContext());
  return score(makeInput(output, { task, judge: providerJudge(provider) }));
}

describe('built-in judge prompts graded by the mock', () => {
  it('llm-rubric passes when every quoted phrase of the rubric is in the output', async () => {
    const rubric = { value: 'Names "Paris" and "France"' };
    expect(await grade(llmRubricScorer, rubric, 'Paris, the capital of France.')).toEqual({
      value: 1,
      pass: true,
      reason: 'judge: the output contains "Paris", "France"',
    });
    expect(await grade(llmRubricScorer, rubric, 'Paris.')).toMatchObject({ value: 0.5, pass: false });
  });

  it('factuality compares key words of the expected answer', async () => {
    const task = makeTask({ expected: 'Paris is the capital of France' });
    expect(await grade(factualityScorer, {}, 'The capital of France is Paris', task)).toMatchObject({
      value: 1,
      pass: true,
      reason: expect.stringMatching(/^judge: \(C\) same facts as the reference: /),
    });
    expect(await grade(factualityScorer, {}, 'Paris', task)).toMatchObject({ value: 0.75, pass: true });
    expect(await grade(factualityScorer, {}, 'Lyon', task)).toMatchObject({ value: 0, pass: false });
  });

  it('closed-qa passes when the output has every key word of the reference', async () => {
    expect(await grade(closedQaScorer, { value: '5' }, 'The answer is 5.')).toMatchObject({
      value: 1,
      pass: true,
    });
    expect(await grade(closedQaScorer, { value: '5' }, 'The answer is 6.')).toMatchObject({
      value: 0,
      pass: false,
    });
  });

  it('g-eval maps the share of quoted criteria phrases to a 1–5 score', async () => {
    const criteria = { value: 'Mentions "Paris" and "France"' };
    expect(await grade(gEvalScorer, criteria, 'Paris in France')).toMatchObject({ value: 1, pass: true });
    expect(await grade(gEvalScorer, criteria, 'Paris')).toMatchObject({
      value: 0.5,
      pass: true,
      reason: expect.stringMatching(/^judge: 3\/5: /),
    });
    expect(await grade(gEvalScorer, criteria, 'Rome')).toMatchObject({ value: 0, pass: false });
  });

  it('answer-relevance fails a blank answer or a refusal only', async () => {
    expect(await grade(answerRelevanceScorer, {}, '5')).toMatchObject({ value: 1, pass: true });
    expect(await grade(answerRelevanceScorer, {}, "I don't know.")).toMatchObject({ value: 0, pass: false });
  });

  it('similar compares the mock embeddings of output and reference', async () => {
    const spec = { value: 'Paris is the capital of France' };
    const same = await grade(similarScorer, spec, 'The capital of France is Paris.');
    expect(same.value).toBeCloseTo(1, 6);
    expect(same.pass).toBe(true);
    expect(await grade(similarScorer, spec, 'Bananas are yellow')).toMatchObject({ pass: false });
  });

  it('makes an unparseable judge answer an error that carries the judge cost', async () => {
    const provider = createOpenRouterProvider({
      rest: 'openai/gpt-4o-mini',
      options: { base_url: server.url, headers: { 'x-mock-reply': 'Looks fine to me!' } },
      env: { OPENROUTER_API_KEY: 'sk-or-test' },
      baseDir: '.',
      http: testHttp,
    });
    const error = await rejection(
      grade(llmRubricScorer, { value: 'Is "fine"' }, 'fine', makeTask(), provider),
    );
    expect(error).toBeInstanceOf(JudgeParseError);
    expect(error.message).toBe(
      'judge answer not understood (no score or pass/fail verdict): "Looks fine to me!"',
    );
    expect((error as JudgeParseError).costUsd).toBeGreaterThan(0);
  });
});
