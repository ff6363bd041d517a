import { describe, expect, it } from 'vitest';
import { mulberry32 } from './faults.js';
import type { MockServer } from './server.js';
import { chatBody, type ErrorBody, postChat, readJson, useMockServer } from './test-helpers.js';

const start = useMockServer();

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  return (await readJson<ErrorBody>(response)).error;
}

describe('x-mock-status', () => {
  it.each([
    [400, 'invalid_request_error', null],
    [401, 'invalid_request_error', 'invalid_api_key'],
    [404, 'invalid_request_error', 'model_not_found'],
    [500, 'server_error', null],
    [503, 'server_error', null],
    [529, 'server_error', null],
  ])('answers %d with the OpenAI envelope', async (status, type, code) => {
    const server = await start();
    const response = await postChat(server, chatBody('hi'), { 'x-mock-status': String(status) });
    expect(response.status).toBe(status);
    expect(await errorOf(response)).toEqual({ message: expect.any(String), type, param: null, code });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(server.journal()[0]?.status).toBe(status);
  });

  it('answers 429 rate_limit_exceeded with retry-after and retry-after-ms', async () => {
    const server = await start();
    const response = await postChat(server, chatBody('hi'), {
      'x-mock-status': '429',
      'x-mock-retry-after': '2',
    });
    expect(response.status).toBe(429);
    expect(await errorOf(response)).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('retry-after-ms')).toBe('2000');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(response.headers.get('x-ratelimit-reset-requests')).toBe('2s');
  });

  it('defaults retry-after to the retryAfterSeconds option', async () => {
    const server = await start({ retryAfterSeconds: 0.25 });
    const response = await postChat(server, chatBody('hi'), { 'x-mock-status': '429' });
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('retry-after-ms')).toBe('250');
  });

  it('ignores values that are not error statuses', async () => {
    const server = await start();
    for (const value of ['200', 'abc', '']) {
      const response = await postChat(server, chatBody('hi'), { 'x-mock-status': value });
      expect(response.status).toBe(200);
    }
  });
});

describe('x-mock-quota', () => {
  it('answers 429 insufficient_quota without retry hints', async () => {
    const server = await start();
    const response = await postChat(server, chatBody('hi'), { 'x-mock-quota': '1' });
    expect(response.status).toBe(429);
    expect(await errorOf(response)).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(response.headers.get('retry-after')).toBeNull();
  });
});

describe('x-mock-fail-times', () => {
  it('fails the first N requests of a key, then succeeds, independently per key', async () => {
    const server = await start();
    const send = async (key: string) =>
      (await postChat(server, chatBody('hi'), { 'x-mock-fail-times': '2', 'x-mock-key': key })).status;
    expect([await send('a'), await send('b'), await send('a'), await send('a'), await send('b')]).toEqual([
      500, 500, 500, 200, 500,
    ]);
    expect(await send('b')).toBe(200);
    expect(server.journal().map((entry) => entry.status)).toEqual([500, 500, 500, 200, 500, 200]);
  });

  it('can fail with another status and restarts after a reset', async () => {
    const server = await start();
    const headers = { 'x-mock-fail-times': '1', 'x-mock-key': 'k', 'x-mock-fail-status': '429' };
    const first = await postChat(server, chatBody('hi'), headers);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect((await postChat(server, chatBody('hi'), headers)).status).toBe(200);
    server.reset();
    expect((await postChat(server, chatBody('hi'), headers)).status).toBe(429);
  });
});

describe('latency', () => {
  it('delays answers by x-mock-latency-ms so client timeouts trip', async () => {
    const server = await start();
    const slow = postChat(server, chatBody('hi'), { 'x-mock-latency-ms': '5000' }, AbortSignal.timeout(100));
    await expect(slow).rejects.toMatchObject({ name: 'TimeoutError' });
    const quick = await postChat(server, chatBody('hi'), { 'x-mock-latency-ms': '10' });
    expect(quick.status).toBe(200);
  });

  it('does not answer a client that gave up while waiting', async () => {
    const server = await start();
    const controller = new AbortController();
    const abandoned = postChat(server, chatBody('hi'), { 'x-mock-latency-ms': '100' }, controller.signal);
    await waitForJournal(server, 1);
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    // Its timer expires before this one, so by now the server has dealt with the abandoned request.
    const later = await postChat(server, chatBody('hi'), { 'x-mock-latency-ms': '200' });
    expect(later.status).toBe(200);
    expect(server.journal().map((entry) => entry.status)).toEqual([0, 200]);
  });

  it('applies the latencyMs option, which the header overrides', async () => {
    const server = await start({ latencyMs: 5000 });
    const slow = postChat(server, chatBody('hi'), {}, AbortSignal.timeout(100));
    await expect(slow).rejects.toMatchObject({ name: 'TimeoutError' });
    const overridden = await postChat(server, chatBody('hi'), { 'x-mock-latency-ms': '0' });
    expect(overridden.status).toBe(200);
  });
});

describe('connection faults', () => {
  it('x-mock-hang never answers, and close() still terminates the connection', async () => {
    const server = await start();
    const hung = postChat(server, chatBody('hi'), { 'x-mock-hang': '1' });
    const outcome = hung.then(
      () => 'answered',
      () => 'failed',
    );
    await waitForJournal(server, 1);
    expect(server.journal()[0]?.status).toBe(0);
    await server.close();
    expect(await outcome).toBe('failed');
  });

  it('x-mock-reset destroys the socket before answering', async () => {
    const server = await start();
    await expect(postChat(server, chatBody('hi'), { 'x-mock-reset': '1' })).rejects.toThrow(TypeError);
    expect(server.journal()[0]).toMatchObject({ status: 0, path: '/v1/chat/completions' });
    expect((await postChat(server, chatBody('hi'))).status).toBe(200);
  });
});

describe('seeded probabilities', () => {
  async function statuses(server: MockServer, count: number): Promise<number[]> {
    const result: number[] = [];
    for (let index = 0; index < count; index++) result.push((await postChat(server, chatBody('hi'))).status);
    return result;
  }

  it('gives the same status sequence for the same seed', async () => {
    const options = { failRate: 0.3, rateLimitRate: 0.2, seed: 42 };
    const first = await statuses(await start(options), 40);
    const second = await statuses(await start(options), 40);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500]));
    const other = await statuses(await start({ ...options, seed: 7 }), 40);
    expect(other).not.toEqual(first);
  });

  it('restarts the sequence after a reset', async () => {
    const server = await start({ failRate: 0.5, seed: 3 });
    const before = await statuses(server, 20);
    await fetch(`${server.url}/__mock/reset`, { method: 'POST' });
    expect(await statuses(server, 20)).toEqual(before);
  });

  it('mulberry32 is deterministic and in [0, 1)', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});

async function waitForJournal(server: MockServer, length: number): Promise<void> {
  while (server.journal().length < length) await new Promise((resolve) => setTimeout(resolve, 5));
}
