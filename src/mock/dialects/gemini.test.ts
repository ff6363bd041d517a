import { describe, expect, it } from 'vitest';
import type { MockServer } from '../server.js';
import { useMockServer } from '../test-helpers.js';

const KEY = 'gemini-mock-key-0123456789';
const MODEL = 'gemini-2.5-flash';
const start = useMockServer();

interface Chunk {
  candidates: Array<{
    content: { parts: Array<{ text: string; thought?: boolean }>; role: string };
    finishReason?: string;
    index: number;
  }>;
  usageMetadata: {
    promptTokenCount: number;
    candidatesTokenCount?: number;
    thoughtsTokenCount?: number;
    totalTokenCount: number;
  };
  modelVersion: string;
  responseId: string;
}

interface GoogleError {
  error: {
    code: number;
    message: string;
    status: string;
    details?: Array<{ '@type': string; [key: string]: unknown }>;
  };
}

function ask(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { contents: [{ role: 'user', parts: [{ text }] }], ...extra };
}

function post(
  server: MockServer,
  body: unknown,
  {
    method = 'generateContent',
    query = '',
    headers = { 'x-goog-api-key': KEY } as Record<string, string>,
  } = {},
): Promise<Response> {
  return fetch(`${server.url}/v1beta/models/${MODEL}:${method}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

function sseData(text: string): Chunk[] {
  return text
    .split('\r\n\r\n')
    .filter((event) => event !== '')
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return JSON.parse(event.slice('data: '.length)) as Chunk;
    });
}

function detail(error: GoogleError, type: string): Record<string, unknown> | undefined {
  return error.error.details?.find((entry) => entry['@type'] === `type.googleapis.com/google.rpc.${type}`);
}

describe('gemini dialect: generateContent', () => {
  it('answers in the exact response shape, with no rate-limit headers', async () => {
    const server = await start({ apiKey: KEY });
    const response = await post(server, ask('What is 6 * 7?'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const prompt = Math.ceil('What is 6 * 7?'.length / 4);
    expect(await json(response)).toEqual({
      candidates: [{ content: { parts: [{ text: '42' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: prompt,
        candidatesTokenCount: 1,
        totalTokenCount: prompt + 1,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
      },
      modelVersion: MODEL,
      responseId: expect.stringMatching(/^mockResponse/),
    });
    const names = [...response.headers.keys()];
    expect(names.filter((name) => name.includes('ratelimit') || name.startsWith('retry-after'))).toEqual([]);
  });

  it('answers the last user turn and counts system instruction and every turn as prompt', async () => {
    const server = await start();
    const body = {
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Say first' }] },
        { role: 'model', parts: [{ text: 'first' }] },
        { parts: [{ text: 'Say ' }, { text: 'second' }] },
      ],
    };
    const chunk = await json<Chunk>(await post(server, body));
    expect(chunk.candidates[0]?.content.parts).toEqual([{ text: 'second' }]);
    const chars = 'Be terse.'.length + 'Say first'.length + 'first'.length + 'Say second'.length;
    expect(chunk.usageMetadata.promptTokenCount).toBe(Math.ceil(chars / 4));
  });

  it('accepts snake_case field names as well as camelCase', async () => {
    const server = await start();
    const long = 'Reply with exactly: The quick brown fox jumps over the lazy dog';
    const camel = await json<Chunk>(
      await post(
        server,
        ask(long, {
          systemInstruction: { parts: [{ text: 'Be terse.' }] },
          generationConfig: { maxOutputTokens: 2 },
        }),
      ),
    );
    const snake = await json<Chunk>(
      await post(
        server,
        ask(long, {
          system_instruction: { parts: [{ text: 'Be terse.' }] },
          generation_config: { max_output_tokens: 2, top_k: 3 },
        }),
      ),
    );
    for (const chunk of [camel, snake]) {
      expect(chunk.candidates[0]).toMatchObject({
        content: { parts: [{ text: 'The quic' }] },
        finishReason: 'MAX_TOKENS',
      });
      expect(chunk.usageMetadata.promptTokenCount).toBe(Math.ceil(('Be terse.'.length + long.length) / 4));
    }
    const asJson = await json<Chunk>(
      await post(
        server,
        ask('What is 2 + 2?', { generation_config: { response_mime_type: 'application/json' } }),
      ),
    );
    expect(asJson.candidates[0]?.content.parts[0]?.text).toBe('{"answer":4}');
  });

  it('reports thinking tokens when thinkingConfig asks for them, and thought parts with includeThoughts', async () => {
    const server = await start();
    const thinking = { thinkingConfig: { thinkingBudget: 100, includeThoughts: true } };
    const chunk = await json<Chunk>(
      await post(server, ask('What is 6 * 7?', { generationConfig: thinking })),
    );
    const parts = chunk.candidates[0]?.content.parts;
    expect(parts?.[0]).toMatchObject({ thought: true });
    expect(parts?.[1]).toEqual({ text: '42' });
    const prompt = Math.ceil('What is 6 * 7?'.length / 4);
    expect(chunk.usageMetadata).toMatchObject({
      promptTokenCount: prompt,
      candidatesTokenCount: 1,
      thoughtsTokenCount: 100,
      totalTokenCount: prompt + 1 + 100,
    });
    const off = { thinking_config: { thinking_budget: 0 } };
    const plain = await json<Chunk>(await post(server, ask('What is 6 * 7?', { generation_config: off })));
    expect(plain.usageMetadata.thoughtsTokenCount).toBeUndefined();
    expect(plain.candidates[0]?.content.parts).toEqual([{ text: '42' }]);
  });

  it.each([
    ['{not json', /^Invalid JSON payload received\. Unexpected token/],
    ['[1]', /Root element must be a message/],
    [{}, /contents is not specified/],
    [{ contents: [] }, /contents is not specified/],
    [{ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, /Please use a valid role: user, model\./],
    [{ contents: [{ role: 'user', parts: [] }] }, /contents\[0\]\.parts: contents\.parts must not be empty/],
    [ask('x', { messages: [] }), /Unknown name "messages": Cannot find field\./],
    [ask('x', { generationConfig: { max_tokens: 5 } }), /Unknown name "max_tokens" at 'generation_config'/],
    [
      ask('x', { generationConfig: { maxOutputTokens: 'many' } }),
      /Invalid value at 'generation_config\.max_output_tokens' \(TYPE_INT32\), "many"/,
    ],
  ])('rejects %j with 400 INVALID_ARGUMENT', async (body, message) => {
    const server = await start();
    const response = await post(server, body);
    expect(response.status).toBe(400);
    const error = await json<GoogleError>(response);
    expect(error.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(error.error.message).toMatch(message);
  });
});

describe('gemini dialect: streamGenerateContent', () => {
  const question = 'Reply with exactly: The quick brown fox jumps';

  it('sends alt=sse chunks with cumulative usage and the finish reason on the last one', async () => {
    const server = await start({ apiKey: KEY });
    const response = await post(server, ask(question), {
      method: 'streamGenerateContent',
      query: '?alt=sse',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const chunks = sseData(await response.text());
    expect(chunks.length).toBeGreaterThan(2);
    const text = chunks.map((chunk) => chunk.candidates[0]?.content.parts[0]?.text).join('');
    expect(text).toBe('The quick brown fox jumps');
    expect(chunks.map((chunk) => chunk.candidates[0]?.finishReason ?? null)).toEqual([
      ...chunks.slice(1).map(() => null),
      'STOP',
    ]);
    const counts = chunks.map((chunk) => chunk.usageMetadata.candidatesTokenCount ?? 0);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(chunks.at(-1)?.usageMetadata).toMatchObject({
      candidatesTokenCount: Math.ceil(text.length / 4),
      totalTokenCount: Math.ceil(question.length / 4) + Math.ceil(text.length / 4),
    });
  });

  it('streams thought parts first, with thoughts counted from the first chunk', async () => {
    const server = await start();
    const generationConfig = { thinkingConfig: { includeThoughts: true } };
    const response = await post(server, ask('What is 6 * 7?', { generationConfig }), {
      method: 'streamGenerateContent',
      query: '?alt=sse',
    });
    const [thought, answer] = sseData(await response.text());
    expect(thought?.candidates[0]?.content.parts[0]?.thought).toBe(true);
    // Zero counts are omitted, as Google does.
    expect(thought?.usageMetadata.candidatesTokenCount).toBeUndefined();
    expect(thought?.usageMetadata.thoughtsTokenCount).toBe(4);
    expect(answer?.candidates[0]).toMatchObject({
      content: { parts: [{ text: '42' }] },
      finishReason: 'STOP',
    });
  });

  it('sends a JSON array of the same chunks without alt=sse', async () => {
    const server = await start();
    const sse = sseData(
      await (
        await post(server, ask(question), { method: 'streamGenerateContent', query: '?alt=sse' })
      ).text(),
    );
    const response = await post(server, ask(question), { method: 'streamGenerateContent' });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const array = JSON.parse(await response.text()) as Chunk[];
    const withoutIds = (chunks: Chunk[]) => chunks.map(({ responseId: _, ...rest }) => rest);
    expect(withoutIds(array)).toEqual(withoutIds(sse));
  });
});

describe('gemini dialect: stream faults', () => {
  const question = 'Reply with exactly: The quick brown fox jumps';
  const sse = { method: 'streamGenerateContent', query: '?alt=sse' };

  it('x-mock-truncate sends all the content but never a finish reason', async () => {
    const server = await start();
    const response = await post(server, ask(question), { ...sse, headers: { 'x-mock-truncate': '1' } });
    expect(response.status).toBe(200);
    const chunks = sseData(await response.text());
    expect(chunks.map((chunk) => chunk.candidates[0]?.content.parts[0]?.text).join('')).toBe(
      'The quick brown fox jumps',
    );
    expect(chunks.filter((chunk) => chunk.candidates[0]?.finishReason !== undefined)).toEqual([]);

    const array = await post(server, ask(question), {
      method: 'streamGenerateContent',
      headers: { 'x-mock-truncate': '1' },
    });
    const text = await array.text();
    expect(text.startsWith('[')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('x-mock-stream-error sends an error object after the first content chunk, on a 200', async () => {
    const server = await start();
    const response = await post(server, ask(question), { ...sse, headers: { 'x-mock-stream-error': '1' } });
    expect(response.status).toBe(200);
    const events = (await response.text()).split('\r\n\r\n').filter(Boolean);
    expect(events).toHaveLength(2);
    const [first, error] = events.map(
      (event) => JSON.parse(event.slice('data: '.length)) as Record<string, unknown>,
    );
    expect((first as unknown as Chunk).candidates[0]?.finishReason).toBeUndefined();
    expect(error).toEqual({
      error: {
        code: 503,
        message: 'The model is overloaded. Please try again later.',
        status: 'UNAVAILABLE',
      },
    });
  });
});

describe('gemini dialect: auth and failures', () => {
  it('takes the key from x-goog-api-key or ?key=', async () => {
    const server = await start({ apiKey: KEY });
    expect((await post(server, ask('hi'))).status).toBe(200);
    expect((await post(server, ask('hi'), { query: `?key=${KEY}`, headers: {} })).status).toBe(200);
    expect(server.journal().map((entry) => entry.status)).toEqual([200, 200]);
  });

  it('answers a wrong key with 400 API_KEY_INVALID and a missing key with 403', async () => {
    const server = await start({ apiKey: KEY });
    const wrong = await post(server, ask('hi'), { headers: { 'x-goog-api-key': 'nope' } });
    expect(wrong.status).toBe(400);
    const body = await json<GoogleError>(wrong);
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(detail(body, 'ErrorInfo')).toMatchObject({ reason: 'API_KEY_INVALID' });

    const missing = await post(server, ask('hi'), { headers: {} });
    expect(missing.status).toBe(403);
    expect((await json<GoogleError>(missing)).error.status).toBe('PERMISSION_DENIED');
  });

  it('answers 429 with RetryInfo and a per-minute QuotaFailure, never a retry-after header', async () => {
    const server = await start();
    const response = await post(server, ask('hi'), {
      headers: { 'x-mock-status': '429', 'x-mock-retry-after': '1.5' },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
    const body = await json<GoogleError>(response);
    expect(body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(detail(body, 'RetryInfo')).toEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '1.500s',
    });
    const violations = detail(body, 'QuotaFailure')?.violations as Array<{ quotaId: string }>;
    expect(violations[0]?.quotaId).toMatch(/PerMinute/);
    expect(body.error.message).toContain(MODEL);
  });

  it('answers an exhausted quota with a PerDay quota id', async () => {
    const server = await start();
    const body = await json<GoogleError>(await post(server, ask('hi'), { headers: { 'x-mock-quota': '1' } }));
    expect(body.error.code).toBe(429);
    const violations = detail(body, 'QuotaFailure')?.violations as Array<{ quotaId: string }>;
    expect(violations[0]?.quotaId).toBe('GenerateRequestsPerDayPerProjectPerModel-FreeTier');
  });

  it.each([
    [503, 'UNAVAILABLE'],
    [500, 'INTERNAL'],
    [504, 'DEADLINE_EXCEEDED'],
    [404, 'NOT_FOUND'],
    [400, 'INVALID_ARGUMENT'],
  ])('renders an injected %i as %s', async (status, name) => {
    const server = await start();
    const response = await post(server, ask('hi'), { headers: { 'x-mock-status': String(status) } });
    expect(response.status).toBe(status);
    const body = await json<GoogleError>(response);
    expect(body.error).toMatchObject({ code: status, status: name });
    expect(detail(body, 'ErrorInfo')).toBeUndefined();
  });

  it('wraps errors in an array on the JSON-array stream, as Google does', async () => {
    const server = await start();
    const headers = { 'x-mock-status': '503' };
    const array = await post(server, ask('hi'), { method: 'streamGenerateContent', headers });
    expect((JSON.parse(await array.text()) as GoogleError[])[0]?.error.status).toBe('UNAVAILABLE');
    const sse = await post(server, ask('hi'), {
      method: 'streamGenerateContent',
      query: '?alt=sse',
      headers,
    });
    expect((await json<GoogleError>(sse)).error.status).toBe('UNAVAILABLE');
  });
});
