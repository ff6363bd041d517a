/**
 * The provider contract, run against the mock server for every adapter that speaks Chat Completions:
 * what goes on the wire, how answers are parsed, and how each failure is classified.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock/server.js';
import type { ChatMessage, GenerationConfig } from '../types.js';
import { createOpenAiProvider } from './openai.js';
import { createOpenAiCompatibleProvider } from './openai-compatible.js';
import type { Provider } from './provider.js';
import { providerError, testHttp } from './test-helpers.js';

const KEY = 'sk-mock-secret-0123456789abcdef';
const WRONG_KEY = 'sk-wrong-secret-9876543210fedcba';

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

interface Adapter {
  name: string;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  create(options: { headers?: Record<string, string>; key?: string; model?: string }): Provider;
}

const ADAPTERS: Adapter[] = [
  {
    name: 'openai',
    maxTokensField: 'max_completion_tokens',
    create: ({ headers, key = KEY, model = 'gpt-4o-mini' }) =>
      createOpenAiProvider({
        rest: model,
        options: { base_url: `${server.url}/v1`, ...(headers ? { headers } : {}) },
        env: { OPENAI_API_KEY: key },
        baseDir: process.cwd(),
        http: testHttp,
      }),
  },
  {
    name: 'openai-compatible',
    maxTokensField: 'max_tokens',
    create: ({ headers, key = KEY, model = 'mock-model' }) =>
      createOpenAiCompatibleProvider({
        rest: model,
        options: { base_url: `${server.url}/v1/`, api_key_env: 'LOCAL_KEY', ...(headers ? { headers } : {}) },
        env: { LOCAL_KEY: key },
        baseDir: process.cwd(),
        http: testHttp,
      }),
  },
];

const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'Answer with a number.' },
  { role: 'user', content: 'What is 6 * 7?' },
];

function call(provider: Provider, config: GenerationConfig = {}, signal = AbortSignal.timeout(10_000)) {
  return provider.call({ messages: QUESTION, config, signal });
}

describe.each(ADAPTERS)('$name adapter against the mock server', (adapter) => {
  it('answers with the output, model, finish reason and parsed usage', async () => {
    const response = await call(adapter.create({}));
    expect(response.output).toBe('42');
    expect(response.finishReason).toBe('stop');
    expect(response.model).toBe(adapter.name === 'openai' ? 'gpt-4o-mini' : 'mock-model');
    const chars = QUESTION.reduce((sum, message) => sum + message.content.length, 0);
    expect(response.usage).toMatchObject({
      inputTokens: Math.ceil(chars / 4),
      outputTokens: 1,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
    // The usage object exactly as the server sent it, fields the adapter does not read included.
    expect(response.usage.raw).toEqual({
      prompt_tokens: Math.ceil(chars / 4),
      completion_tokens: 1,
      total_tokens: Math.ceil(chars / 4) + 1,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
  });

  it('posts the messages, model and config to /v1/chat/completions', async () => {
    await call(adapter.create({}), { temperature: 0.3, seed: 7, stop: ['\n'] });
    const [entry] = server.journal();
    expect(entry?.method).toBe('POST');
    expect(entry?.path).toBe('/v1/chat/completions');
    expect(entry?.headers['content-type']).toBe('application/json');
    expect(entry?.body).toEqual({
      model: adapter.name === 'openai' ? 'gpt-4o-mini' : 'mock-model',
      messages: QUESTION,
      temperature: 0.3,
      seed: 7,
      stop: ['\n'],
    });
  });

  it('serialises each call’s messages into the same body, whatever the config holds', async () => {
    const provider = adapter.create({});
    const model = adapter.name === 'openai' ? 'gpt-4o-mini' : 'mock-model';
    // One config object for several calls (as every item of a target shares one).
    const config = {
      temperature: 0,
      max_tokens: 9,
      stream: true,
      stop: ['"quoted" \u2028'],
    } as GenerationConfig;
    const other: ChatMessage[] = [{ role: 'user', content: 'What is 1 + "1"?\n' }];
    await provider.call({ messages: QUESTION, config, signal: AbortSignal.timeout(10_000) });
    await provider.call({ messages: other, config, signal: AbortSignal.timeout(10_000) });
    // Keys that could collide with the messages go the general way, with the same result (OpenAI
    // proper refuses a `messages` config key before the run, so only open servers can be sent one).
    const awkward = {
      temperature: 0,
      ...(adapter.name === 'openai' ? {} : { messages: 'from the config' }),
      user: '\u0000assay-messages\u0000',
    };
    await provider.call({
      messages: other,
      config: awkward as GenerationConfig,
      signal: AbortSignal.timeout(10_000),
    });
    const bodies = server.journal().map((entry) => entry.body);
    const expected = { model, temperature: 0, stop: ['"quoted" \u2028'], [adapter.maxTokensField]: 9 };
    expect(bodies[0]).toEqual({ ...expected, messages: QUESTION });
    expect(bodies[1]).toEqual({ ...expected, messages: other });
    expect(bodies[2]).toEqual({ model, temperature: 0, messages: other, user: '\u0000assay-messages\u0000' });
  });

  it(`sends max_tokens as ${adapter.maxTokensField}`, async () => {
    const response = await call(adapter.create({}), { max_tokens: 5 });
    const body = server.journal()[0]?.body as Record<string, unknown>;
    expect(body[adapter.maxTokensField]).toBe(5);
    const other = adapter.maxTokensField === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
    expect(body).not.toHaveProperty(other);
    expect(response.output).toBe('42');
  });

  it('sends the key as a bearer token, and the target headers', async () => {
    await call(adapter.create({ headers: { 'x-team': 'evals' } }));
    const headers = server.journal()[0]?.headers;
    expect(headers?.authorization).toBe(`Bearer ${KEY}`);
    expect(headers?.['x-team']).toBe('evals');
  });

  it('classifies a 401 as permanent without the key in the message', async () => {
    const error = await providerError(call(adapter.create({ key: WRONG_KEY })));
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/: HTTP 401 invalid_api_key: Incorrect API key provided/);
    expect(error.message).not.toContain(WRONG_KEY);
    expect(server.journal()[0]?.status).toBe(401);
  });

  it('redacts the key when the server echoes it back', async () => {
    // The mock names the model in a 404, so a model named like the key makes it echo the key.
    const provider = adapter.create({ key: KEY, model: KEY, headers: { 'x-mock-status': '404' } });
    const error = await providerError(call(provider));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('model_not_found');
    expect(error.message).toContain('***');
    expect(error.message).not.toContain(KEY);
  });

  it('classifies a 429 as rate_limit and keeps the retry-after hint', async () => {
    const provider = adapter.create({ headers: { 'x-mock-status': '429', 'x-mock-retry-after': '0.25' } });
    const error = await providerError(call(provider));
    expect(error.kind).toBe('rate_limit');
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    // retry-after says 1 (whole seconds); the finer retry-after-ms wins.
    expect(error.retryAfterMs).toBe(250);
    expect(error.message).toContain('rate_limit_exceeded');
    // The refusal's limit headers go to the lane's limiter too: nothing left until the hint.
    expect(error.rateLimit).toMatchObject({ remainingRequests: 0, resetRequestsMs: 250 });
  });

  it('classifies a 429 insufficient_quota as quota, which is never retried', async () => {
    const error = await providerError(call(adapter.create({ headers: { 'x-mock-quota': '1' } })));
    expect(error.kind).toBe('quota');
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('insufficient_quota');
  });

  it.each([500, 503])('classifies a %i as transient', async (status) => {
    const error = await providerError(call(adapter.create({ headers: { 'x-mock-status': String(status) } })));
    expect(error.kind).toBe('transient');
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(true);
  });

  it('classifies a 400 as permanent', async () => {
    const error = await providerError(call(adapter.create({ headers: { 'x-mock-status': '400' } })));
    expect(error.kind).toBe('permanent');
  });

  it('fails then succeeds on scripted failures, one classified error per call', async () => {
    const provider = adapter.create({
      headers: {
        'x-mock-fail-times': '2',
        'x-mock-key': `script-${adapter.name}`,
        'x-mock-fail-status': '502',
      },
    });
    expect((await providerError(call(provider))).status).toBe(502);
    expect((await providerError(call(provider))).status).toBe(502);
    expect((await call(provider)).output).toBe('42');
    expect(server.journal().map((entry) => entry.status)).toEqual([502, 502, 200]);
  });

  it('classifies a hung request cut by the timeout signal as timeout', async () => {
    const provider = adapter.create({ headers: { 'x-mock-hang': '1' } });
    const error = await providerError(call(provider, {}, AbortSignal.timeout(100)));
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/timed out$/);
  });

  it('classifies a request aborted for another reason as transient, not timeout', async () => {
    const controller = new AbortController();
    const provider = adapter.create({ headers: { 'x-mock-hang': '1' } });
    const pending = call(provider, {}, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const error = await providerError(pending);
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/aborted$/);
  });

  it('classifies a reset connection as transient', async () => {
    const error = await providerError(call(adapter.create({ headers: { 'x-mock-reset': '1' } })));
    expect(error.kind).toBe('transient');
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('connection error');
  });

  it('scopes the cache by endpoint, never by key', () => {
    const scope = adapter.create({}).cacheScope();
    expect(scope).toContain(server.url);
    expect(adapter.create({ key: WRONG_KEY }).cacheScope()).toBe(scope);
    expect(scope).not.toContain(KEY);
  });
});

describe('adapters differ only where the APIs do', () => {
  it('prices OpenAI models through the openai registry, compatible servers not at all', () => {
    const [openai, compatible] = ADAPTERS.map((adapter) => adapter.create({}));
    expect(openai?.id).toBe('openai:gpt-4o-mini');
    expect(openai?.pricingProvider).toBe('openai');
    expect(compatible?.id).toBe('openai-compatible:mock-model');
    expect(compatible?.pricingProvider).toBeUndefined();
  });
});
