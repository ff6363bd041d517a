/**
 * The provider contract suite: what every adapter must do against the mock server, whatever its wire
 * format (answers and usage, where the key travels, error classes, timeouts, resets, stream faults, cache
 * scope). Each adapter's own tests cover its wire details; this suite keeps the adapters interchangeable
 * for the executor. Run it with `describeProviderContract` from a `*.test.ts` file.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type ProviderErrorKind } from '../errors.js';
import { type MockServer, startMockServer } from '../mock/server.js';
import type { ChatMessage } from '../types.js';
import type { Provider } from './provider.js';

/** The only key the suite's servers accept; adapters under test must be built with it. */
export const CONTRACT_API_KEY = 'sk-contract-secret-7c1e93b5a2d04f68';

/** What the suite asks an adapter factory for. */
export interface ContractProviderOptions {
  /** Server root without a trailing slash; the factory adds whatever prefix its dialect needs (`/v1`…). */
  origin: string;
  /** Target headers (the suite passes `x-mock-*` fault switches here). */
  headers?: Record<string, string>;
  stream?: boolean;
}

/** A server that rejects every request with a plain-text 401 repeating the credentials it got. */
export interface KeyEchoServer {
  url: string;
  /** The body of the last rejection, to prove it did carry the key. */
  lastBody(): string | undefined;
  close(): Promise<void>;
}

export interface ContractServers {
  mock: MockServer;
  /** Stands in for a proxy that echoes credentials, so redaction has something to remove. */
  echo: KeyEchoServer;
}

type UsageCount = 'inputTokens' | 'outputTokens';

export interface ProviderContractExpectations {
  /** From `useContractServers()`: one mock server (and one echo server) per test file. */
  servers: () => ContractServers;
  /** The request header that carries the key, and its exact value; the key must appear nowhere else. */
  keyHeader: { name: string; value: string };
  /** Whether `stream: true` streams; when false only the non-streaming half of the suite is generated. */
  streams: boolean;
  /** Names of the input and output counts in the dialect's raw usage object, which must be kept whole. */
  rawUsage: Record<UsageCount, string>;
  /** Counts the dialect may leave out: checked as "absent or positive", never 0. @default [] */
  optionalUsage?: readonly UsageCount[];
  /** Whether a 429 carries a wait the adapter reads (retry-after, or Gemini's RetryInfo). */
  retryHint: boolean;
  /** Whether the adapter has `embed` (an embeddings endpoint); when false it must not have one. @default false */
  embeds?: boolean;
}

const QUESTION: ChatMessage[] = [{ role: 'user', content: 'What is 2 + 3?' }];
/** Failures a status alone decides, in every dialect. */
const STATUS_FAILURES: Array<{ failure: string; headers: Record<string, string>; kind: ProviderErrorKind }> =
  [
    { failure: 'a 401 (bad key)', headers: { 'x-mock-status': '401' }, kind: 'permanent' },
    { failure: 'a 400', headers: { 'x-mock-status': '400' }, kind: 'permanent' },
    { failure: 'a 500', headers: { 'x-mock-status': '500' }, kind: 'transient' },
    { failure: 'a 503', headers: { 'x-mock-status': '503' }, kind: 'transient' },
    { failure: 'a spent quota', headers: { 'x-mock-quota': '1' }, kind: 'quota' },
  ];
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key'];

/** Starts the suite's servers before the file's tests and closes them after; call once per test file. */
export function useContractServers(): () => ContractServers {
  let servers: ContractServers | undefined;
  beforeAll(async () => {
    const [mock, echo] = await Promise.all([
      startMockServer({ port: 0, apiKey: CONTRACT_API_KEY }),
      startKeyEchoServer(),
    ]);
    servers = { mock, echo };
  });
  afterAll(async () => {
    await Promise.all([servers?.mock.close(), servers?.echo.close()]);
  });
  return () => {
    if (!servers) throw new Error('contract servers are only running inside the test file’s tests');
    return servers;
  };
}

async function startKeyEchoServer(): Promise<KeyEchoServer> {
  let lastBody: string | undefined;
  const server = createServer((request, response) => {
    request.resume();
    request.once('end', () => {
      const credentials = CREDENTIAL_HEADERS.flatMap((name) => request.headers[name] ?? []).join(', ');
      // Short, key first: adapters quote only the start of a non-JSON error body.
      lastBody = `Invalid credentials: ${credentials} (${request.method} ${request.url})`;
      response.writeHead(401, { 'content-type': 'text/plain' }).end(lastBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lastBody: () => lastBody,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The contract, for non-streamed and (when the adapter streams) streamed calls. */
export function describeProviderContract(
  name: string,
  makeProvider: (options: ContractProviderOptions) => Promise<Provider>,
  expectations: ProviderContractExpectations,
): void {
  const { servers, keyHeader, rawUsage, retryHint } = expectations;
  const optional = new Set(expectations.optionalUsage ?? []);
  const mock = () => servers().mock;
  const build = (options: Omit<ContractProviderOptions, 'origin'> = {}) =>
    makeProvider({ origin: mock().url, ...options });
  const ask = async (provider: Provider, signal = AbortSignal.timeout(10_000)) =>
    provider.call({ messages: QUESTION, config: {}, signal });
  /** The call's ProviderError, checked for kind and for the key in any message of its cause chain. */
  const failure = async (promise: Promise<unknown>, kind: ProviderErrorKind) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind });
    expect(messages(error).join('\n')).not.toContain(CONTRACT_API_KEY);
    return error as ProviderError;
  };
  const onlyRequest = () => {
    const journal = mock().journal();
    expect(journal).toHaveLength(1);
    return journal[0]!;
  };

  describe(`${name} provider contract`, () => {
    beforeEach(() => {
      mock().reset();
    });

    describe.each(expectations.streams ? [false, true] : [false])('stream: %s', (stream) => {
      it('answers a plain question with its output and usage, keeping the raw usage', async () => {
        const response = await ask(await build({ stream }));
        expect(response.output).toBe('5');
        const raw = response.usage.raw as Record<string, unknown>;
        expect(raw).toBeTypeOf('object');
        for (const count of ['inputTokens', 'outputTokens'] as const) {
          const value = response.usage[count];
          if (value === undefined && optional.has(count)) expect(raw).not.toHaveProperty(rawUsage[count]);
          else {
            expect(value).toBeGreaterThan(0);
            expect(raw[rawUsage[count]]).toBe(value);
          }
        }
        if (stream) expect(response.ttftMs).toBeGreaterThanOrEqual(0);
        else expect(response).not.toHaveProperty('ttftMs');
      });

      it(`sends the key in ${keyHeader.name} and nowhere else`, async () => {
        await ask(await build({ stream }));
        const entry = onlyRequest();
        expect(entry.status).toBe(200);
        expect(entry.headers[keyHeader.name]).toBe(keyHeader.value);
        const elsewhere = Object.entries(entry.headers).filter(([header]) => header !== keyHeader.name);
        expect(JSON.stringify([entry.path, entry.body, elsewhere])).not.toContain(CONTRACT_API_KEY);
      });

      it('keeps the key out of the message when a server echoes it back', async () => {
        const provider = await makeProvider({ origin: servers().echo.url, stream });
        const error = await failure(ask(provider), 'permanent');
        expect(servers().echo.lastBody()).toContain(CONTRACT_API_KEY);
        expect(error.message).toContain('Invalid credentials');
        expect(error.status).toBe(401);
      });

      for (const { failure: label, headers, kind } of STATUS_FAILURES) {
        it(`classifies ${label} as ${kind}, with the status the server sent`, async () => {
          const error = await failure(ask(await build({ stream, headers })), kind);
          expect(error.status).toBe(onlyRequest().status);
          expect(error.status).toBeGreaterThanOrEqual(400);
        });
      }

      it(`classifies a 429 as rate_limit ${retryHint ? 'with the 2 s wait it asks for' : '(no wait hint to read)'}`, async () => {
        const headers = { 'x-mock-status': '429', 'x-mock-retry-after': '2' };
        const error = await failure(ask(await build({ stream, headers })), 'rate_limit');
        expect(error.status).toBe(429);
        expect(error.retryAfterMs).toBe(retryHint ? 2000 : undefined);
      });

      it('reports a call cut short by its signal as a timeout', async () => {
        const provider = await build({ stream, headers: { 'x-mock-hang': '1' } });
        const error = await failure(ask(provider, AbortSignal.timeout(200)), 'timeout');
        expect(error.status).toBeUndefined();
        expect(onlyRequest().status).toBe(0);
      });

      it('classifies a reset connection as transient', async () => {
        const error = await failure(
          ask(await build({ stream, headers: { 'x-mock-reset': '1' } })),
          'transient',
        );
        expect(error.status).toBeUndefined();
      });
    });

    if (expectations.streams) {
      describe('stream faults after the 200', () => {
        it('classifies a truncated stream as transient and says so', async () => {
          const provider = await build({ stream: true, headers: { 'x-mock-truncate': '1' } });
          const error = await failure(ask(provider), 'transient');
          expect(error.message).toMatch(/truncated/i);
          expect(onlyRequest().status).toBe(200);
        });

        it('classifies an in-band stream error as transient', async () => {
          const provider = await build({ stream: true, headers: { 'x-mock-stream-error': '1' } });
          const error = await failure(ask(provider), 'transient');
          expect(error.message).not.toMatch(/truncated/i);
          expect(onlyRequest().status).toBe(200);
        });
      });
    }

    describeEmbedContract(expectations.embeds === true, {
      makeProvider,
      servers,
      failure,
      onlyRequest,
      keyHeader,
      retryHint,
    });

    it('has a cache scope that is stable, names the endpoint and never holds the key', async () => {
      const provider = await build();
      const scope = provider.cacheScope();
      expect(provider.cacheScope()).toBe(scope);
      expect((await build()).cacheScope()).toBe(scope);
      expect(scope).toContain(mock().url);
      expect(scope).not.toContain(CONTRACT_API_KEY);
      const elsewhere = await makeProvider({ origin: servers().echo.url });
      expect(elsewhere.cacheScope()).not.toBe(scope);
    });
  });
}

const TEXTS = ['The capital of France is Paris.', 'Paris is the capital of France.', 'Bananas are yellow.'];

interface EmbedContractTools {
  makeProvider: (options: ContractProviderOptions) => Promise<Provider>;
  servers: () => ContractServers;
  failure: (promise: Promise<unknown>, kind: ProviderErrorKind) => Promise<ProviderError>;
  onlyRequest: () => { status: number; headers: Record<string, unknown> };
  keyHeader: { name: string; value: string };
  retryHint: boolean;
}

/** `embed`: vectors in input order, the mock's deterministic geometry, and the chat calls' error classes. */
function describeEmbedContract(embeds: boolean, tools: EmbedContractTools): void {
  const { makeProvider, servers, failure, onlyRequest, keyHeader, retryHint } = tools;
  const build = (options: Omit<ContractProviderOptions, 'origin'> = {}) =>
    makeProvider({ origin: servers().mock.url, ...options });
  if (!embeds) {
    it('has no embed method (the executor reports that the grader cannot embed)', async () => {
      expect((await build()).embed).toBeUndefined();
    });
    return;
  }
  const embed = async (provider: Provider, inputs = TEXTS) => {
    if (!provider.embed) throw new Error('the adapter has no embed method');
    return provider.embed({ inputs, signal: AbortSignal.timeout(10_000) });
  };
  const dot = (a: readonly number[] = [], b: readonly number[] = []) =>
    a.reduce((sum, x, index) => sum + x * (b[index] ?? 0), 0);

  describe('embed', () => {
    it('answers one unit vector per input, in order, with the input token count', async () => {
      const response = await embed(await build());
      expect(response.vectors).toHaveLength(TEXTS.length);
      const [capital, reordered, bananas] = response.vectors;
      expect(capital?.length).toBeGreaterThan(0);
      expect(dot(capital, capital)).toBeCloseTo(1, 6);
      // The mock embeds bags of words: the same words in another order give the same vector.
      expect(dot(capital, reordered)).toBeCloseTo(1, 6);
      expect(dot(capital, bananas)).toBeLessThan(0.5);
      expect(response.usage.inputTokens).toBeGreaterThan(0);
      expect(response.usage.outputTokens).toBe(0);
    });

    it(`sends the key in ${keyHeader.name}`, async () => {
      await embed(await build());
      const entry = onlyRequest();
      expect(entry.status).toBe(200);
      expect(entry.headers[keyHeader.name]).toBe(keyHeader.value);
    });

    for (const { failure: label, headers, kind } of STATUS_FAILURES) {
      it(`classifies ${label} as ${kind}`, async () => {
        const error = await failure(embed(await build({ headers })), kind);
        expect(error.status).toBe(onlyRequest().status);
      });
    }

    it('classifies a 429 as rate_limit, reading its wait like a chat call', async () => {
      const headers = { 'x-mock-status': '429', 'x-mock-retry-after': '2' };
      const error = await failure(embed(await build({ headers })), 'rate_limit');
      expect(error.status).toBe(429);
      expect(error.retryAfterMs).toBe(retryHint ? 2000 : undefined);
    });

    it('keeps the key out of the message when a server echoes it back', async () => {
      const error = await failure(embed(await makeProvider({ origin: servers().echo.url })), 'permanent');
      expect(servers().echo.lastBody()).toContain(CONTRACT_API_KEY);
      expect(error.status).toBe(401);
    });
  });
}

/** Messages of an error and its causes, where a key could hide. */
function messages(error: unknown): string[] {
  const found: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    found.push(current.message);
    current = current.cause;
  }
  return found;
}
