import { describe, expect, it } from 'vitest';
import type { MockServer } from '../server.js';
import { readJson, useMockServer } from '../test-helpers.js';
import { CUSTOM_GENERATE_PATH } from './custom.js';

const start = useMockServer();

function generate(
  server: MockServer,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.url}${CUSTOM_GENERATE_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface GenerateBody {
  result: { text: string };
  usage: { in: number; out: number };
}

describe('POST /custom/generate', () => {
  it('answers with result.text and usage in/out token estimates', async () => {
    const server = await start();
    const input = 'What is 6 * 7?';
    const response = await generate(server, { input });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await readJson<GenerateBody>(response)).toEqual({
      result: { text: '42' },
      usage: { in: Math.ceil(input.length / 4), out: 1 },
    });
    expect(server.journal()[0]).toMatchObject({ path: CUSTOM_GENERATE_PATH, body: { input }, status: 200 });
  });

  it('cuts the answer to max_new_tokens', async () => {
    const server = await start();
    const response = await generate(server, { input: 'Say the quick brown fox', max_new_tokens: 2 });
    expect(await readJson<GenerateBody>(response)).toMatchObject({
      result: { text: 'the quic' },
      usage: { out: 2 },
    });
  });

  it.each([
    ['a missing input', {}],
    ['a numeric input', { input: 7 }],
    ['a body that is not JSON', '{"input": '],
    ['a JSON array', ['hello']],
  ])('answers 400 "input must be a string" for %s', async (_case, body) => {
    const server = await start();
    const response = await generate(server, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'input must be a string' });
  });

  it('rejects a max_new_tokens that is not a positive integer', async () => {
    const server = await start();
    const response = await generate(server, { input: 'hi', max_new_tokens: 0 });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'max_new_tokens must be a positive integer' });
  });

  it('wants authorization: Bearer <key> when the server has a key', async () => {
    const server = await start({ apiKey: 'sk-custom' });
    const refused = await generate(server, { input: 'hi' }, { authorization: 'sk-custom' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'invalid or missing bearer token' });
    const allowed = await generate(server, { input: 'hi' }, { authorization: 'Bearer sk-custom' });
    expect(allowed.status).toBe(200);
  });

  it('answers an injected 429 with {"error"} and a whole-second retry-after', async () => {
    const server = await start();
    const response = await generate(
      server,
      { input: 'hi' },
      { 'x-mock-status': '429', 'x-mock-retry-after': '1.5' },
    );
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ error: 'too many requests (injected by the mock server)' });
  });

  it('answers a spent quota with a 402 and no retry-after', async () => {
    const server = await start();
    const response = await generate(server, { input: 'hi' }, { 'x-mock-quota': '1' });
    expect(response.status).toBe(402);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(await response.json()).toEqual({ error: 'monthly quota exhausted (injected by the mock server)' });
  });

  it('answers other injected statuses with {"error"}', async () => {
    const server = await start();
    const response = await generate(server, { input: 'hi' }, { 'x-mock-status': '503' });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: 'service unavailable (injected by the mock server)' });
  });
});
