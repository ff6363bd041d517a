import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../config/load.js';
import { ProviderError } from '../errors.js';
import { CUSTOM_GENERATE_PATH } from '../mock/dialects/custom.js';
import { type MockServer, startMockServer } from '../mock/server.js';
import type { ChatMessage, GenerationConfig } from '../types.js';
import { createHttpProvider } from './http-custom.js';
import { CONTRACT_API_KEY, describeProviderContract, useContractServers } from './provider.contract.js';
import type { Provider } from './provider.js';
import { createProvider } from './registry.js';
import { testHttp, userError } from './test-helpers.js';

const KEY = 'sk-custom-secret-5f2a9c';
const NAME = 'my-service';

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

/** provider_options that fit the mock's custom dialect. */
const SERVICE = {
  url: CUSTOM_GENERATE_PATH,
  headers: { authorization: 'Bearer {{ api_key }}', 'x-model': '{{ model }}' },
  body: '{"input": {{ prompt | dump }}, "max_new_tokens": {{ config.max_tokens | default(64) }}}',
  output: 'result.text',
  usage: { input: 'usage.in', output: 'usage.out' },
};

interface Target {
  provider_options?: unknown;
  headers?: Record<string, string>;
  base_url?: string | undefined;
  api_key_env?: string | undefined;
}

function create(providerOptions: Record<string, unknown> = {}, target: Target = {}): Provider {
  const options: Record<string, unknown> = {
    base_url: server.url,
    api_key_env: 'MY_SERVICE_KEY',
    provider_options: { ...SERVICE, ...providerOptions },
    ...target,
  };
  for (const name of Object.keys(options)) if (options[name] === undefined) delete options[name];
  return createHttpProvider({
    rest: NAME,
    options,
    env: { MY_SERVICE_KEY: KEY },
    baseDir: '.',
    http: testHttp,
  });
}

const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'Answer with a number.' },
  { role: 'user', content: 'What is 6 * 7?' },
];

function call(provider: Provider, messages = QUESTION, config: GenerationConfig = {}) {
  return provider.call({ messages, config, signal: AbortSignal.timeout(10_000) });
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as Error).message).not.toContain(KEY);
  return error as ProviderError;
}

describe('http: provider', () => {
  it('answers from the output path, with usage from the usage paths', async () => {
    const provider = create();
    expect(provider.id).toBe('http:my-service');
    expect(provider.model).toBe(NAME);
    const response = await call(provider);
    expect(response.output).toBe('42');
    const inputTokens = Math.ceil('What is 6 * 7?'.length / 4);
    expect(response.usage).toEqual({
      inputTokens,
      outputTokens: 1,
      raw: { 'usage.in': inputTokens, 'usage.out': 1 },
    });
    expect(response).not.toHaveProperty('costUsd');
  });

  it('sends the rendered body and headers: templates see prompt, config, model and (headers) api_key', async () => {
    await call(create({}, { headers: { 'x-team': 'evals' } }), QUESTION, { max_tokens: 3 });
    const [entry] = server.journal();
    expect(entry).toMatchObject({ method: 'POST', path: CUSTOM_GENERATE_PATH, status: 200 });
    expect(entry?.body).toEqual({ input: 'What is 6 * 7?', max_new_tokens: 3 });
    expect(entry?.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      'x-model': NAME,
      'x-team': 'evals',
      'content-type': 'application/json',
    });
  });

  it('renders system and messages, and sends the body text as rendered', async () => {
    const body =
      '{"input": {{ (system + "\\n" + prompt) | dump }}, "turns": {{ messages | length }}, "max_new_tokens": 1}';
    await call(create({ body }));
    expect(server.journal()[0]?.body).toEqual({
      input: 'Answer with a number.\nWhat is 6 * 7?',
      turns: 2,
      max_new_tokens: 1,
    });
  });

  it('accepts an absolute url without base_url, and a relative one joined to a base_url path', async () => {
    await call(create({ url: `${server.url}${CUSTOM_GENERATE_PATH}` }, { base_url: undefined }));
    expect(server.journal()[0]?.status).toBe(200);
    const nested = create({ url: 'generate' }, { base_url: `${server.url}/custom/` });
    expect((await call(nested)).output).toBe('42');
  });

  it('turns a non-string output into JSON text and leaves usage unknown when a path finds nothing', async () => {
    const provider = create({ output: 'usage', usage: { input: 'usage.missing', output: 'usage.out' } });
    const response = await call(provider);
    expect(JSON.parse(response.output)).toEqual({ in: 4, out: 1 });
    expect(response.usage).toEqual({ outputTokens: 1, raw: { 'usage.out': 1 } });
  });

  it('reports an output path that finds nothing as transient, with a redacted excerpt', async () => {
    // The mock echoes the prompt, so the response body carries the key: the excerpt must not.
    const messages: ChatMessage[] = [{ role: 'user', content: `my key is ${KEY}` }];
    const error = await providerError(call(create({ output: 'choices[0].text' }), messages));
    expect(error.kind).toBe('transient');
    expect(error.status).toBe(200);
    expect(error.message).toBe(
      'http:my-service: output path choices[0].text not found in response: {"result":{"text":"Echo: my key is ***"},"usage":{"in":9,"out":10}}',
    );
  });

  it('classifies statuses by default: 400 permanent, 503 transient, 401 permanent', async () => {
    const bad = await providerError(call(create({ body: '{"input": 7}' })));
    expect(bad).toMatchObject({ kind: 'permanent', status: 400 });
    expect(bad.message).toBe('http:my-service: HTTP 400: input must be a string');
    const busy = await providerError(call(create({}, { headers: { 'x-mock-status': '503' } })));
    expect(busy).toMatchObject({ kind: 'transient', status: 503 });
    const wrongKey = createHttpProvider({
      rest: NAME,
      options: { base_url: server.url, api_key_env: 'MY_SERVICE_KEY', provider_options: SERVICE },
      env: { MY_SERVICE_KEY: 'sk-wrong-key' },
      baseDir: '.',
      http: testHttp,
    });
    const refused = await providerError(call(wrongKey));
    expect(refused).toMatchObject({ kind: 'permanent', status: 401 });
    expect(refused.message).toBe('http:my-service: HTTP 401: invalid or missing bearer token');
  });

  it('applies status overrides before the default classification', async () => {
    const status = { '503': 'permanent', '400': 'transient', '402': 'quota' };
    const busy = await providerError(call(create({ status }, { headers: { 'x-mock-status': '503' } })));
    expect(busy).toMatchObject({ kind: 'permanent', status: 503 });
    const bad = await providerError(call(create({ status, body: '{"input": 7}' })));
    expect(bad).toMatchObject({ kind: 'transient', status: 400 });
    const spent = await providerError(call(create({ status }, { headers: { 'x-mock-quota': '1' } })));
    expect(spent).toMatchObject({ kind: 'quota', status: 402 });
  });

  it('classifies a 429 as rate_limit with the retry-after wait', async () => {
    const headers = { 'x-mock-status': '429', 'x-mock-retry-after': '2' };
    const error = await providerError(call(create({}, { headers })));
    expect(error).toMatchObject({ kind: 'rate_limit', status: 429, retryAfterMs: 2000 });
    expect(error.message).toBe('http:my-service: HTTP 429: too many requests (injected by the mock server)');
  });

  it('fails a call whose body does not render as JSON as permanent, without sending it', async () => {
    const provider = create({ body: '{"input": {{ prompt | dump }}, "t": {{ config.temperature }}}' });
    const error = await providerError(call(provider));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('http:my-service: could not build the request:');
    expect(error.message).toContain('undefined');
    expect(server.journal()).toHaveLength(0);
    expect((await call(provider, QUESTION, { temperature: 0 })).output).toBe('42');
  });

  it('has a cache scope with the url, method and a body hash, never the key', () => {
    const scope = create().cacheScope();
    expect(scope).toMatch(new RegExp(`^http POST ${server.url}/custom/generate [0-9a-f]{16}$`));
    expect(scope).not.toContain(KEY);
    expect(create().cacheScope()).toBe(scope);
    expect(create({ body: '{"input": {{ prompt | dump }}}' }).cacheScope()).not.toBe(scope);
    expect(create({ output: 'result' }).cacheScope()).not.toBe(scope);
    expect(create({ method: 'put' }).cacheScope()).not.toBe(scope);
  });

  it('is registered as http:<name>', async () => {
    const options = { base_url: server.url, api_key_env: 'MY_SERVICE_KEY', provider_options: SERVICE };
    const provider = await createProvider(
      'http:billing',
      { options, env: { MY_SERVICE_KEY: KEY }, baseDir: '.', http: testHttp },
      'test',
    );
    expect(provider.id).toBe('http:billing');
    expect((await call(provider)).output).toBe('42');
    await expect(
      createProvider('http', { options, env: {}, baseDir: '.', http: testHttp }, 'test'),
    ).rejects.toThrow('provider id "http" is missing a name, e.g. http:my-service');
  });
});

describe('http: provider from an assay.yaml', () => {
  it('reaches the adapter with its templates intact and answers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-http-'));
    try {
      await writeFile(path.join(dir, 'q.njk'), '{{ question }}');
      await writeFile(
        path.join(dir, 'assay.yaml'),
        `prompts: [q.njk]
targets:
  - id: http:my-service
    base_url: \${MOCK_URL}
    api_key_env: MY_SERVICE_KEY
    config: { max_tokens: 2 }
    provider_options:
      url: ${CUSTOM_GENERATE_PATH}
      headers: { authorization: "Bearer {{ api_key }}" }
      body: |
        {"input": {{ prompt | dump }}, "max_new_tokens": {{ config.max_tokens | default(64) }}}
      output: result.text
      usage: { input: usage.in, output: usage.out }
tasks:
  - { vars: { question: "Say the quick brown fox" } }
`,
      );
      const env = { MOCK_URL: server.url, MY_SERVICE_KEY: KEY };
      const project = await loadProject({ cwd: dir, env });
      const [target] = project.targets;
      expect(target?.providerId).toBe('http:my-service');
      const provider = await createProvider(
        target!.providerId,
        { options: target!.options, env, baseDir: dir, http: testHttp },
        'test',
      );
      const response = await call(
        provider,
        [{ role: 'user', content: 'Say the quick brown fox' }],
        target!.config,
      );
      expect(response.output).toBe('the quic');
      expect(response.usage.outputTokens).toBe(2);
      expect(server.journal()[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('http: provider options', () => {
  const message = (providerOptions: unknown, target: Target = {}) =>
    userError(() => create({}, { provider_options: providerOptions, ...target })).message;

  it('requires provider_options with url and output', () => {
    expect(message(undefined)).toBe('http:my-service needs provider_options (at least url and output)');
    const { url: _url, ...noUrl } = SERVICE;
    const missing = userError(() => create({}, { provider_options: noUrl }));
    expect(missing.message).toBe('http:my-service: provider_options.url is required');
    expect(missing.hint).toContain('url: /v1/generate');
    const { output: _output, ...noOutput } = SERVICE;
    expect(message(noOutput)).toBe('http:my-service: provider_options.output is required');
  });

  it('names the field and quotes the bad value', () => {
    expect(message({ ...SERVICE, url: 7 })).toBe(
      'http:my-service: Expected provider_options.url to be a path such as /v1/generate (appended to base_url) or an absolute http(s) URL, got `7` (number)',
    );
    expect(message({ ...SERVICE, method: 'DELETE' })).toContain(
      'Expected provider_options.method to be one of POST, PUT, PATCH, GET, got `"DELETE"` (string)',
    );
    expect(message({ ...SERVICE, headers: { 'x-n': 1 } })).toContain(
      'Expected provider_options.headers.x-n to be a map of header name to a template string, got `1` (number)',
    );
    expect(message({ ...SERVICE, body: { input: '{{ prompt }}' } })).toContain(
      'Expected provider_options.body to be a Nunjucks template string that renders JSON',
    );
    expect(message({ ...SERVICE, retries: 3 })).toBe(
      'http:my-service: unknown provider_options field: retries',
    );
  });

  it('rejects an unknown status kind or a status that is not one', () => {
    expect(message({ ...SERVICE, status: { '503': 'retry' } })).toBe(
      'http:my-service: Expected provider_options.status.503 to be one of rate_limit, transient, permanent, quota, timeout, got `"retry"` (string)',
    );
    expect(message({ ...SERVICE, status: { '5xx': 'transient' } })).toBe(
      'http:my-service: Expected the keys of provider_options.status to be HTTP statuses (100-599), got `5xx`',
    );
  });

  it('rejects paths that do not parse', () => {
    expect(message({ ...SERVICE, output: 'choices[0' })).toBe(
      'http:my-service: provider_options.output `choices[0` is not a path: unexpected "[0" at position 7',
    );
    expect(message({ ...SERVICE, usage: { input: 'usage..in' } })).toContain('provider_options.usage.input');
  });

  it('renders the body with a sample prompt and rejects text that is not JSON', () => {
    const error = userError(() => create({ body: '{"input": "{{ prompt }}"}' }));
    expect(error.message).toMatch(/^http:my-service: provider_options.body does not render valid JSON/);
    expect(error.hint).toContain('{{ prompt | dump }}');
  });

  it('accepts config values the factory cannot see yet, and reports template syntax errors', () => {
    expect(() =>
      create({ body: '{"t": {{ config.temperature }}, "s": {{ config.stop | dump }}}' }),
    ).not.toThrow();
    const error = userError(() => create({ body: '{"input": {{ prompt | dump }' }));
    expect(error.message).toMatch(/^http:my-service: provider_options.body \(line 1, column \d+\): /);
    expect(userError(() => create({ body: '{"input": {{ promt | dump }}}' })).message).toContain(
      'provider_options.body',
    );
  });

  it('renders its templates in the sandbox: JavaScript internals are refused when the target is built', () => {
    const error = userError(() =>
      create({ body: '{"input": {{ range.constructor("return process.env")() | dump }}}' }),
    );
    expect(error.message).toMatch(
      /^http:my-service: provider_options.body.*"constructor" is not allowed in a template/,
    );
    expect(error.hint).toContain('not constructor, prototype, __proto__ or JavaScript globals');
    expect(userError(() => create({ url: '/v1/{{ model.__proto__ }}' })).message).toContain(
      'provider_options.url',
    );
  });

  it('keeps api_key to headers, and needs api_key_env to use it', () => {
    const inBody = userError(() =>
      create({ body: '{"input": {{ prompt | dump }}, "key": {{ api_key | dump }}}' }),
    );
    expect(inBody.message).toBe(
      'http:my-service: provider_options.body uses api_key, which only header templates can see',
    );
    const noEnv = userError(() => create({}, { api_key_env: undefined }));
    expect(noEnv.message).toBe(
      'http:my-service: provider_options.headers.authorization uses api_key, but the target sets no api_key_env',
    );
    const unset = userError(() =>
      createHttpProvider({
        rest: NAME,
        options: { base_url: server.url, api_key_env: 'MY_SERVICE_KEY', provider_options: SERVICE },
        env: {},
        baseDir: '.',
        http: testHttp,
      }),
    );
    expect(unset.message).toBe('MY_SERVICE_KEY is not set (needed by http:my-service)');
  });

  it('needs a base_url for a relative url, and a body unless the method is GET', () => {
    expect(message(SERVICE, { base_url: undefined })).toBe(
      'http:my-service: provider_options.url `/custom/generate` is relative, but the target has no base_url',
    );
    const { body: _body, ...noBody } = SERVICE;
    expect(message(noBody)).toBe('http:my-service: provider_options.body is required for method POST');
    expect(message({ ...SERVICE, method: 'get' })).toBe(
      'http:my-service: provider_options.body is set but method is GET, which sends no body',
    );
  });
});

describe('http: provider against the provider contract', () => {
  const servers = useContractServers();
  describeProviderContract(
    'http',
    async ({ origin, headers }) =>
      createHttpProvider({
        rest: 'contract',
        options: {
          base_url: origin,
          api_key_env: 'CONTRACT_KEY',
          ...(headers ? { headers } : {}),
          provider_options: {
            ...SERVICE,
            headers: { authorization: 'Bearer {{ api_key }}' },
            status: { '402': 'quota' },
          },
        },
        env: { CONTRACT_KEY: CONTRACT_API_KEY },
        baseDir: '.',
        http: testHttp,
      }),
    {
      servers,
      keyHeader: { name: 'authorization', value: `Bearer ${CONTRACT_API_KEY}` },
      streams: false,
      rawUsage: { inputTokens: 'usage.in', outputTokens: 'usage.out' },
      retryHint: true,
    },
  );
});
