import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock/server.js';
import { createOpenAiProvider } from './openai.js';
import { type CaptureServer, chatCompletionsRequest, startCaptureServer } from './request-shapes.contract.js';
import { testHttp, userError } from './test-helpers.js';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, apiKey: 'sk-from-custom-env' });
});
afterAll(async () => {
  await server.close();
});

describe('createOpenAiProvider', () => {
  it('needs OPENAI_API_KEY and says where to set it', () => {
    for (const env of [{}, { OPENAI_API_KEY: '' }]) {
      const error = userError(() =>
        createOpenAiProvider({ rest: 'gpt-4o-mini', options: {}, env, baseDir: '.', http: testHttp }),
      );
      expect(error.message).toBe('OPENAI_API_KEY is not set (needed by openai:gpt-4o-mini)');
      expect(error.hint).toBe('set OPENAI_API_KEY in the environment or in .env');
    }
  });

  it('reads the key from api_key_env when given', async () => {
    const error = userError(() =>
      createOpenAiProvider({
        rest: 'gpt-4o',
        options: { api_key_env: 'TEAM_OPENAI_KEY' },
        env: { OPENAI_API_KEY: 'sk-ignored' },
        baseDir: '.',
        http: testHttp,
      }),
    );
    expect(error.message).toBe('TEAM_OPENAI_KEY is not set (needed by openai:gpt-4o)');

    server.reset();
    const provider = createOpenAiProvider({
      rest: 'gpt-4o',
      options: { api_key_env: 'TEAM_OPENAI_KEY', base_url: `${server.url}/v1` },
      env: { TEAM_OPENAI_KEY: 'sk-from-custom-env' },
      baseDir: '.',
      http: testHttp,
    });
    const response = await provider.call({
      messages: [{ role: 'user', content: 'What is 2 + 3?' }],
      config: {},
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.output).toBe('5');
    expect(server.journal()[0]?.headers.authorization).toBe('Bearer sk-from-custom-env');
  });

  it('takes the base URL from OPENAI_BASE_URL when the target has none', async () => {
    server.reset();
    const provider = createOpenAiProvider({
      rest: 'gpt-4o-mini',
      options: {},
      env: { OPENAI_API_KEY: 'sk-from-custom-env', OPENAI_BASE_URL: `${server.url}/v1` },
      baseDir: '.',
      http: testHttp,
    });
    expect(provider.cacheScope()).toBe(`openai-chat ${server.url}/v1`);
    await provider.call({
      messages: [{ role: 'user', content: 'hi' }],
      config: {},
      signal: AbortSignal.timeout(10_000),
    });
    expect(server.journal()).toHaveLength(1);
  });

  it('defaults to the OpenAI API', () => {
    const provider = createOpenAiProvider({
      rest: 'gpt-4o-mini',
      options: {},
      env: { OPENAI_API_KEY: 'sk-x' },
      baseDir: '.',
      http: testHttp,
    });
    expect(provider.cacheScope()).toBe('openai-chat https://api.openai.com/v1');
    expect(provider.model).toBe('gpt-4o-mini');
  });
});

describe('openai: the Chat Completions request on the wire', () => {
  let capture: CaptureServer | undefined;
  afterEach(async () => {
    await capture?.close();
    capture = undefined;
  });

  const completion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: '{}' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
  };

  it('has the documented shape, with max_tokens sent as max_completion_tokens', async () => {
    capture = await startCaptureServer(() => ({ json: completion }));
    const tool = {
      type: 'function',
      function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
    };
    const config = {
      temperature: 0,
      max_tokens: 64,
      seed: 7,
      stop: ['END'],
      tools: [tool],
      tool_choice: 'auto',
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
      },
    };
    const provider = createOpenAiProvider({
      rest: 'gpt-4o-mini',
      options: { base_url: capture.url },
      config,
      env: { OPENAI_API_KEY: 'sk-x' },
      baseDir: '.',
      http: testHttp,
    });
    await provider.call({
      messages: [{ role: 'user', content: 'hi' }],
      config,
      signal: AbortSignal.timeout(10_000),
    });
    const [request] = capture.requests;
    expect(request?.url).toBe('/v1/chat/completions');
    expect(chatCompletionsRequest.safeParse(request?.body).error?.issues).toBeUndefined();
    const { max_tokens: _, ...sent } = config;
    expect(request?.body).toEqual({
      ...sent,
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 64,
    });
  });
});
