/** Streamed Chat Completions (`stream: true` on the target), against the mock server and raw SSE text. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock/server.js';
import type { ChatMessage, GenerationConfig } from '../types.js';
import { createOpenAiProvider } from './openai.js';
import { readChatStream } from './openai-chat-stream.js';
import { createOpenAiCompatibleProvider } from './openai-compatible.js';
import type { Provider } from './provider.js';
import { sseEvents } from './stream.js';
import { providerError, testHttp } from './test-helpers.js';

const KEY = 'sk-mock-secret-0123456789abcdef';

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
  headers?: Record<string, string>;
  stream?: boolean;
}

const ADAPTERS: Array<{ name: string; create(options?: Options): Provider }> = [
  {
    name: 'openai',
    create: ({ headers, stream = true } = {}) =>
      createOpenAiProvider({
        rest: 'gpt-4o-mini',
        options: { base_url: `${server.url}/v1`, stream, ...(headers ? { headers } : {}) },
        env: { OPENAI_API_KEY: KEY },
        baseDir: '.',
        http: testHttp,
      }),
  },
  {
    name: 'openai-compatible',
    create: ({ headers, stream = true } = {}) =>
      createOpenAiCompatibleProvider({
        rest: 'mock-model',
        options: {
          base_url: `${server.url}/v1`,
          api_key_env: 'KEY',
          stream,
          ...(headers ? { headers } : {}),
        },
        env: { KEY },
        baseDir: '.',
        http: testHttp,
      }),
  },
];

const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'Answer with a number.' },
  { role: 'user', content: 'What is 6 * 7?' },
];
const LONG: ChatMessage[] = [
  { role: 'user', content: 'Reply with exactly: the quick brown fox jumps over the lazy dog' },
];

function call(provider: Provider, messages = QUESTION, config: GenerationConfig = {}) {
  return provider.call({ messages, config, signal: AbortSignal.timeout(10_000) });
}

describe.each(ADAPTERS)('$name adapter with stream: true', (adapter) => {
  it('asks for a stream with usage and reads output, finish reason, usage and ttft', async () => {
    const response = await call(adapter.create());
    const body = server.journal()[0]?.body as Record<string, unknown>;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(response.output).toBe('42');
    expect(response.finishReason).toBe('stop');
    const chars = QUESTION.reduce((sum, message) => sum + message.content.length, 0);
    expect(response.usage).toMatchObject({ inputTokens: Math.ceil(chars / 4), outputTokens: 1 });
    expect(response.usage.raw).toMatchObject({ total_tokens: Math.ceil(chars / 4) + 1 });
    expect(response.ttftMs).toBeGreaterThanOrEqual(0);
    expect(response.costUsd).toBeUndefined();
  });

  it('concatenates every content delta', async () => {
    const response = await call(adapter.create(), LONG);
    expect(response.output).toBe('the quick brown fox jumps over the lazy dog');
    expect(response.usage.outputTokens).toBe(11);
  });

  it('gives the same answer as the non-streamed call, which has no ttft', async () => {
    const streamed = await call(adapter.create(), LONG, { max_tokens: 3 });
    const whole = await call(adapter.create({ stream: false }), LONG, { max_tokens: 3 });
    expect(streamed.output).toBe(whole.output);
    expect(streamed.finishReason).toBe('length');
    expect(streamed.usage).toEqual(whole.usage);
    expect(whole.ttftMs).toBeUndefined();
    expect(server.journal()[1]?.body).not.toHaveProperty('stream');
  });

  it('classifies a stream cut before [DONE] as transient (truncated)', async () => {
    const error = await providerError(call(adapter.create({ headers: { 'x-mock-truncate': '1' } }), LONG));
    expect(error.kind).toBe('transient');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(`${adapter.create().id}: stream ended before [DONE] (truncated)`);
  });

  it('classifies an in-band error chunk as transient', async () => {
    const error = await providerError(call(adapter.create({ headers: { 'x-mock-stream-error': '1' } })));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('stream error: The server had an error while processing your request');
    expect(server.journal()[0]?.status).toBe(200);
  });

  it('classifies an HTTP error before the stream like the non-streamed call', async () => {
    const provider = adapter.create({ headers: { 'x-mock-status': '429', 'x-mock-retry-after': '0.5' } });
    const error = await providerError(call(provider));
    expect(error.kind).toBe('rate_limit');
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(500);
  });
});

describe('the stream switch', () => {
  it('is the target option: a `stream` key in the config does not change the transport', async () => {
    const response = await call(ADAPTERS[0]!.create({ stream: false }), QUESTION, {
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.output).toBe('42');
    const body = server.journal()[0]?.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('stream');
    expect(body).not.toHaveProperty('stream_options');
  });
});

async function* bytes(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

function read(...parts: string[]) {
  return readChatStream(sseEvents(bytes(...parts)), {
    label: 'test:model',
    startedAt: performance.now(),
    secret: 'sk-secret-value',
  });
}

const delta = (content: string, finishReason: string | null = null) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: finishReason }] })}\n\n`;

describe('readChatStream', () => {
  it('skips comment keep-alives, joins events split across chunks and CRLF lines', async () => {
    const result = await read(
      ': OPENROUTER PROCESSING\n\n',
      delta('Hel').slice(0, 20),
      delta('Hel').slice(20),
      delta('lo', 'stop').replaceAll('\n', '\r\n'),
      'data: [DONE]\n\n',
    );
    expect(result).toMatchObject({ output: 'Hello', finishReason: 'stop', rawUsage: undefined });
    expect(result.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it('stops at [DONE] and ignores what follows', async () => {
    const result = await read(delta('a', 'stop'), 'data: [DONE]\n\n', 'data: {not json\n\n');
    expect(result.output).toBe('a');
  });

  it('classifies a malformed data line as transient', async () => {
    const error = await providerError(read(delta('a'), 'data: {"choices": [\n\n', 'data: [DONE]\n\n'));
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('test:model: malformed stream chunk: {"choices": [');
  });

  it('classifies finish_reason "error" without an error object as transient', async () => {
    const error = await providerError(read(delta('a'), delta('', 'error'), 'data: [DONE]\n\n'));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('finish_reason "error"');
  });

  it('classifies an `event: error` as transient and redacts the key', async () => {
    const error = await providerError(read(delta('a'), 'event: error\ndata: bad key sk-secret-value\n\n'));
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('test:model: stream error: bad key ***');
  });

  it('leaves usage unknown when the stream has no usage chunk', async () => {
    const result = await read(delta('a', 'stop'), 'data: [DONE]\n\n');
    expect(result.rawUsage).toBeUndefined();
  });

  it('reports no ttft when no content arrived', async () => {
    const result = await read(delta('', 'stop'), 'data: [DONE]\n\n');
    expect(result.output).toBe('');
    expect(result.ttftMs).toBeUndefined();
  });
});
