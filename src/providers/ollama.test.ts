import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock/server.js';
import type { ChatMessage, GenerationConfig } from '../types.js';
import { createOllamaProvider, ollamaBaseUrl } from './ollama.js';
import { type Provider, toolCallOutput } from './provider.js';
import {
  type CannedReply,
  type CaptureServer,
  ollamaChatRequest,
  startCaptureServer,
} from './request-shapes.contract.js';
import { providerError, testHttp, userError } from './test-helpers.js';

let server: MockServer;
beforeAll(async () => {
  // A key on the server proves Ollama needs none: its dialect accepts every request.
  server = await startMockServer({ port: 0, apiKey: 'sk-not-for-ollama' });
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
}

function create({ stream, headers }: Options = {}, model = 'llama3.2'): Provider {
  return createOllamaProvider({
    rest: model,
    options: {
      base_url: server.url,
      ...(stream !== undefined ? { stream } : {}),
      ...(headers ? { headers } : {}),
    },
    env: { OPENAI_API_KEY: 'sk-must-not-leak' },
    baseDir: '.',
    http: testHttp,
  });
}

const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'Answer with a number.' },
  { role: 'user', content: 'What is 6 * 7?' },
];
const LONG: ChatMessage[] = [
  { role: 'user', content: 'Reply with exactly: the quick brown fox jumps over the lazy dog' },
];
const promptTokens = Math.ceil(QUESTION.reduce((sum, message) => sum + message.content.length, 0) / 4);

function call(provider: Provider, messages = QUESTION, config: GenerationConfig = {}) {
  return provider.call({ messages, config, signal: AbortSignal.timeout(10_000) });
}

describe.each([false, true])('ollama adapter (stream: %s)', (stream) => {
  it('answers with output, model, done_reason, eval counts as usage, and cost 0', async () => {
    const response = await call(create({ stream }));
    expect(response.output).toBe('42');
    expect(response.model).toBe('llama3.2');
    expect(response.finishReason).toBe('stop');
    expect(response.costUsd).toBe(0);
    expect(response.usage).toEqual({
      inputTokens: promptTokens,
      outputTokens: 1,
      raw: {
        prompt_eval_count: promptTokens,
        prompt_eval_duration: expect.any(Number),
        eval_count: 1,
        eval_duration: expect.any(Number),
        total_duration: expect.any(Number),
        load_duration: expect.any(Number),
      },
    });
    if (stream) expect(response.ttftMs).toBeGreaterThanOrEqual(0);
    else expect(response.ttftMs).toBeUndefined();
  });

  it('posts to /api/chat with stream explicit and the config as model options', async () => {
    await call(create({ stream }), QUESTION, {
      temperature: 0,
      top_p: 0.9,
      seed: 7,
      max_tokens: 64,
      stop: ['\n'],
    });
    const [entry] = server.journal();
    expect(entry?.path).toBe('/api/chat');
    expect(entry?.headers).not.toHaveProperty('authorization');
    expect(entry?.body).toEqual({
      model: 'llama3.2',
      messages: QUESTION,
      stream,
      options: { temperature: 0, top_p: 0.9, seed: 7, num_predict: 64, stop: ['\n'] },
    });
  });

  it('reads a multi-piece answer and a length stop', async () => {
    expect((await call(create({ stream }), LONG)).output).toBe('the quick brown fox jumps over the lazy dog');
    const cut = await call(create({ stream }), LONG, { max_tokens: 3 });
    expect(cut.output).toBe('the quick br');
    expect(cut.finishReason).toBe('length');
    expect(cut.usage.outputTokens).toBe(3);
  });

  it('leaves inputTokens unknown (not 0) when prompt_eval_count is missing', async () => {
    const response = await call(create({ stream, headers: { 'x-mock-omit-prompt-count': '1' } }));
    expect(response.output).toBe('42');
    expect(response.usage).not.toHaveProperty('inputTokens');
    expect(response.usage.outputTokens).toBe(1);
    expect(response.usage.raw).not.toHaveProperty('prompt_eval_count');
  });

  it('classifies a 404 as permanent with a hint to pull the model', async () => {
    const error = await providerError(
      call(create({ stream, headers: { 'x-mock-status': '404' } }, 'qwen3:4b')),
    );
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(404);
    expect(error.message).toBe(
      'ollama:qwen3:4b: HTTP 404: model "qwen3:4b" not found, try pulling it first (run `ollama pull qwen3:4b` on the server)',
    );
  });

  it('classifies a 500 as transient', async () => {
    const error = await providerError(call(create({ stream, headers: { 'x-mock-status': '500' } })));
    expect(error.kind).toBe('transient');
    expect(error.status).toBe(500);
    expect(error.message).toContain('an error was encountered while running the model');
  });
});

describe('ollama adapter streaming faults', () => {
  it('classifies an {"error"} line after the 200 as transient', async () => {
    const error = await providerError(
      call(create({ stream: true, headers: { 'x-mock-stream-error': '1' } }), LONG),
    );
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(
      /^ollama:llama3\.2: stream error: an error was encountered while running the model/,
    );
    expect(server.journal()[0]?.status).toBe(200);
  });

  it('classifies a stream that ends without done:true as transient (truncated)', async () => {
    const error = await providerError(
      call(create({ stream: true, headers: { 'x-mock-truncate': '1' } }), LONG),
    );
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('ollama:llama3.2: stream ended before done:true (truncated)');
  });
});

describe('ollama adapter configuration', () => {
  it('sends Ollama request fields at the top level and other settings as model options', async () => {
    await call(create(), QUESTION, { format: 'json', keep_alive: '5m', num_ctx: 8192 });
    expect(server.journal()[0]?.body).toMatchObject({
      format: 'json',
      keep_alive: '5m',
      options: { num_ctx: 8192 },
    });
    expect(server.journal()[0]?.body).not.toHaveProperty('options.format');
  });

  it('reads the host from OLLAMA_HOST written as host:port', async () => {
    const provider = createOllamaProvider({
      rest: 'llama3.2',
      options: {},
      env: { OLLAMA_HOST: `127.0.0.1:${server.port}` },
      baseDir: '.',
      http: testHttp,
    });
    expect(provider.cacheScope()).toBe(`ollama http://127.0.0.1:${server.port}`);
    expect((await call(provider)).output).toBe('42');
  });

  it('points at a wrong base_url (plain 404) rather than a missing model', async () => {
    const provider = createOllamaProvider({
      rest: 'llama3.2',
      options: { base_url: `${server.url}/ollama` },
      env: {},
      baseDir: '.',
      http: testHttp,
    });
    const error = await providerError(call(provider));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('check base_url');
    expect(error.message).not.toContain('ollama pull');
  });

  it('takes the server root written with /api, or as its OpenAI-compatible /v1 URL', async () => {
    for (const suffix of ['/api', '/api/', '/v1']) {
      const provider = createOllamaProvider({
        rest: 'llama3.2',
        options: { base_url: `${server.url}${suffix}` },
        env: {},
        baseDir: '.',
        http: testHttp,
      });
      expect(provider.cacheScope()).toBe(`ollama ${server.url}`);
      await provider.call({ messages: QUESTION, config: {}, signal: AbortSignal.timeout(10_000) });
    }
    expect(server.journal().map((entry) => entry.path)).toEqual(['/api/chat', '/api/chat', '/api/chat']);
  });

  it('sends a bearer key only when api_key_env names one', async () => {
    const options = { base_url: server.url, api_key_env: 'OLLAMA_API_KEY' };
    expect(
      userError(() =>
        createOllamaProvider({ rest: 'llama3.2', options, env: {}, baseDir: '.', http: testHttp }),
      ).message,
    ).toBe('OLLAMA_API_KEY is not set (needed by ollama:llama3.2)');
    const provider = createOllamaProvider({
      rest: 'llama3.2',
      options,
      env: { OLLAMA_API_KEY: 'ollama-key-123' },
      baseDir: '.',
      http: testHttp,
    });
    await call(provider);
    expect(server.journal()[0]?.headers.authorization).toBe('Bearer ollama-key-123');
  });

  it('has no pricing provider: local models cost 0', () => {
    const provider = create();
    expect(provider.id).toBe('ollama:llama3.2');
    expect(provider.model).toBe('llama3.2');
    expect(provider.pricingProvider).toBeUndefined();
  });
});

describe('ollamaBaseUrl', () => {
  it.each([
    [undefined, 'http://127.0.0.1:11434'],
    ['', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://0.0.0.0:11434'],
    ['gpu-box:8080', 'http://gpu-box:8080'],
    ['https://ollama.example.com/', 'https://ollama.example.com'],
    ['http://localhost:11434', 'http://localhost:11434'],
  ])('%j → %s', (value, expected) => {
    expect(ollamaBaseUrl(value)).toBe(expected);
  });
});

describe('Ollama embed', () => {
  it('posts the inputs to /api/embed and reads vectors and prompt_eval_count, at no cost', async () => {
    const provider = create({}, 'nomic-embed-text');
    if (!provider.embed) throw new Error('no embed');
    const response = await provider.embed({
      inputs: ['hello world', 'hi'],
      signal: AbortSignal.timeout(10_000),
    });
    expect(server.journal()[0]).toMatchObject({
      path: '/api/embed',
      body: { model: 'nomic-embed-text', input: ['hello world', 'hi'] },
    });
    expect(response.vectors).toHaveLength(2);
    expect(response.usage).toEqual({ inputTokens: 4, outputTokens: 0, raw: { prompt_eval_count: 4 } });
    expect(response).toMatchObject({ model: 'nomic-embed-text', costUsd: 0 });
  });

  it('classifies an unknown model (404) as permanent with the pull hint', async () => {
    const provider = create({ headers: { 'x-mock-status': '404' } }, 'missing-model');
    if (!provider.embed) throw new Error('no embed');
    const error = await providerError(provider.embed({ inputs: ['x'], signal: AbortSignal.timeout(10_000) }));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('ollama pull missing-model');
  });
});

describe('Ollama on the wire', () => {
  let capture: CaptureServer | undefined;
  afterEach(async () => {
    await capture?.close();
    capture = undefined;
  });

  async function captured(reply: CannedReply, stream = false): Promise<Provider> {
    capture = await startCaptureServer(() => reply);
    return createOllamaProvider({
      rest: 'llama3.2',
      options: { base_url: capture.url, stream },
      env: {},
      baseDir: '.',
      http: testHttp,
    });
  }

  const final = {
    model: 'llama3.2',
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 20,
    eval_count: 9,
  };
  const toolCall = { function: { name: 'get_weather', arguments: { city: 'Tokyo' } } };

  it('sends the documented ChatRequest: top-level fields, the rest (and an options object) as options', async () => {
    const provider = await captured({ json: { ...final, message: { role: 'assistant', content: '42' } } });
    const config = {
      temperature: 0,
      max_tokens: 64,
      num_ctx: 8192,
      options: { top_k: 20 },
      format: 'json',
      keep_alive: '5m',
      think: false,
      logprobs: true,
      top_logprobs: 2,
    } as GenerationConfig;
    await call(provider, QUESTION, config);
    const body = capture!.onlyBody();
    expect(ollamaChatRequest.safeParse(body).error?.issues).toBeUndefined();
    expect(body).toEqual({
      model: 'llama3.2',
      messages: QUESTION,
      stream: false,
      format: 'json',
      keep_alive: '5m',
      think: false,
      logprobs: true,
      top_logprobs: 2,
      options: { top_k: 20, temperature: 0, num_ctx: 8192, num_predict: 64 },
    });
  });

  it('reads tool_calls (arguments are an object on the wire) as toolCalls, the output when there is no text', async () => {
    const provider = await captured({
      json: { ...final, message: { role: 'assistant', content: '', tool_calls: [toolCall] } },
    });
    const response = await call(provider);
    const toolCalls = [{ name: 'get_weather', arguments: '{"city":"Tokyo"}' }];
    expect(response.toolCalls).toEqual(toolCalls);
    expect(response.output).toBe(toolCallOutput(toolCalls));
  });

  it('reads tool_calls from a stream', async () => {
    const lines = [
      { model: 'llama3.2', message: { role: 'assistant', content: '', tool_calls: [toolCall] }, done: false },
      { ...final, message: { role: 'assistant', content: '' } },
    ];
    const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
    const provider = await captured({ text, contentType: 'application/x-ndjson' }, true);
    const response = await call(provider);
    expect(response.toolCalls).toEqual([{ name: 'get_weather', arguments: '{"city":"Tokyo"}' }]);
  });
});
