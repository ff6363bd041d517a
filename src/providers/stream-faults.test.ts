/**
 * Every streaming adapter against the mock server's mid-stream faults: a stall (idle timeout and caller
 * signal), a malformed event, and a gateway's HTML error page.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors as undiciErrors } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type ProviderErrorKind } from '../errors.js';
import { type MockServer, startMockServer } from '../mock/server.js';
import type { Provider } from './provider.js';
import { createProvider } from './registry.js';
import { testHttp } from './test-helpers.js';
import { transportTimeouts } from './transport-context.js';

const KEY = 'sk-stream-faults-3f9a2c71d8e4';
const QUESTION = [{ role: 'user' as const, content: 'Say hello world' }];
// A proxy page far longer than any message should quote; its last line must never reach one.
const PAGE_END = '<!-- end of the proxy page: never quoted -->';
const LONG_PAGE = `<!DOCTYPE html><html><head><title>502: Bad gateway</title></head><body>${'<p>The origin answered badly.</p>\n'.repeat(100)}${PAGE_END}</body></html>`;

interface AdapterCase {
  id: string;
  options?: Record<string, unknown>;
  /** The environment that points the adapter at `origin` with the test key. */
  env(origin: string): Record<string, string>;
  /** Events the mock sends before it stalls: up to and including the first content event. */
  stallAfter: number;
}

const ADAPTERS: AdapterCase[] = [
  {
    id: 'openai:gpt-4o-mini',
    env: (origin) => ({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${origin}/v1` }),
    stallAfter: 2,
  },
  {
    id: 'openai-compatible:mock-model',
    options: { api_key_env: 'LOCAL_LLM_KEY' },
    env: () => ({ LOCAL_LLM_KEY: KEY }),
    stallAfter: 2,
  },
  {
    id: 'openrouter:openai/gpt-4o-mini',
    env: (origin) => ({ OPENROUTER_API_KEY: KEY, OPENROUTER_BASE_URL: `${origin}/api/v1` }),
    // Two keep-alive comments come first.
    stallAfter: 4,
  },
  {
    id: 'anthropic:claude-3-5-haiku-latest',
    env: (origin) => ({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: origin }),
    stallAfter: 4,
  },
  {
    id: 'google:gemini-2.5-flash',
    env: (origin) => ({ GEMINI_API_KEY: KEY, GEMINI_BASE_URL: origin }),
    stallAfter: 1,
  },
  {
    id: 'ollama:llama3.2',
    env: (origin) => ({ OLLAMA_HOST: origin }),
    stallAfter: 1,
  },
];

let mock: MockServer;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  mock = await startMockServer({ apiKey: KEY });
  // Stands for a proxy in front of the provider whose error page is long.
  proxy = createServer((request, response) => {
    request.resume();
    response.writeHead(502, { 'content-type': 'text/html' }).end(LONG_PAGE);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxy.closeAllConnections();
  await Promise.all([mock.close(), new Promise((resolve) => proxy.close(resolve))]);
});

/** A streaming provider built as a config would build it, sending `headers` on every request. */
function build(adapter: AdapterCase, headers: Record<string, string>, origin = mock.url): Promise<Provider> {
  const options = { ...adapter.options, stream: true, headers };
  const base = adapter.id.startsWith('openai-compatible:') ? { base_url: `${origin}/v1` } : {};
  return createProvider(
    adapter.id,
    { options: { ...options, ...base }, env: adapter.env(origin), baseDir: process.cwd(), http: testHttp },
    `stream fault test of ${adapter.id}`,
  );
}

/** The ProviderError a call ends with, checked for its kind and for the key in its message. */
async function failure(call: () => Promise<unknown>, kind: ProviderErrorKind): Promise<ProviderError> {
  const error = await call().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  expect(error).toMatchObject({ kind });
  expect((error as Error).message).not.toContain(KEY);
  return error as ProviderError;
}

describe.each(ADAPTERS)('$id with stream: true', (adapter) => {
  const ask = (provider: Provider, signal = AbortSignal.timeout(10_000)) =>
    provider.call({ messages: QUESTION, config: {}, signal });
  const stall = { 'x-mock-stall-after': String(adapter.stallAfter) };

  it('times out on a mid-stream stall once the idle timeout passes', async () => {
    const provider = await build(adapter, stall);
    const error = await failure(() => transportTimeouts.run({ idleMs: 300 }, () => ask(provider)), 'timeout');
    expect(error.cause).toBeInstanceOf(undiciErrors.BodyTimeoutError);
    expect(error.status).toBeUndefined();
    // Answered 200: the stall came after the headers, not before them.
    expect(mock.journal().at(-1)?.status).toBe(200);
  });

  it('times out on a mid-stream stall when the caller’s signal fires', async () => {
    const provider = await build(adapter, stall);
    const error = await failure(() => ask(provider, AbortSignal.timeout(500)), 'timeout');
    expect(error.message).toMatch(/timed out/);
    expect(mock.journal().at(-1)?.status).toBe(200);
  });

  it('classifies a malformed event as transient', async () => {
    const provider = await build(adapter, { 'x-mock-malformed': '1' });
    const error = await failure(() => ask(provider), 'transient');
    expect(error.message).toMatch(/malformed/);
  });

  it('classifies a gateway 502 page as transient, quoting only the start of the page', async () => {
    const provider = await build(adapter, { 'x-mock-gateway': '502' });
    const error = await failure(() => ask(provider), 'transient');
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/^[^\n]*HTTP 502\b[^\n]*502 Bad Gateway/);

    const behindProxy = await build(adapter, {}, proxyUrl);
    const long = await failure(() => ask(behindProxy), 'transient');
    expect(long.status).toBe(502);
    expect(long.message).not.toContain(PAGE_END);
    expect(long.message.length).toBeLessThan(300);
  });
});
