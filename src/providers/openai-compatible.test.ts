import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock/server.js';
import { createOpenAiCompatibleProvider } from './openai-compatible.js';
import { testHttp, userError } from './test-helpers.js';

let server: MockServer;
beforeAll(async () => {
  // No key: local servers (Ollama, llama.cpp) usually have none.
  server = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

describe('createOpenAiCompatibleProvider', () => {
  it('needs a base_url and shows how to write one', () => {
    const error = userError(() =>
      createOpenAiCompatibleProvider({
        rest: 'llama3.2',
        options: {},
        env: {},
        baseDir: '.',
        http: testHttp,
      }),
    );
    expect(error.message).toBe('openai-compatible:llama3.2 needs a base_url');
    expect(error.hint).toContain('base_url: http://localhost:8000/v1');
  });

  it('needs the variable named by api_key_env to be set', () => {
    const error = userError(() =>
      createOpenAiCompatibleProvider({
        rest: 'llama3.2',
        options: { base_url: `${server.url}/v1`, api_key_env: 'ROUTER_KEY' },
        env: {},
        baseDir: '.',
        http: testHttp,
      }),
    );
    expect(error.message).toBe('ROUTER_KEY is not set (needed by openai-compatible:llama3.2)');
    expect(error.hint).toBe('set ROUTER_KEY or remove api_key_env');
  });

  it('calls a server without a key and sends no authorization header', async () => {
    const provider = createOpenAiCompatibleProvider({
      rest: 'llama3.2',
      options: { base_url: `${server.url}/v1` },
      env: { OPENAI_API_KEY: 'sk-must-not-leak' },
      baseDir: '.',
      http: testHttp,
    });
    const response = await provider.call({
      messages: [{ role: 'user', content: 'What is 10 - 4?' }],
      config: { temperature: 0 },
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.output).toBe('6');
    const [entry] = server.journal();
    expect(entry?.headers).not.toHaveProperty('authorization');
    expect(entry?.body).toMatchObject({ model: 'llama3.2', temperature: 0 });
    expect(provider.id).toBe('openai-compatible:llama3.2');
    expect(provider.model).toBe('llama3.2');
  });
});
