import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { type MockServer, startMockServer } from '../mock/server.js';
import { apiRoot, endpoint, withoutSegment } from './base-url.js';
import { createProvider } from './registry.js';
import { testHttp } from './test-helpers.js';

describe('apiRoot', () => {
  const anthropic = { segment: '/v1' };
  const openai = { segment: '/v1', prefixIsRoot: true };
  const gemini = { segment: '/v1beta', named: /\/v\d+(?:alpha|beta)?\d*$/ };

  it('adds the version segment once, whether the base has it, a trailing slash, or neither', () => {
    for (const base of [
      'https://api.anthropic.com',
      'https://api.anthropic.com/',
      'https://api.anthropic.com/v1',
      ' https://api.anthropic.com/v1// ',
    ]) {
      expect(apiRoot(base, anthropic, 'anthropic:x')).toBe('https://api.anthropic.com/v1');
    }
    // A gateway prefix without a version still gets one, as Anthropic's SDK appends /v1/messages to it.
    expect(apiRoot('https://gateway.example/acct/anthropic', anthropic, 'x')).toBe(
      'https://gateway.example/acct/anthropic/v1',
    );
  });

  it('takes an OpenAI-style base with a path as the root, and gives a bare host /v1', () => {
    expect(apiRoot('http://localhost:8000', openai, 'x')).toBe('http://localhost:8000/v1');
    expect(apiRoot('http://localhost:8000/v1/', openai, 'x')).toBe('http://localhost:8000/v1');
    // Gemini's OpenAI-compatible endpoint and gateway prefixes carry their own path.
    expect(apiRoot('https://generativelanguage.googleapis.com/v1beta/openai/', openai, 'x')).toBe(
      'https://generativelanguage.googleapis.com/v1beta/openai',
    );
  });

  it('keeps a version the base already names when the API serves several', () => {
    expect(apiRoot('https://g.example', gemini, 'x')).toBe('https://g.example/v1beta');
    expect(apiRoot('https://g.example/v1', gemini, 'x')).toBe('https://g.example/v1');
    expect(apiRoot('https://g.example/v1alpha/', gemini, 'x')).toBe('https://g.example/v1alpha');
  });

  it('refuses what is not an absolute http(s) URL, naming the target and the form to use', () => {
    for (const base of ['localhost:8000/v1', 'ftp://example.com', '']) {
      let caught: unknown;
      try {
        apiRoot(base, openai, 'openai:gpt-4o');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UserError);
      expect((caught as UserError).message).toBe(
        `openai:gpt-4o: base URL \`${base}\` is not an absolute http(s) URL`,
      );
      expect((caught as UserError).hint).toContain('http(s)://host[:port][/path]');
    }
  });

  it('gives the site without the segment for cache scopes', () => {
    expect(withoutSegment('https://api.anthropic.com/v1', '/v1')).toBe('https://api.anthropic.com');
    expect(withoutSegment('https://g.example/v1', '/v1beta')).toBe('https://g.example/v1');
  });
});

describe('endpoint', () => {
  it('puts the path before the query and joins both queries', () => {
    expect(endpoint('https://gw/v1?key=a', '/chat/completions')).toBe('https://gw/v1/chat/completions?key=a');
    expect(endpoint('https://gw/v1beta/models/m?key=a', ':streamGenerateContent?alt=sse')).toBe(
      'https://gw/v1beta/models/m:streamGenerateContent?key=a&alt=sse',
    );
    expect(endpoint('https://gw/v1/', '/messages')).toBe('https://gw/v1/messages');
    expect(apiRoot('https://gw?key=a#x', { segment: '/v1' }, 't')).toBe('https://gw/v1?key=a');
  });
});

describe('every adapter takes its base URL with or without the version segment', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ port: 0 });
  });
  afterAll(async () => {
    await mock.close();
  });
  beforeEach(() => mock.reset());

  const cases: Array<{ id: string; env: Record<string, string>; suffixes: string[]; path: string }> = [
    {
      id: 'openai:gpt-4o-mini',
      env: { OPENAI_API_KEY: 'k' },
      suffixes: ['', '/', '/v1', '/v1/'],
      path: '/v1/chat/completions',
    },
    {
      id: 'openai:responses:gpt-4.1-mini',
      env: { OPENAI_API_KEY: 'k' },
      suffixes: ['', '/v1'],
      path: '/v1/responses',
    },
    { id: 'openai-compatible:llama3.2', env: {}, suffixes: ['', '/v1/'], path: '/v1/chat/completions' },
    {
      id: 'openrouter:openai/gpt-4o-mini',
      env: { OPENROUTER_API_KEY: 'k' },
      suffixes: ['', '/api/v1', '/api/v1/'],
      path: '/api/v1/chat/completions',
    },
    {
      id: 'anthropic:claude-3-5-haiku-latest',
      env: { ANTHROPIC_API_KEY: 'k' },
      suffixes: ['', '/v1', '/v1/'],
      path: '/v1/messages',
    },
    {
      id: 'google:gemini-2.5-flash',
      env: { GEMINI_API_KEY: 'k' },
      suffixes: ['', '/v1beta', '/v1beta/'],
      path: '/v1beta/models/gemini-2.5-flash:generateContent',
    },
    { id: 'ollama:llama3.2', env: {}, suffixes: ['', '/api', '/v1'], path: '/api/chat' },
  ];

  for (const { id, env, suffixes, path } of cases) {
    it(`${id}: ${suffixes.map((suffix) => `"${suffix}"`).join(', ')} all reach ${path}, under one cache scope`, async () => {
      const scopes = new Set<string>();
      for (const suffix of suffixes) {
        const provider = await createProvider(
          id,
          { options: { base_url: `${mock.url}${suffix}` }, env, baseDir: '.', http: testHttp },
          'test',
        );
        scopes.add(provider.cacheScope());
        await provider.call({
          messages: [{ role: 'user', content: 'hi' }],
          config: {},
          signal: AbortSignal.timeout(10_000),
        });
      }
      expect(mock.journal().map((entry) => entry.path)).toEqual(suffixes.map(() => path));
      expect(scopes.size).toBe(1);
    });
  }

  for (const { id, env, suffixes, path } of cases) {
    it(`${id}: a query in the base URL stays on the endpoint, after its path`, async () => {
      const provider = await createProvider(
        id,
        {
          options: { base_url: `${mock.url}${suffixes.at(-1)}?api-version=2024-06&key=k%201` },
          env,
          baseDir: '.',
          http: testHttp,
        },
        'test',
      );
      await provider.call({
        messages: [{ role: 'user', content: 'hi' }],
        config: {},
        signal: AbortSignal.timeout(10_000),
      });
      expect(mock.journal().map((entry) => entry.path)).toEqual([`${path}?api-version=2024-06&key=k%201`]);
    });
  }

  it('openai: a gateway prefix is the root as written (only the resource is appended)', async () => {
    const provider = await createProvider(
      'openai:gpt-4o-mini',
      {
        options: { base_url: `${mock.url}/gateway/openai` },
        env: { OPENAI_API_KEY: 'k' },
        baseDir: '.',
        http: testHttp,
      },
      'test',
    );
    // The mock serves no gateway, so it answers 404: only the path sent matters here.
    const call = provider.call({
      messages: [{ role: 'user', content: 'hi' }],
      config: {},
      signal: AbortSignal.timeout(10_000),
    });
    await expect(call).rejects.toThrow('HTTP 404');
    expect(mock.journal().map((entry) => entry.path)).toEqual(['/gateway/openai/chat/completions']);
  });

  it('reads the base from each provider’s environment variable the same way', async () => {
    const fromEnv: Array<[string, Record<string, string>]> = [
      ['openai:gpt-4o-mini', { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: mock.url }],
      ['anthropic:claude-3-5-haiku-latest', { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: `${mock.url}/v1` }],
      ['google:gemini-2.5-flash', { GEMINI_API_KEY: 'k', GEMINI_BASE_URL: `${mock.url}/` }],
      ['openrouter:openai/gpt-4o-mini', { OPENROUTER_API_KEY: 'k', OPENROUTER_BASE_URL: mock.url }],
      ['ollama:llama3.2', { OLLAMA_HOST: mock.url.replace('http://', '') }],
    ];
    for (const [id, env] of fromEnv) {
      const provider = await createProvider(id, { options: {}, env, baseDir: '.', http: testHttp }, 'test');
      await provider.call({
        messages: [{ role: 'user', content: 'hi' }],
        config: {},
        signal: AbortSignal.timeout(10_000),
      });
    }
    expect(mock.journal().map((entry) => `${entry.path} ${entry.status}`)).toEqual([
      '/v1/chat/completions 200',
      '/v1/messages 200',
      '/v1beta/models/gemini-2.5-flash:generateContent 200',
      '/api/v1/chat/completions 200',
      '/api/chat 200',
    ]);
  });
});
