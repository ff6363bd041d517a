import { describe, expect, it } from 'vitest';
import {
  type CompletionBody,
  chatBody,
  type ErrorBody,
  postChat,
  readJson,
  sseChunks,
  useMockServer,
} from './test-helpers.js';

const start = useMockServer();

describe('POST /v1/chat/completions', () => {
  it('answers in OpenAI shape with a deterministic answer and usage', async () => {
    const server = await start();
    const prompt = 'What is 12 * (3 + 4)?';
    const response = await postChat(server, chatBody(prompt, { model: 'gpt-4o-mini' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const body = await response.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: '84', refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: Math.ceil(prompt.length / 4),
        completion_tokens: 1,
        total_tokens: Math.ceil(prompt.length / 4) + 1,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      service_tier: 'default',
      system_fingerprint: expect.stringMatching(/^fp_/),
    });
  });

  it('echoes the last user message and counts every message in prompt_tokens', async () => {
    const server = await start();
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content: 'Tell me about cats' },
    ];
    const body = await readJson<CompletionBody>(await postChat(server, { model: 'mock-model', messages }));
    expect(body.choices[0]?.message.content).toBe('Echo: Tell me about cats');
    const chars = messages.reduce((sum, message) => sum + message.content.length, 0);
    expect(body.usage.prompt_tokens).toBe(Math.ceil(chars / 4));
    expect(body.usage.completion_tokens).toBe(Math.ceil('Echo: Tell me about cats'.length / 4));
  });

  it('truncates to max_tokens / max_completion_tokens with finish_reason length', async () => {
    const server = await start();
    const prompt = 'Reply with exactly: the quick brown fox jumps over the lazy dog';
    for (const limit of [{ max_tokens: 3 }, { max_completion_tokens: 3 }]) {
      const body = await readJson<CompletionBody>(await postChat(server, chatBody(prompt, limit)));
      expect(body.choices[0]?.message.content).toBe('the quick br');
      expect(body.choices[0]?.finish_reason).toBe('length');
      expect(body.usage.completion_tokens).toBe(3);
    }
    const roomy = await readJson<CompletionBody>(
      await postChat(server, chatBody(prompt, { max_tokens: 100 })),
    );
    expect(roomy.choices[0]?.finish_reason).toBe('stop');
    expect(roomy.choices[0]?.message.content).toBe('the quick brown fox jumps over the lazy dog');
  });

  it('streams SSE chunks: role first, content deltas, finish reason, [DONE]', async () => {
    const server = await start();
    const response = await postChat(server, chatBody('Say hello world', { stream: true }));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const { chunks, done } = sseChunks(await response.text());
    expect(done).toBe(true);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        object: 'chat.completion.chunk',
        id: chunks[0]?.id,
        model: 'mock-model',
      });
      expect(chunk).not.toHaveProperty('usage');
    }
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const content = chunks
      .slice(1, -1)
      .map((chunk) => chunk.choices[0]?.delta.content)
      .join('');
    expect(content).toBe('hello world');
    expect(chunks.at(-1)?.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
  });

  it('streams a usage chunk with empty choices only when include_usage is set', async () => {
    const server = await start();
    const body = chatBody('What is 7/2?', {
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
    });
    const { chunks, done } = sseChunks(await (await postChat(server, body)).text());
    expect(done).toBe(true);
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
    const others = chunks.slice(0, -1);
    expect(others.every((chunk) => chunk.usage === null)).toBe(true);
    expect(others.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('3.5');
  });

  it('streams truncated answers with finish_reason length', async () => {
    const server = await start();
    const body = chatBody('Reply with exactly: abcdefghijkl', { stream: true, max_tokens: 2 });
    const { chunks } = sseChunks(await (await postChat(server, body)).text());
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.slice(1, -1).map((chunk) => chunk.choices[0]?.delta.content)).toEqual(['abcd', 'efgh']);
  });

  it('also serves /chat/completions and /api/v1/chat/completions', async () => {
    const server = await start();
    for (const path of ['/chat/completions', '/api/v1/chat/completions']) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        body: JSON.stringify(chatBody('1+1')),
      });
      expect((await readJson<CompletionBody>(response)).choices[0]?.message.content).toBe('2');
    }
  });

  it('answers 400 with the exact error envelope for an invalid body', async () => {
    const server = await start();
    const response = await postChat(server, { model: 'mock-model', messages: [] });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message:
          "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'empty_array',
      },
    });
    const malformed = await postChat(server, '{"model": ');
    expect(malformed.status).toBe(400);
    expect((await readJson<ErrorBody>(malformed)).error).toMatchObject({
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  });

  it('sends OpenAI rate-limit headers with Go durations', async () => {
    const server = await start();
    const response = await postChat(server, chatBody('hi'));
    const limit = Number(response.headers.get('x-ratelimit-limit-requests'));
    const remaining = Number(response.headers.get('x-ratelimit-remaining-requests'));
    expect(limit).toBeGreaterThan(0);
    expect(remaining).toBe(limit - 1);
    expect(Number(response.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(
      Number(response.headers.get('x-ratelimit-limit-tokens')),
    );
    expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|[\d.hm]+s)$/);
    expect(response.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+ms|[\d.hm]+s)$/);
  });
});

describe('auth', () => {
  it('requires the bearer key when apiKey is set', async () => {
    const server = await start({ apiKey: 'sk-mock' });
    for (const headers of [{}, { authorization: 'Bearer sk-wrong' }] as Array<Record<string, string>>) {
      const response = await postChat(server, chatBody('hi'), headers);
      expect(response.status).toBe(401);
      expect((await readJson<ErrorBody>(response)).error).toMatchObject({
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      });
    }
    const ok = await postChat(server, chatBody('hi'), { authorization: 'Bearer sk-mock' });
    expect(ok.status).toBe(200);
  });
});

describe('other routes', () => {
  it('lists models', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/v1/models`);
    const body = await readJson<{ object: string; data: Array<{ id: string }> }>(response);
    expect(body.object).toBe('list');
    const ids = body.data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['mock-model', 'gpt-4o-mini']));
    expect(body.data[0]).toMatchObject({ object: 'model', owned_by: expect.any(String) });
  });

  it('answers unknown paths with a 404 envelope', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/v1/nope`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: 'Invalid URL (POST /v1/nope)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it.each([
    ['/api/nope', 'POST', 'text/plain', '404 page not found'],
    ['/api/chat', 'GET', 'text/plain', '404 page not found'],
    [
      '/v1beta/models/gemini-2.5-flash:countTokens',
      'POST',
      'application/json; charset=UTF-8',
      { error: { code: 404, message: expect.stringContaining('countTokens'), status: 'NOT_FOUND' } },
    ],
    [
      '/v1/messages/batches',
      'POST',
      'application/json',
      {
        type: 'error',
        error: { type: 'not_found_error', message: 'Not Found' },
        request_id: expect.any(String),
      },
    ],
    [
      '/api/v1/nope',
      'POST',
      'application/json',
      {
        error: {
          message: 'Invalid URL (POST /api/v1/nope)',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    ],
    ['/custom/nope', 'POST', 'application/json; charset=utf-8', { error: 'no route POST /custom/nope' }],
  ])('answers an unknown %s (%s) in the dialect of its path', async (path, method, type, expected) => {
    const server = await start();
    const response = await fetch(`${server.url}${path}`, {
      method,
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe(type);
    if (typeof expected === 'string') expect(await response.text()).toBe(expected);
    else expect(await response.json()).toEqual(expected);
  });

  it('has a health check', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/__mock/health`);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('gives a url without a trailing slash on an ephemeral port', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });
});
