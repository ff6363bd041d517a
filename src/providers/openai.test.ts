import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock/server.js';
import { createOpenAiProvider } from './openai.js';
import { userError } from './test-helpers.js';

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
        createOpenAiProvider({ rest: 'gpt-4o-mini', options: {}, env, baseDir: '.' }),
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
      }),
    );
    expect(error.message).toBe('TEAM_OPENAI_KEY is not set (needed by openai:gpt-4o)');

    server.reset();
    const provider = createOpenAiProvider({
      rest: 'gpt-4o',
      options: { api_key_env: 'TEAM_OPENAI_KEY', base_url: `${server.url}/v1` },
      env: { TEAM_OPENAI_KEY: 'sk-from-custom-env' },
      baseDir: '.',
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
    });
    expect(provider.cacheScope()).toBe('openai-chat https://api.openai.com/v1');
    expect(provider.model).toBe('gpt-4o-mini');
  });
});
