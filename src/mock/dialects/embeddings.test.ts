import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIMENSIONS, embedText } from '../embeddings.js';
import type { MockServer } from '../server.js';
import { type ErrorBody, readJson, useMockServer } from '../test-helpers.js';

const start = useMockServer();

interface EmbeddingsBody {
  object: string;
  data: Array<{ object: string; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

function postEmbeddings(
  server: MockServer,
  body: unknown,
  headers: Record<string, string> = {},
  path = '/v1/embeddings',
): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /v1/embeddings', () => {
  it('answers a list of inputs in OpenAI shape, one deterministic vector each', async () => {
    const server = await start();
    const input = ['The cat sat.', 'A dog ran far away.'];
    const response = await postEmbeddings(server, { model: 'text-embedding-3-small', input });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-ratelimit-remaining-requests')).not.toBeNull();
    expect(await response.json()).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: embedText(input[0]!) },
        { object: 'embedding', index: 1, embedding: embedText(input[1]!) },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 3 + 5, total_tokens: 3 + 5 },
    });
  });

  it('takes one string, and serves the unprefixed and OpenRouter paths too', async () => {
    const server = await start();
    for (const path of ['/v1/embeddings', '/embeddings', '/api/v1/embeddings']) {
      const body = await readJson<EmbeddingsBody>(
        await postEmbeddings(server, { model: 'm', input: 'hello' }, {}, path),
      );
      expect(body.data).toHaveLength(1);
      expect(body.data[0]?.embedding).toHaveLength(EMBEDDING_DIMENSIONS);
    }
  });

  it('encodes base64 as float32 little-endian and honours dimensions', async () => {
    const server = await start();
    const body = await readJson<EmbeddingsBody>(
      await postEmbeddings(server, {
        model: 'm',
        input: 'hello world',
        encoding_format: 'base64',
        dimensions: 16,
      }),
    );
    const bytes = Buffer.from(body.data[0]?.embedding as string, 'base64');
    const floats = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    expect(floats).toHaveLength(16);
    embedText('hello world', 16).forEach((value, index) => {
      expect(floats[index]).toBeCloseTo(value, 6);
    });
  });

  it('accepts token-id arrays, counting one token per id', async () => {
    const server = await start();
    const body = await readJson<EmbeddingsBody>(
      await postEmbeddings(server, { model: 'm', input: [[1, 2, 3], [4]] }),
    );
    expect(body.data).toHaveLength(2);
    expect(body.usage.prompt_tokens).toBe(4);
  });

  it.each([
    [
      'an empty string',
      { model: 'm', input: '' },
      { message: expect.stringContaining("'$.input' is invalid"), param: null, code: null },
    ],
    [
      'an empty list',
      { model: 'm', input: [] },
      { message: expect.stringContaining("'$.input' is invalid") },
    ],
    [
      'a list with a non-string',
      { model: 'm', input: ['a', 3.5] },
      { message: expect.stringContaining("'$.input' is invalid") },
    ],
    [
      'no input',
      { model: 'm' },
      { message: "Missing required parameter: 'input'.", param: 'input', code: 'missing_required_parameter' },
    ],
    ['no model', { input: 'x' }, { message: 'you must provide a model parameter' }],
    [
      'a bad encoding',
      { model: 'm', input: 'x', encoding_format: 'int8' },
      { param: 'encoding_format', code: 'invalid_value' },
    ],
    [
      'fractional dimensions',
      { model: 'm', input: 'x', dimensions: 1.5 },
      { param: 'dimensions', code: 'invalid_type' },
    ],
    [
      'zero dimensions',
      { model: 'm', input: 'x', dimensions: 0 },
      { param: 'dimensions', code: 'integer_out_of_range' },
    ],
  ])('rejects %s with a 400 in the OpenAI envelope', async (_label, body, error) => {
    const server = await start();
    const response = await postEmbeddings(server, body);
    expect(response.status).toBe(400);
    expect(await readJson<ErrorBody>(response)).toEqual({
      error: expect.objectContaining({ type: 'invalid_request_error', ...error }),
    });
  });

  it('rejects a body that is not JSON', async () => {
    const server = await start();
    const response = await postEmbeddings(server, '{not json');
    expect(response.status).toBe(400);
    expect((await readJson<ErrorBody>(response)).error.message).toMatch(/could not parse the JSON body/);
  });

  it('applies auth, injected faults and per-key rate limits like chat requests', async () => {
    const server = await start({ apiKey: 'sk-good', rpm: 1 });
    const body = { model: 'm', input: 'x' };
    expect((await postEmbeddings(server, body, { authorization: 'Bearer nope' })).status).toBe(401);
    const injected = await postEmbeddings(server, body, {
      authorization: 'Bearer sk-good',
      'x-mock-status': '503',
    });
    expect(injected.status).toBe(503);
    expect((await readJson<ErrorBody>(injected)).error.type).toBe('server_error');
    expect((await postEmbeddings(server, body, { authorization: 'Bearer sk-good' })).status).toBe(200);
    const limited = await postEmbeddings(server, body, { authorization: 'Bearer sk-good' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).not.toBeNull();
    expect(server.journal().map((entry) => entry.path)).toEqual(Array(4).fill('/v1/embeddings'));
  });
});

describe('POST /api/embed (Ollama)', () => {
  function postEmbed(server: MockServer, body: unknown): Promise<Response> {
    return postEmbeddings(server, body, {}, '/api/embed');
  }

  it('answers embeddings and prompt_eval_count in Ollama shape', async () => {
    const server = await start();
    const response = await postEmbed(server, { model: 'nomic-embed-text', input: ['hello world', 'bye'] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      model: 'nomic-embed-text',
      embeddings: [embedText('hello world'), embedText('bye')],
      total_duration: expect.any(Number),
      load_duration: expect.any(Number),
      prompt_eval_count: 3 + 1,
    });
  });

  it('takes one string and a dimensions option', async () => {
    const server = await start();
    const body = (await (await postEmbed(server, { model: 'm', input: 'hi', dimensions: 8 })).json()) as {
      embeddings: number[][];
    };
    expect(body.embeddings).toEqual([embedText('hi', 8)]);
  });

  it.each([
    [{ input: 'x' }, 'model is required'],
    [{ model: 'm', input: [1] }, 'invalid input type'],
    ['{bad', 'invalid request body'],
  ])('rejects %j with {"error"}', async (body, message) => {
    const server = await start();
    const response = await postEmbed(server, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: message });
  });
});
