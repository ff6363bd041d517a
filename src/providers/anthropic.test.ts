/**
 * The Anthropic adapter against the mock server: what goes on the wire, how JSON and SSE answers are
 * parsed, and how each failure is classified.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock/server.js';
import { createPricer } from '../pricing/price.js';
import type { ChatMessage, GenerationConfig } from '../types.js';
import { createAnthropicProvider } from './anthropic.js';
import type { Provider } from './provider.js';
import { createProvider } from './registry.js';
import { providerError, testHttp, userError } from './test-helpers.js';

const KEY = 'sk-ant-mock-secret-0123456789abcdef';
const WRONG_KEY = 'sk-ant-wrong-secret-9876543210fedcba';
const MODEL = 'claude-3-5-haiku-latest';

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

interface Options {
  stream?: boolean;
  headers?: Record<string, string>;
  key?: string;
  model?: string;
}

function create({ stream = false, headers, key = KEY, model = MODEL }: Options = {}): Provider {
  return createAnthropicProvider({
    rest: model,
    options: { base_url: server.url, stream, ...(headers ? { headers } : {}) },
    env: { ANTHROPIC_API_KEY: key },
    baseDir: process.cwd(),
    http: testHttp,
  });
}

const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'Answer with a number.' },
  { role: 'user', content: 'What is 6 * 7?' },
];
const QUESTION_CHARS = QUESTION.reduce((sum, message) => sum + message.content.length, 0);

function call(
  provider: Provider,
  config: GenerationConfig = {},
  signal = AbortSignal.timeout(10_000),
  messages = QUESTION,
) {
  return provider.call({ messages, config, signal });
}

describe('createAnthropicProvider', () => {
  it('needs ANTHROPIC_API_KEY, or the variable named by api_key_env', () => {
    const missing = userError(() =>
      createAnthropicProvider({
        rest: MODEL,
        options: {},
        env: { ANTHROPIC_API_KEY: '' },
        baseDir: '.',
        http: testHttp,
      }),
    );
    expect(missing.message).toBe(`ANTHROPIC_API_KEY is not set (needed by anthropic:${MODEL})`);
    expect(missing.hint).toBe('set ANTHROPIC_API_KEY in the environment or in .env');
    const custom = userError(() =>
      createAnthropicProvider({
        rest: MODEL,
        options: { api_key_env: 'TEAM_CLAUDE_KEY' },
        env: { ANTHROPIC_API_KEY: 'sk-ignored' },
        baseDir: '.',
        http: testHttp,
      }),
    );
    expect(custom.message).toBe(`TEAM_CLAUDE_KEY is not set (needed by anthropic:${MODEL})`);
  });

  it('reads the key from api_key_env and the base URL from ANTHROPIC_BASE_URL', async () => {
    const provider = createAnthropicProvider({
      rest: MODEL,
      options: { api_key_env: 'TEAM_CLAUDE_KEY' },
      env: { TEAM_CLAUDE_KEY: KEY, ANTHROPIC_BASE_URL: `${server.url}/` },
      baseDir: '.',
      http: testHttp,
    });
    expect(provider.cacheScope()).toBe(`anthropic ${server.url}`);
    expect((await call(provider)).output).toBe('42');
    expect(server.journal()[0]?.headers['x-api-key']).toBe(KEY);
  });

  it('defaults to the Anthropic API and prices through the anthropic registry', () => {
    const provider = createAnthropicProvider({
      rest: MODEL,
      options: {},
      env: { ANTHROPIC_API_KEY: 'sk-x' },
      baseDir: '.',
      http: testHttp,
    });
    expect(provider.id).toBe(`anthropic:${MODEL}`);
    expect(provider.model).toBe(MODEL);
    expect(provider.pricingProvider).toBe('anthropic');
    expect(provider.cacheScope()).toBe('anthropic https://api.anthropic.com');
  });

  it('is registered as anthropic:<model>', async () => {
    const context = {
      options: { base_url: server.url },
      env: { ANTHROPIC_API_KEY: KEY },
      baseDir: '.',
      http: testHttp,
    };
    const provider = await createProvider(`anthropic:${MODEL}`, context, 'target "claude"');
    expect(provider.id).toBe(`anthropic:${MODEL}`);
    await expect(createProvider('anthropic', context, 'target "claude"')).rejects.toThrow(
      'provider id "anthropic" is missing a model name, e.g. anthropic:claude-3-5-haiku-latest',
    );
  });

  it('is priced by the bundled registry, cache reads cheaper than fresh input', async () => {
    const provider = create();
    const pricer = await createPricer(provider.model, provider.pricingProvider, undefined);
    const fresh = pricer({ inputTokens: 10_000, outputTokens: 100 });
    const cached = pricer({ inputTokens: 10_000, cachedInputTokens: 9_000, outputTokens: 100 });
    expect(fresh).toBeGreaterThan(0);
    expect(cached).toBeGreaterThan(0);
    expect(cached!).toBeLessThan(fresh!);
  });

  it('scopes the cache by endpoint, never by key', () => {
    const scope = create().cacheScope();
    expect(create({ key: WRONG_KEY }).cacheScope()).toBe(scope);
    expect(scope).not.toContain(KEY);
  });
});

describe('the request on the wire', () => {
  it('moves the system prompt to the top level and defaults max_tokens to 1024', async () => {
    await call(create());
    const [entry] = server.journal();
    expect(entry?.method).toBe('POST');
    expect(entry?.path).toBe('/v1/messages');
    expect(entry?.headers['x-api-key']).toBe(KEY);
    expect(entry?.headers['anthropic-version']).toBe('2023-06-01');
    expect(entry?.headers['content-type']).toBe('application/json');
    expect(entry?.headers.authorization).toBeUndefined();
    expect(entry?.body).toEqual({
      model: MODEL,
      max_tokens: 1024,
      system: 'Answer with a number.',
      messages: [{ role: 'user', content: 'What is 6 * 7?' }],
    });
  });

  it('passes config through, with max_tokens as given and stop as stop_sequences', async () => {
    await call(create(), { max_tokens: 64, temperature: 0.2, top_p: 0.9, top_k: 5, stop: ['\n\n'] });
    expect(server.journal()[0]?.body).toEqual({
      model: MODEL,
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 5,
      stop_sequences: ['\n\n'],
      system: 'Answer with a number.',
      messages: [{ role: 'user', content: 'What is 6 * 7?' }],
    });
  });

  it('joins several system messages and sends no system field when there are none', async () => {
    const provider = create();
    const conversation: ChatMessage[] = [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Say hello' },
      { role: 'assistant', content: 'hello' },
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'Say bonjour' },
    ];
    const response = await call(provider, {}, undefined, conversation);
    expect(response.output).toBe('bonjour');
    await call(provider, {}, undefined, [{ role: 'user', content: 'hi' }]);
    const [first, second] = server.journal().map((entry) => entry.body as Record<string, unknown>);
    expect(first?.system).toBe('Be terse.\n\nAnswer in French.');
    expect(first?.messages).toEqual([
      { role: 'user', content: 'Say hello' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'Say bonjour' },
    ]);
    expect(second).not.toHaveProperty('system');
  });

  it('sends the target headers, and never lets them replace the key', async () => {
    await call(create({ headers: { 'anthropic-beta': 'feature-x', 'x-api-key': 'sk-from-config' } }));
    const headers = server.journal()[0]?.headers;
    expect(headers?.['anthropic-beta']).toBe('feature-x');
    expect(headers?.['x-api-key']).toBe(KEY);
  });

  it('lets the target choose streaming, whatever the config says', async () => {
    await call(create(), { stream: true });
    await call(create({ stream: true }));
    const [plain, streamed] = server.journal().map((entry) => entry.body as Record<string, unknown>);
    expect(plain).not.toHaveProperty('stream');
    expect(streamed?.stream).toBe(true);
  });
});

describe.each([
  { mode: 'JSON', stream: false },
  { mode: 'SSE', stream: true },
])('$mode answers', ({ stream }) => {
  it('parses the output, model, stop reason and usage, keeping the raw usage', async () => {
    const response = await call(create({ stream }));
    expect(response.output).toBe('42');
    expect(response.model).toBe(MODEL);
    expect(response.finishReason).toBe('end_turn');
    const input = Math.ceil(QUESTION_CHARS / 4);
    expect(response.usage).toEqual({
      inputTokens: input,
      outputTokens: 1,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      // The whole usage object as the API sent it (the mock sends every field of the reference).
      raw: expect.objectContaining({
        input_tokens: input,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        service_tier: 'standard',
      }),
    });
    if (stream) {
      expect(response.ttftMs).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(response.ttftMs)).toBe(true);
    } else {
      expect(response.ttftMs).toBeUndefined();
    }
  });

  it('reports max_tokens, with the output count from the last usage', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Reply with exactly: one two three four five' },
    ];
    const response = await call(create({ stream }), { max_tokens: 3 }, undefined, messages);
    expect(response.output).toBe('one two thre');
    expect(response.finishReason).toBe('max_tokens');
    // The stream's message_start says 1 output token; message_delta's cumulative 3 replaces it.
    expect(response.usage.outputTokens).toBe(3);
  });

  it('classifies a 401 as permanent without the key in the message', async () => {
    const error = await providerError(call(create({ stream, key: WRONG_KEY })));
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(401);
    expect(error.message).toBe(`anthropic:${MODEL}: HTTP 401 authentication_error: invalid x-api-key`);
    expect(error.message).not.toContain(WRONG_KEY);
  });

  it('redacts the key when the server echoes it back', async () => {
    // The mock names the model in a 404, so a model named like the key makes it echo the key.
    const error = await providerError(
      call(create({ stream, model: KEY, headers: { 'x-mock-status': '404' } })),
    );
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('not_found_error: model: ***');
    expect(error.message).not.toContain(KEY);
  });

  it('classifies a 429 rate_limit_error as rate_limit with the retry-after hint', async () => {
    const headers = { 'x-mock-status': '429', 'x-mock-retry-after': '2' };
    const error = await providerError(call(create({ stream, headers })));
    expect(error.kind).toBe('rate_limit');
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(2000);
    expect(error.message).toContain('rate_limit_error');
    expect(error.rateLimit).toMatchObject({ remainingRequests: 0 });
    expect(error.rateLimit?.resetRequestsMs).toBeGreaterThan(0);
  });

  it('classifies a 529 overloaded_error as transient', async () => {
    const error = await providerError(call(create({ stream, headers: { 'x-mock-status': '529' } })));
    expect(error.kind).toBe('transient');
    expect(error.status).toBe(529);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('overloaded_error: Overloaded');
  });

  it('classifies a spend-cap 429 as quota, which is never retried', async () => {
    const error = await providerError(call(create({ stream, headers: { 'x-mock-quota': '1' } })));
    expect(error.kind).toBe('quota');
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('API usage limits');
  });

  it.each([400, 403, 404])('classifies a %i as permanent', async (status) => {
    const error = await providerError(call(create({ stream, headers: { 'x-mock-status': String(status) } })));
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(status);
  });

  it('classifies the edge proxy 413 page as permanent and quotes it as text', async () => {
    const error = await providerError(call(create({ stream, headers: { 'x-mock-status': '413' } })));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('HTTP 413: <html> <head><title>413 Request Entity Too Large');
  });

  it('never sends a parameter Anthropic does not take (seed): permanent, nothing on the wire', async () => {
    const error = await providerError(call(create({ stream }), { seed: 7 }));
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe(
      `anthropic:${MODEL}: config key \`seed\` (Anthropic has no seed) is not a request field of Anthropic Messages; nothing was sent`,
    );
    expect(server.journal()).toEqual([]);
  });

  it('fails then succeeds on scripted failures, one classified error per call', async () => {
    const headers = {
      'x-mock-fail-times': '2',
      'x-mock-key': `anthropic-${stream}`,
      'x-mock-fail-status': '529',
    };
    const provider = create({ stream, headers });
    expect((await providerError(call(provider))).kind).toBe('transient');
    expect((await providerError(call(provider))).kind).toBe('transient');
    expect((await call(provider)).output).toBe('42');
    expect(server.journal().map((entry) => entry.status)).toEqual([529, 529, 200]);
  });

  it('classifies a hung request cut by the timeout signal as timeout', async () => {
    const error = await providerError(
      call(create({ stream, headers: { 'x-mock-hang': '1' } }), {}, AbortSignal.timeout(100)),
    );
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/timed out$/);
  });

  it('classifies a reset connection as transient', async () => {
    const error = await providerError(call(create({ stream, headers: { 'x-mock-reset': '1' } })));
    expect(error.kind).toBe('transient');
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('connection error');
  });
});

describe('stream failures after the 200', () => {
  it('classifies a stream that ends before message_stop as transient (truncated)', async () => {
    const error = await providerError(call(create({ stream: true, headers: { 'x-mock-truncate': '1' } })));
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(`anthropic:${MODEL}: stream ended before message_stop (truncated)`);
  });

  it('classifies an in-band overloaded_error event as transient', async () => {
    const error = await providerError(
      call(create({ stream: true, headers: { 'x-mock-stream-error': '1' } })),
    );
    expect(error.kind).toBe('transient');
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(`anthropic:${MODEL}: stream error overloaded_error: Overloaded`);
  });
});
