import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPENROUTER_PRICE_PER_MTOK } from '../mock/dialects/openai-chat.js';
import { type MockServer, startMockServer } from '../mock/server.js';
import type { ChatMessage } from '../types.js';
import { createOpenRouterProvider, openRouterErrorKind } from './openrouter.js';
import type { Provider } from './provider.js';
import { providerError, testHttp, userError } from './test-helpers.js';

const KEY = 'sk-or-mock-0123456789abcdef';
const MODEL = 'anthropic/claude-sonnet-4';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, apiKey: KEY });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
});

function create(options: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Provider {
  return createOpenRouterProvider({
    rest: MODEL,
    options: { base_url: server.url, ...options },
    env: { OPENROUTER_API_KEY: KEY, ...env },
    baseDir: '.',
    http: testHttp,
  });
}

const QUESTION: ChatMessage[] = [{ role: 'user', content: 'What is 6 * 7?' }];

function call(provider: Provider) {
  return provider.call({
    messages: QUESTION,
    config: { temperature: 0 },
    signal: AbortSignal.timeout(10_000),
  });
}

const promptTokens = Math.ceil(QUESTION[0]!.content.length / 4);
const expectedCost =
  (promptTokens * OPENROUTER_PRICE_PER_MTOK.input + 1 * OPENROUTER_PRICE_PER_MTOK.output) / 1e6;

describe.each([false, true])('openrouter adapter (stream: %s)', (stream) => {
  it('takes the cost OpenRouter reports in usage.cost and keeps the raw usage', async () => {
    const response = await call(create({ stream }));
    expect(response.output).toBe('42');
    const raw = response.usage.raw as Record<string, unknown>;
    expect(raw.cost).toBeCloseTo(expectedCost, 15);
    expect(response.costUsd).toBe(raw.cost);
    expect(raw.cost_details).toMatchObject({ upstream_inference_prompt_cost: promptTokens / 1e6 });
    expect(response.usage).toMatchObject({ inputTokens: promptTokens, outputTokens: 1 });
    if (stream) expect(response.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it('posts to /api/v1/chat/completions with the key, attribution headers and usage accounting', async () => {
    await call(create({ stream }));
    const [entry] = server.journal();
    expect(entry?.path).toBe('/api/v1/chat/completions');
    expect(entry?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(entry?.headers['http-referer']).toBe('https://github.com/assay-evals/assay');
    expect(entry?.headers['x-title']).toBe('Assay');
    expect(entry?.body).toMatchObject({ model: MODEL, usage: { include: true } });
    if (stream) expect(entry?.body).toHaveProperty('stream', true);
    else expect(entry?.body).not.toHaveProperty('stream');
  });
});

describe('openrouter adapter', () => {
  it('classifies a mid-stream error (error chunk, finish_reason "error") as transient', async () => {
    const error = await providerError(
      call(create({ stream: true, headers: { 'x-mock-stream-error': '1' } })),
    );
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(
      `openrouter:${MODEL}: stream error: Provider returned error (injected by the mock server) (502)`,
    );
  });

  it('sends routing and attribution from provider_options', async () => {
    const provider = create({
      provider_options: {
        referer: 'https://evals.example.com',
        title: 'Team evals',
        provider: { order: ['anthropic', 'amazon-bedrock'], allow_fallbacks: false },
        models: ['openai/gpt-4.1'],
      },
    });
    await call(provider);
    const [entry] = server.journal();
    expect(entry?.headers['http-referer']).toBe('https://evals.example.com');
    expect(entry?.headers['x-title']).toBe('Team evals');
    expect(entry?.body).toMatchObject({
      provider: { order: ['anthropic', 'amazon-bedrock'], allow_fallbacks: false },
      models: ['openai/gpt-4.1'],
      temperature: 0,
    });
    expect(provider.cacheScope()).toBe(
      `openrouter ${server.url} {"models":["openai/gpt-4.1"],"provider":{"allow_fallbacks":false,"order":["anthropic","amazon-bedrock"]}}`,
    );
  });

  it('classifies a 402 (credits exhausted) as quota, never retried', async () => {
    const error = await providerError(call(create({ headers: { 'x-mock-status': '402' } })));
    expect(error.kind).toBe('quota');
    expect(error.status).toBe(402);
    expect(error.retryable).toBe(false);
  });

  it('treats only the in-flight budget 402 as transient', () => {
    const body = (limitSource: string) => ({
      error: { code: 402, message: 'limit', metadata: { limit_source: limitSource } },
    });
    expect(openRouterErrorKind(402, body('openrouter_credits'))).toBe('quota');
    expect(openRouterErrorKind(402, body('openrouter_key_limit'))).toBe('quota');
    expect(openRouterErrorKind(402, 'Payment Required')).toBe('quota');
    expect(openRouterErrorKind(402, body('openrouter_in_flight_budget'))).toBe('transient');
    expect(openRouterErrorKind(429, body('openrouter_credits'))).toBeUndefined();
  });

  it('keeps the default classification of other statuses', async () => {
    const error = await providerError(call(create({ headers: { 'x-mock-status': '503' } })));
    expect(error.kind).toBe('transient');
  });

  it('accepts the OpenAI-style base URL ending in /api/v1, and OPENROUTER_BASE_URL', async () => {
    await call(create({ base_url: `${server.url}/api/v1/` }));
    await call(
      createOpenRouterProvider({
        rest: MODEL,
        options: {},
        env: { OPENROUTER_API_KEY: KEY, OPENROUTER_BASE_URL: server.url },
        baseDir: '.',
        http: testHttp,
      }),
    );
    expect(server.journal().map((entry) => [entry.path, entry.status])).toEqual([
      ['/api/v1/chat/completions', 200],
      ['/api/v1/chat/completions', 200],
    ]);
  });

  it('defaults to openrouter.ai, prices as openrouter, and keeps the key out of the cache scope', () => {
    const provider = createOpenRouterProvider({
      rest: MODEL,
      options: {},
      env: { OPENROUTER_API_KEY: KEY },
      baseDir: '.',
      http: testHttp,
    });
    expect(provider.id).toBe(`openrouter:${MODEL}`);
    expect(provider.model).toBe(MODEL);
    expect(provider.pricingProvider).toBe('openrouter');
    expect(provider.cacheScope()).toBe('openrouter https://openrouter.ai');
  });

  it('needs OPENROUTER_API_KEY, or the variable named by api_key_env', () => {
    const missing = userError(() => create({}, { OPENROUTER_API_KEY: '' }));
    expect(missing.message).toBe(`OPENROUTER_API_KEY is not set (needed by openrouter:${MODEL})`);
    const custom = userError(() => create({ api_key_env: 'TEAM_OR_KEY' }));
    expect(custom.message).toBe(`TEAM_OR_KEY is not set (needed by openrouter:${MODEL})`);
  });

  it('needs a vendor/model id', () => {
    const error = userError(() =>
      createOpenRouterProvider({
        rest: 'gpt-4o',
        options: {},
        env: { OPENROUTER_API_KEY: KEY },
        baseDir: '.',
        http: testHttp,
      }),
    );
    expect(error.message).toBe('OpenRouter model "gpt-4o" has no vendor (in openrouter:gpt-4o)');
    expect(error.hint).toContain('openrouter:openai/gpt-4o-mini');
  });

  it('rejects malformed provider_options, quoting the bad value', () => {
    const where = `provider_options of openrouter:${MODEL}`;
    expect(userError(() => create({ provider_options: { models: 'openai/gpt-4.1' } })).message).toBe(
      `Expected ${where}.models to be a list of model names, got \`"openai/gpt-4.1"\` (string)`,
    );
    expect(userError(() => create({ provider_options: { provider: ['anthropic'] } })).message).toContain(
      `${where}.provider to be an object`,
    );
    const unknown = userError(() => create({ provider_options: { order: ['anthropic'] } }));
    expect(unknown.message).toBe(`unknown ${where}: order`);
    expect(unknown.hint).toContain('referer, title, provider, models');
  });
});

describe('OpenRouter embed', () => {
  it('posts to /api/v1/embeddings with the attribution headers', async () => {
    const provider = create();
    if (!provider.embed) throw new Error('no embed');
    const response = await provider.embed({ inputs: ['one two'], signal: AbortSignal.timeout(10_000) });
    expect(response.vectors).toHaveLength(1);
    const entry = server.journal()[0];
    expect(entry?.path).toBe('/api/v1/embeddings');
    expect(entry?.headers['x-title']).toBe('Assay');
    expect(entry?.body).toEqual({ model: MODEL, input: ['one two'], encoding_format: 'float' });
  });
});
