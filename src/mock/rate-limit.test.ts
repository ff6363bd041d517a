import { describe, expect, it } from 'vitest';
import type { MockRequest } from './dialect.js';
import { credentialOf } from './rate-limit.js';
import type { MockServer, MockServerOptions } from './server.js';
import { chatBody, type ErrorBody, postChat, readJson, useMockServer } from './test-helpers.js';

const start = useMockServer();

/** A server whose rate-limit clock only moves when the test says so. */
async function startClocked(
  options: MockServerOptions,
): Promise<{ server: MockServer; tick(ms: number): void }> {
  let now = 1_000_000;
  const server = await start({ ...options, now: () => now });
  return { server, tick: (ms) => (now += ms) };
}

function ask(server: MockServer, key = 'sk-a', headers: Record<string, string> = {}): Promise<Response> {
  return postChat(server, chatBody('What is 1 + 1?'), { authorization: `Bearer ${key}`, ...headers });
}

async function statuses(responses: Array<Promise<Response>>): Promise<number[]> {
  return (await Promise.all(responses)).map((response) => response.status);
}

const count = (list: number[], status: number) => list.filter((value) => value === status).length;

describe('per-key rate limits', () => {
  it('lets a burst of one second through at 600 RPM and refuses the rest with retry-after', async () => {
    const { server } = await startClocked({ rpm: 600 });
    const responses = await Promise.all(Array.from({ length: 40 }, () => ask(server)));
    expect(
      count(
        responses.map((r) => r.status),
        200,
      ),
    ).toBe(10);
    const refused = responses.filter((response) => response.status === 429);
    expect(refused).toHaveLength(30);
    for (const response of refused) {
      // The bucket is empty and refills 10 per second: the next request is possible in 100 ms.
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('retry-after-ms')).toBe('100');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    }
    expect((await readJson<ErrorBody>(refused[0]!)).error).toMatchObject({
      type: 'requests',
      code: 'rate_limit_exceeded',
    });
    expect(
      count(
        server.journal().map((entry) => entry.status),
        429,
      ),
    ).toBe(30);
  });

  it('never refuses requests paced below the limit, even after the burst is spent', async () => {
    const { server, tick } = await startClocked({ rpm: 600 });
    expect(count(await statuses(Array.from({ length: 10 }, () => ask(server))), 200)).toBe(10);
    for (let i = 0; i < 30; i++) {
      tick(1000 / 9);
      expect((await ask(server)).status).toBe(200);
    }
  });

  it('refuses requests paced above the limit once the burst is spent', async () => {
    const { server, tick } = await startClocked({ rpm: 600 });
    expect(count(await statuses(Array.from({ length: 10 }, () => ask(server))), 200)).toBe(10);
    const paced: number[] = [];
    for (let i = 0; i < 30; i++) {
      tick(1000 / 12);
      paced.push((await ask(server)).status);
    }
    // 12 a second against 10 a second of refill: about one in six is refused.
    expect(count(paced, 429)).toBeGreaterThanOrEqual(4);
    expect(count(paced, 429)).toBeLessThanOrEqual(6);
  });

  it('keeps a separate bucket for every API key, and one shared by requests without a key', async () => {
    const { server } = await startClocked({ rpm: 60 });
    expect((await ask(server, 'sk-a')).status).toBe(200);
    expect((await ask(server, 'sk-a')).status).toBe(429);
    expect((await ask(server, 'sk-b')).status).toBe(200);
    expect((await postChat(server, chatBody('hi'))).status).toBe(200);
    expect((await postChat(server, chatBody('hi'))).status).toBe(429);
  });

  it('refills continuously, and the wait it suggests is enough', async () => {
    const { server, tick } = await startClocked({ rpm: 60 });
    expect((await ask(server)).status).toBe(200);
    tick(400);
    const refused = await ask(server);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after-ms')).toBe('600');
    tick(599);
    expect((await ask(server)).status).toBe(429);
    tick(1);
    expect((await ask(server)).status).toBe(200);
  });

  it('sets the RPM of a key with x-mock-rpm, so one server can hold several limits', async () => {
    const { server } = await startClocked({});
    const slow = { 'x-mock-rpm': '120' };
    expect(await statuses([1, 2, 3].map(() => ask(server, 'sk-slow', slow)))).toEqual([200, 200, 429]);
    // The RPM sticks to the key; other keys stay unlimited.
    expect((await ask(server, 'sk-slow')).status).toBe(429);
    expect(count(await statuses(Array.from({ length: 50 }, () => ask(server, 'sk-free'))), 200)).toBe(50);
    const limited = await ask(server, 'sk-slow', slow);
    expect(limited.headers.get('x-ratelimit-limit-requests')).toBe('120');
  });

  it('reports the limit, the remaining requests and the time until the bucket is full', async () => {
    const { server } = await startClocked({ rpm: 600, tpm: 60_000 });
    const seen: Array<[string | null, string | null, string | null]> = [];
    for (let i = 0; i < 4; i++) {
      const response = await ask(server);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('600');
      expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('60000');
      seen.push([
        response.headers.get('x-ratelimit-remaining-requests'),
        response.headers.get('x-ratelimit-reset-requests'),
        response.headers.get('x-ratelimit-remaining-tokens'),
      ]);
    }
    expect(seen.map(([remaining]) => remaining)).toEqual(['9', '8', '7', '6']);
    expect(seen.map(([, reset]) => reset)).toEqual(['100ms', '200ms', '300ms', '400ms']);
    // Each answer costs prompt + completion tokens out of a bucket of 1,000.
    const tokens = seen.map(([, , remaining]) => Number(remaining));
    expect(tokens[0]).toBeLessThan(1000);
    expect(tokens[1]! - tokens[0]!).toBeLessThan(0);
  });

  it('charges tokens after the answer, lets the bucket go into debt and refuses until it is paid', async () => {
    // 600 TPM: 10 tokens per second, at most 10 in the bucket.
    const { server, tick } = await startClocked({ tpm: 600 });
    const prompt = 'Reply with exactly: a sentence long enough to cost more than ten tokens';
    const first = await postChat(server, chatBody(prompt), { authorization: 'Bearer sk-a' });
    expect(first.status).toBe(200);
    const usage = (await readJson<{ usage: { total_tokens: number } }>(first)).usage.total_tokens;
    expect(usage).toBeGreaterThan(10);
    const debtMs = (usage - 10) * 100;
    const refused = await ask(server);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after-ms')).toBe(String(debtMs));
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    tick(debtMs);
    expect((await ask(server)).status).toBe(200);
  });

  it('answers in each dialect’s own 429 envelope', async () => {
    const { server } = await startClocked({ rpm: 60 });
    const gemini = (key: string) =>
      fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
    expect((await gemini('g-key')).status).toBe(200);
    const geminiRefused = await gemini('g-key');
    expect(geminiRefused.status).toBe(429);
    expect(await geminiRefused.json()).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });

    const anthropic = () =>
      fetch(`${server.url}/v1/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': 'a-key',
          'anthropic-version': '2023-06-01',
        },
        body: JSON.stringify({
          model: 'claude-3-5-haiku-latest',
          max_tokens: 16,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
    expect((await anthropic()).status).toBe(200);
    const anthropicRefused = await anthropic();
    expect(anthropicRefused.status).toBe(429);
    expect(anthropicRefused.headers.get('retry-after')).toBe('1');
    expect(await anthropicRefused.json()).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error' },
    });
  });

  it('forgets every bucket on reset', async () => {
    const { server } = await startClocked({ rpm: 60 });
    expect((await ask(server)).status).toBe(200);
    expect((await ask(server)).status).toBe(429);
    server.reset();
    expect((await ask(server)).status).toBe(200);
  });

  it('never refuses without rpm or tpm', async () => {
    const { server } = await startClocked({});
    expect(count(await statuses(Array.from({ length: 100 }, () => ask(server))), 200)).toBe(100);
  });
});

describe('rate-limit behaviours', () => {
  it('keeps fixed windows: the window’s budget at once, then nothing until it restarts', async () => {
    // 1,200 a minute in 1-second windows of 20, counted from the key's first request.
    const { server, tick } = await startClocked({ rpm: 1200, rateWindow: 'fixed' });
    expect((await ask(server)).status).toBe(200);
    tick(250);
    const first = await statuses(Array.from({ length: 25 }, () => ask(server)));
    expect(count(first, 200)).toBe(19);
    const refused = await ask(server);
    expect(refused.status).toBe(429);
    // The window restarts in 750 ms, however the requests were spread.
    expect(refused.headers.get('retry-after-ms')).toBe('750');
    expect(refused.headers.get('x-ratelimit-reset-requests')).toBe('750ms');
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('1200');
    tick(749);
    expect((await ask(server)).status).toBe(429);
    tick(1);
    const next = await ask(server);
    expect(next.status).toBe(200);
    expect(next.headers.get('x-ratelimit-remaining-requests')).toBe('19');
    expect(next.headers.get('x-ratelimit-reset-requests')).toBe('1s');
  });

  it('keeps per-minute windows: the minute’s budget at once, reset in minutes and seconds', async () => {
    const { server, tick } = await startClocked({ rpm: 120, rateWindow: 'fixed', rateWindowMs: 60_000 });
    expect(count(await statuses(Array.from({ length: 130 }, () => ask(server))), 200)).toBe(120);
    tick(29_500);
    const refused = await ask(server);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-reset-requests')).toBe('30.5s');
    expect(refused.headers.get('retry-after')).toBe('31');
    tick(30_500);
    expect((await ask(server)).status).toBe(200);
  });

  it('holds as much traffic as rateWindowMs says in a bucket, refilled continuously', async () => {
    // 600 a minute held for 10 s: 100 at once, then 10 a second.
    const { server, tick } = await startClocked({ rpm: 600, rateWindowMs: 10_000 });
    expect(count(await statuses(Array.from({ length: 110 }, () => ask(server))), 200)).toBe(100);
    tick(100);
    const next = await ask(server);
    expect(next.status).toBe(200);
    expect(next.headers.get('x-ratelimit-reset-requests')).toBe('10s');
  });

  it('sends no rate-limit headers with rateHeaders none, on answers and refusals alike', async () => {
    const { server } = await startClocked({ rpm: 60, rateHeaders: 'none' });
    const answered = await ask(server);
    const refused = await ask(server);
    expect(refused.status).toBe(429);
    for (const response of [answered, refused]) {
      expect([...response.headers.keys()].filter((name) => name.includes('ratelimit'))).toEqual([]);
    }
    expect(refused.headers.get('retry-after')).toBe('1');
  });

  it('tells a refused request whole seconds only, or nothing, as retryHint says', async () => {
    // 60 a minute: one at a time, the next 600 ms after a refusal 400 ms in.
    const seconds = await startClocked({ rpm: 60, retryHint: 'seconds' });
    await ask(seconds.server);
    seconds.tick(400);
    const rounded = await ask(seconds.server);
    expect(rounded.status).toBe(429);
    expect(rounded.headers.get('retry-after')).toBe('1');
    expect(rounded.headers.get('retry-after-ms')).toBeNull();

    const none = await startClocked({ rpm: 60, retryHint: 'none' });
    await ask(none.server);
    const bare = await ask(none.server);
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
    expect(bare.headers.get('retry-after-ms')).toBeNull();
  });

  it('gives Gemini’s refusal the exact wait in RetryInfo, and whole seconds with retryHint seconds', async () => {
    const retryDelay = async (retryHint: 'exact' | 'seconds') => {
      const { server, tick } = await startClocked({ rpm: 60, retryHint });
      const gemini = () =>
        fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent?key=g-key`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
        });
      expect((await gemini()).status).toBe(200);
      tick(900);
      const refused = await gemini();
      expect(refused.status).toBe(429);
      const body = (await refused.json()) as { error: { details: Array<{ retryDelay?: string }> } };
      return body.error.details.find((detail) => detail.retryDelay)?.retryDelay;
    };
    expect(await retryDelay('exact')).toBe('0.100s');
    expect(await retryDelay('seconds')).toBe('1s');
  });
});

describe('credentialOf', () => {
  const request = (headers: Record<string, string>, query = ''): MockRequest => ({
    method: 'POST',
    path: '/',
    query,
    headers,
    body: undefined,
    invalidJson: false,
    requestId: 'req_1',
    sequence: 1,
  });

  it.each([
    [{ authorization: 'Bearer sk-1' }, '', 'sk-1'],
    [{ 'x-api-key': 'ant-1' }, '', 'ant-1'],
    [{ 'x-goog-api-key': 'goog-1' }, '', 'goog-1'],
    [{}, 'alt=sse&key=goog-2', 'goog-2'],
    [{}, 'alt=sse', ''],
    [{}, '', ''],
  ])('reads %j ?%s as %j', (headers, query, key) => {
    expect(credentialOf(request(headers, query))).toBe(key);
  });
});
