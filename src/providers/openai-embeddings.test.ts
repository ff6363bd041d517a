/** `embed` of the Chat Completions adapters: what goes on the wire and how answers are read. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embedText } from '../mock/embeddings.js';
import { type MockServer, startMockServer } from '../mock/server.js';
import { createOpenAiProvider } from './openai.js';
import { createOpenAiCompatibleProvider } from './openai-compatible.js';
import type { EmbedResponse, Provider } from './provider.js';
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

function openAi(baseUrl = `${server.url}/v1`, headers?: Record<string, string>): Provider {
  return createOpenAiProvider({
    rest: 'text-embedding-3-small',
    options: { base_url: baseUrl, ...(headers ? { headers } : {}) },
    env: { OPENAI_API_KEY: KEY },
    baseDir: '.',
    http: testHttp,
  });
}

function embed(provider: Provider, inputs: string[]): Promise<EmbedResponse> {
  if (!provider.embed) throw new Error('no embed');
  return provider.embed({ inputs, signal: AbortSignal.timeout(10_000) });
}

describe('OpenAI embed', () => {
  it('posts the model and inputs as floats to /v1/embeddings and reads vectors, usage and limits', async () => {
    const response = await embed(openAi(), ['hello world', 'good morning']);
    expect(server.journal()[0]).toMatchObject({
      path: '/v1/embeddings',
      body: {
        model: 'text-embedding-3-small',
        input: ['hello world', 'good morning'],
        encoding_format: 'float',
      },
    });
    expect(response.vectors).toEqual([embedText('hello world'), embedText('good morning')]);
    expect(response.model).toBe('text-embedding-3-small');
    expect(response.usage).toEqual({
      inputTokens: 6,
      outputTokens: 0,
      raw: { prompt_tokens: 6, total_tokens: 6 },
    });
    expect(response.rateLimit).toBeDefined();
    expect(response).not.toHaveProperty('costUsd');
  });

  it('works for openai-compatible servers, which need no key', async () => {
    const keyless = await startMockServer({ port: 0 });
    try {
      const provider = createOpenAiCompatibleProvider({
        rest: 'nomic-embed-text',
        options: { base_url: `${keyless.url}/v1` },
        env: {},
        baseDir: '.',
        http: testHttp,
      });
      const response = await embed(provider, ['a b c']);
      expect(response.vectors).toHaveLength(1);
      expect(keyless.journal()[0]?.headers.authorization).toBeUndefined();
    } finally {
      await keyless.close();
    }
  });

  it('classifies an embeddings request the server rejects as permanent, quoting its message', async () => {
    const error = await providerError(embed(openAi(), ['']));
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(400);
    expect(error.message).toContain("'$.input' is invalid");
  });

  describe('against a server that answers oddly', () => {
    let body = '';
    let odd: Server;
    let url = '';
    beforeAll(async () => {
      odd = createServer((request, response) => {
        request.resume();
        request.once('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
      });
      await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(odd.address() as AddressInfo).port}/v1`;
    });
    afterAll(async () => {
      await new Promise((resolve) => odd.close(resolve));
    });

    it('puts vectors back in input order by index', async () => {
      body = JSON.stringify({
        object: 'list',
        data: [
          { object: 'embedding', index: 1, embedding: [0, 1] },
          { object: 'embedding', index: 0, embedding: [1, 0] },
        ],
        model: 'm',
        usage: { prompt_tokens: 2, total_tokens: 2 },
      });
      expect((await embed(openAi(url), ['first', 'second'])).vectors).toEqual([
        [1, 0],
        [0, 1],
      ]);
    });

    it('calls a response with too few vectors or the wrong shape malformed (transient)', async () => {
      body = JSON.stringify({ data: [{ index: 0, embedding: [1] }] });
      const short = await providerError(embed(openAi(url), ['a', 'b']));
      expect(short.kind).toBe('transient');
      expect(short.message).toContain('malformed embeddings response: 1 embeddings for 2 inputs');
      body = JSON.stringify({ data: [{ index: 0, embedding: 'AAAA' }] });
      expect((await providerError(embed(openAi(url), ['a']))).message).toContain(
        'malformed embeddings response',
      );
    });

    it('leaves the usage unreported when the server sends none', async () => {
      body = JSON.stringify({ data: [{ index: 0, embedding: [1] }] });
      expect((await embed(openAi(url), ['a'])).usage).toEqual({});
    });
  });
});
