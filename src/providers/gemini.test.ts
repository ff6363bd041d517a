import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock/server.js';
import { createPricer } from '../pricing/price.js';
import type { ChatMessage, GenerationConfig } from '../types.js';
import { createGeminiProvider } from './gemini.js';
import { geminiError } from './gemini-errors.js';
import { parseGeminiUsage, readGeminiResponse, readGeminiStream } from './gemini-response.js';
import type { Provider, ProviderContext } from './provider.js';
import { createProvider } from './registry.js';
import { providerError, testHttp, userError } from './test-helpers.js';

const KEY = 'AIzaMockSecret0123456789abcdef';
const WRONG_KEY = 'AIzaWrongSecret9876543210fedcba';
const MODEL = 'gemini-2.5-flash';

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

function context(overrides: Partial<ProviderContext> = {}): ProviderContext {
  return {
    rest: MODEL,
    options: {},
    env: { GEMINI_API_KEY: KEY },
    baseDir: '.',
    http: testHttp,
    ...overrides,
  };
}

function create(
  options: { headers?: Record<string, string>; stream?: boolean; key?: string } = {},
): Provider {
  const { headers, stream, key = KEY } = options;
  return createGeminiProvider(
    context({
      options: {
        base_url: server.url,
        ...(headers ? { headers } : {}),
        ...(stream !== undefined ? { stream } : {}),
      },
      env: { GEMINI_API_KEY: key },
    }),
  );
}

const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'Answer with a number.' },
  { role: 'user', content: 'What is 6 * 7?' },
];
const PROMPT_TOKENS = Math.ceil(('Answer with a number.'.length + 'What is 6 * 7?'.length) / 4);

function call(provider: Provider, config: GenerationConfig = {}, signal = AbortSignal.timeout(10_000)) {
  return provider.call({ messages: QUESTION, config, signal });
}

async function* bytes(...pieces: string[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield new TextEncoder().encode(piece);
}

describe('createGeminiProvider', () => {
  it('needs GEMINI_API_KEY or GOOGLE_API_KEY and says where to set it', () => {
    const error = userError(() => createGeminiProvider(context({ env: { GEMINI_API_KEY: '' } })));
    expect(error.message).toBe(`GEMINI_API_KEY or GOOGLE_API_KEY is not set (needed by google:${MODEL})`);
    expect(error.hint).toBe('set GEMINI_API_KEY in the environment or in .env');
  });

  it('falls back to GOOGLE_API_KEY, or reads only api_key_env when given', async () => {
    const fallback = createGeminiProvider(
      context({ options: { base_url: server.url }, env: { GOOGLE_API_KEY: KEY } }),
    );
    expect((await call(fallback)).output).toBe('42');
    expect(server.journal()[0]?.headers['x-goog-api-key']).toBe(KEY);

    const options = { api_key_env: 'TEAM_GEMINI_KEY', base_url: server.url };
    const error = userError(() => createGeminiProvider(context({ options })));
    expect(error.message).toBe(`TEAM_GEMINI_KEY is not set (needed by google:${MODEL})`);
    const custom = createGeminiProvider(context({ options, env: { TEAM_GEMINI_KEY: KEY } }));
    expect((await call(custom)).output).toBe('42');
  });

  it('defaults to the Gemini API, priced under google, scoped by endpoint and never by key', () => {
    const provider = createGeminiProvider(context());
    expect(provider.id).toBe(`google:${MODEL}`);
    expect(provider.model).toBe(MODEL);
    expect(provider.pricingProvider).toBe('google');
    expect(provider.cacheScope()).toBe('gemini https://generativelanguage.googleapis.com');
    expect(provider.cacheScope()).not.toContain(KEY);
    const other = createGeminiProvider(context({ env: { GEMINI_API_KEY: WRONG_KEY } }));
    expect(other.cacheScope()).toBe(provider.cacheScope());
  });

  it('takes the base URL from GEMINI_BASE_URL, and does not repeat an API version already in it', async () => {
    const fromEnv = createGeminiProvider(
      context({ env: { GEMINI_API_KEY: KEY, GEMINI_BASE_URL: `${server.url}/` } }),
    );
    expect(fromEnv.cacheScope()).toBe(`gemini ${server.url}`);
    await call(fromEnv);
    const versioned = createGeminiProvider(context({ options: { base_url: `${server.url}/v1beta/` } }));
    await call(versioned);
    expect(server.journal().map((entry) => entry.path)).toEqual([
      `/v1beta/models/${MODEL}:generateContent`,
      `/v1beta/models/${MODEL}:generateContent`,
    ]);
  });

  it('is registered as google:<model> and priced by the bundled registry', async () => {
    const provider = await createProvider(
      `google:${MODEL}`,
      { options: {}, env: { GEMINI_API_KEY: KEY }, baseDir: '.', http: testHttp },
      'assay.yaml',
    );
    expect(provider.id).toBe(`google:${MODEL}`);
    await expect(
      createProvider('google', { options: {}, env: {}, baseDir: '.', http: testHttp }, 'here'),
    ).rejects.toThrow(/missing a model name, e.g. google:gemini-2.5-flash/);
    const pricer = await createPricer(provider.model, provider.pricingProvider, undefined);
    expect(pricer({ inputTokens: 1_000_000, outputTokens: 0 })).toBeGreaterThan(0);
  });
});

describe('google adapter against the mock server', () => {
  it('answers with the output, model, finish reason and parsed usage', async () => {
    const response = await call(create());
    expect(response).toEqual({
      output: '42',
      model: MODEL,
      finishReason: 'STOP',
      usage: {
        inputTokens: PROMPT_TOKENS,
        outputTokens: 1,
        raw: {
          promptTokenCount: PROMPT_TOKENS,
          candidatesTokenCount: 1,
          totalTokenCount: PROMPT_TOKENS + 1,
          promptTokensDetails: [{ modality: 'TEXT', tokenCount: PROMPT_TOKENS }],
        },
      },
    });
  });

  it('posts contents, systemInstruction and generationConfig with Gemini names', async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Say hi' },
      { role: 'assistant', content: 'hi' },
      { role: 'user', content: 'What is 1 + 1?' },
    ];
    const config = { temperature: 0.2, top_p: 0.9, max_tokens: 64, stop: ['END'], seed: 7, topK: 3 };
    const response = await create({ headers: { 'x-team': 'evals' } }).call({
      messages,
      config,
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.output).toBe('2');
    const [entry] = server.journal();
    expect(entry?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(entry?.headers['x-goog-api-key']).toBe(KEY);
    expect(entry?.headers['x-team']).toBe('evals');
    expect(entry?.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Say hi' }] },
        { role: 'model', parts: [{ text: 'hi' }] },
        { role: 'user', parts: [{ text: 'What is 1 + 1?' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      generationConfig: {
        temperature: 0.2,
        topP: 0.9,
        maxOutputTokens: 64,
        stopSequences: ['END'],
        seed: 7,
        topK: 3,
      },
    });
  });

  it('reports MAX_TOKENS when max_tokens cuts the answer', async () => {
    const response = await create().call({
      messages: [{ role: 'user', content: 'Say exactly: a long enough answer' }],
      config: { max_tokens: 2 },
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.output).toBe('a long e');
    expect(response.finishReason).toBe('MAX_TOKENS');
  });

  it('counts thoughts as output and as reasoning, and leaves thought parts out of the answer', async () => {
    const thinkingConfig = { thinkingBudget: 50, includeThoughts: true };
    for (const stream of [false, true]) {
      const response = await call(create({ stream }), { thinkingConfig });
      expect(response.output).toBe('42');
      expect(response.usage).toMatchObject({
        inputTokens: PROMPT_TOKENS,
        outputTokens: 51,
        reasoningTokens: 50,
      });
    }
  });

  it('streams over alt=sse with the same answer and usage, and a time to first token', async () => {
    const plain = await call(create());
    const streamed = await call(create({ stream: true }));
    expect(server.journal().map((entry) => entry.path)).toEqual([
      `/v1beta/models/${MODEL}:generateContent`,
      `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`,
    ]);
    const { ttftMs, ...rest } = streamed;
    expect(rest).toEqual(plain);
    expect(ttftMs).toBeGreaterThanOrEqual(0);

    const long = await create({ stream: true }).call({
      messages: [{ role: 'user', content: 'Say exactly: The quick brown fox jumps over the lazy dog' }],
      config: {},
      signal: AbortSignal.timeout(10_000),
    });
    expect(long.output).toBe('The quick brown fox jumps over the lazy dog');
    expect(long.usage.outputTokens).toBe(Math.ceil(long.output.length / 4));
  });

  it.each([false, true])(
    'classifies a 429 with RetryInfo as rate_limit, waiting retryDelay (stream %s)',
    async (stream) => {
      const provider = create({ stream, headers: { 'x-mock-status': '429', 'x-mock-retry-after': '1.5' } });
      const error = await providerError(call(provider));
      expect(error.kind).toBe('rate_limit');
      expect(error.status).toBe(429);
      expect(error.retryAfterMs).toBe(1500);
      expect(error.message).toContain('HTTP 429 RESOURCE_EXHAUSTED');
    },
  );

  it.each([false, true])(
    'classifies a 429 on a PerDay quota as quota, never retried (stream %s)',
    async (stream) => {
      const error = await providerError(call(create({ stream, headers: { 'x-mock-quota': '1' } })));
      expect(error.kind).toBe('quota');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('GenerateRequestsPerDayPerProjectPerModel-FreeTier');
    },
  );

  it('classifies API_KEY_INVALID as permanent without the key in the message', async () => {
    const error = await providerError(call(create({ key: WRONG_KEY })));
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/HTTP 400 INVALID_ARGUMENT API_KEY_INVALID: API key not valid/);
    expect(error.message).not.toContain(WRONG_KEY);
    expect(server.journal()[0]?.headers['x-goog-api-key']).toBe(WRONG_KEY);
  });

  it.each([
    [503, 'transient'],
    [500, 'transient'],
    [504, 'transient'],
    [400, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
  ])('classifies a %i as %s', async (status, kind) => {
    for (const stream of [false, true]) {
      const provider = create({ stream, headers: { 'x-mock-status': String(status) } });
      const error = await providerError(call(provider));
      expect(error.kind).toBe(kind);
      expect(error.status).toBe(status);
    }
  });

  it.each([false, true])(
    'classifies a hung request cut by the timeout as timeout (stream %s)',
    async (stream) => {
      const provider = create({ stream, headers: { 'x-mock-hang': '1' } });
      const error = await providerError(call(provider, {}, AbortSignal.timeout(100)));
      expect(error.kind).toBe('timeout');
    },
  );

  it.each([false, true])('classifies a reset connection as transient (stream %s)', async (stream) => {
    const error = await providerError(call(create({ stream, headers: { 'x-mock-reset': '1' } })));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('connection error');
  });
});

describe('google adapter against mock stream faults', () => {
  it('classifies a stream cut before its finish reason as truncated (transient)', async () => {
    const error = await providerError(call(create({ stream: true, headers: { 'x-mock-truncate': '1' } })));
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(`google:${MODEL}: stream ended before a chunk with finishReason (truncated)`);
  });

  it('classifies an error object in the stream as transient', async () => {
    const provider = create({ stream: true, headers: { 'x-mock-stream-error': '1' } });
    const error = await providerError(call(provider));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('error in stream: UNAVAILABLE: The model is overloaded.');
  });
});

describe('gemini responses from fixtures', () => {
  it('normalises usage: tool-use prompt as input, cached input, thoughts as output and reasoning', () => {
    const raw = {
      promptTokenCount: 100,
      toolUsePromptTokenCount: 20,
      cachedContentTokenCount: 60,
      candidatesTokenCount: 28,
      thoughtsTokenCount: 244,
      totalTokenCount: 392,
    };
    expect(parseGeminiUsage(raw)).toEqual({
      inputTokens: 120,
      cachedInputTokens: 60,
      outputTokens: 272,
      reasoningTokens: 244,
      raw,
    });
    // Zero counts are omitted on the wire: present usage without candidates means no output tokens.
    expect(parseGeminiUsage({ promptTokenCount: 9, totalTokenCount: 9 })).toEqual({
      inputTokens: 9,
      outputTokens: 0,
      raw: { promptTokenCount: 9, totalTokenCount: 9 },
    });
    expect(parseGeminiUsage(undefined)).toEqual({});
  });

  it('answers a candidate blocked by safety with an empty output, keeping the finish reason', () => {
    const body = {
      candidates: [{ finishReason: 'SAFETY', index: 0, safetyRatings: [] }],
      usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 },
    };
    expect(readGeminiResponse(body, 'google:m', 200)).toMatchObject({ output: '', finishReason: 'SAFETY' });
    const blockedPrompt = { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } };
    expect(readGeminiResponse(blockedPrompt, 'google:m', 200)).toMatchObject({
      output: '',
      finishReason: 'PROHIBITED_CONTENT',
    });
  });

  it('treats an answer without candidates or with the wrong shape as a transient malformed response', () => {
    for (const body of [{ usageMetadata: {} }, { candidates: 'none' }, 'not json']) {
      expect(() => readGeminiResponse(body, 'google:m', 200)).toThrow(
        expect.objectContaining({
          kind: 'transient',
          message: expect.stringContaining('malformed response'),
        }),
      );
    }
  });

  it('reads a stream split at arbitrary bytes, keeping the last cumulative usage', async () => {
    const chunk = (text: string, count: number, finishReason?: string) =>
      `data: ${JSON.stringify({
        candidates: [
          { content: { parts: [{ text }], role: 'model' }, ...(finishReason ? { finishReason } : {}) },
        ],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: count },
        modelVersion: 'gemini-x',
      })}\r\n\r\n`;
    const wire = chunk('Héllo', 2) + chunk(', wörld', 4, 'STOP');
    const encoded = new TextEncoder().encode(wire);
    // Cut inside the UTF-8 bytes of é and in the middle of the event delimiter.
    const byteAt = (index: number) => Buffer.byteLength(wire.slice(0, index));
    const cuts = [0, byteAt(wire.indexOf('é')) + 1, byteAt(wire.indexOf('\r\n\r\n') + 2), encoded.length];
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let index = 1; index < cuts.length; index++) yield encoded.slice(cuts[index - 1], cuts[index]);
    }
    const response = await readGeminiStream(pieces(), 'google:m', performance.now());
    expect(response).toMatchObject({
      output: 'Héllo, wörld',
      finishReason: 'STOP',
      model: 'gemini-x',
      usage: { inputTokens: 3, outputTokens: 4 },
    });
    expect(response.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a stream that ends without a finishReason as truncated (transient)', async () => {
    const partial = `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Hal' }] } }] })}\n\n`;
    await expect(readGeminiStream(bytes(partial), 'google:m', 0)).rejects.toMatchObject({
      kind: 'transient',
      message: expect.stringContaining('truncated'),
    });
    await expect(readGeminiStream(bytes(partial, 'data: {"candid'), 'google:m', 0)).rejects.toMatchObject({
      kind: 'transient',
    });
  });

  it('reports an error object in the stream as transient, even after text', async () => {
    const text = `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Half an' }] } }] })}\n\n`;
    const error =
      'data: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\n\n';
    await expect(readGeminiStream(bytes(text, error), 'google:m', 0)).rejects.toMatchObject({
      kind: 'transient',
      message: 'google:m: error in stream: UNAVAILABLE: The model is overloaded.',
    });
    const echoed = `data: {"error":{"message":"bad key ${KEY}"}}\n\n`;
    await expect(readGeminiStream(bytes(echoed), 'google:m', 0, KEY)).rejects.toMatchObject({
      message: 'google:m: error in stream: bad key ***',
    });
  });

  it('falls back to retry-after when a 429 has no RetryInfo, and reads array-wrapped envelopes', () => {
    const body = [{ error: { code: 429, message: 'Resource exhausted.', status: 'RESOURCE_EXHAUSTED' } }];
    const error = geminiError(429, body, { 'retry-after': '3' }, 'google:m', KEY);
    expect(error).toMatchObject({ kind: 'rate_limit', retryAfterMs: 3000 });
    expect(error.message).toBe('google:m: HTTP 429 RESOURCE_EXHAUSTED: Resource exhausted.');
    const proxy = geminiError(502, '<html>Bad Gateway</html>', {}, 'google:m', KEY);
    expect(proxy).toMatchObject({
      kind: 'transient',
      message: 'google:m: HTTP 502: <html>Bad Gateway</html>',
    });
    const echoed = geminiError(400, { error: { message: `bad key ${KEY}` } }, {}, 'google:m', KEY);
    expect(echoed.message).toBe('google:m: HTTP 400: bad key ***');
  });
});
