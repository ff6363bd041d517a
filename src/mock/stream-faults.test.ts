/** Mid-stream stalls, malformed events and proxy error pages, in every streaming dialect. */
import { describe, expect, it } from 'vitest';
import type { MockServer } from './server.js';
import { streamFault } from './stream-faults.js';
import { chatBody, useMockServer } from './test-helpers.js';

const start = useMockServer();
const QUESTION = 'Say hello world';

interface StreamCase {
  name: string;
  /** Path and query of the streaming endpoint. */
  target: string;
  headers?: Record<string, string>;
  body: unknown;
  /** Splits a whole body into its events exactly as the server wrote them (delimiters kept). */
  split(text: string): string[];
  /** Index of the first event that carries answer text. */
  firstContent: number;
}

const sseSplit = (text: string) => text.split(/(?<=\n\n)/);
const geminiAsk = { contents: [{ role: 'user', parts: [{ text: QUESTION }] }] };

const CASES: StreamCase[] = [
  {
    name: 'OpenAI chat',
    target: '/v1/chat/completions',
    body: chatBody(QUESTION, { stream: true, stream_options: { include_usage: true } }),
    split: sseSplit,
    // After the role chunk.
    firstContent: 1,
  },
  {
    name: 'OpenRouter',
    target: '/api/v1/chat/completions',
    body: chatBody(QUESTION, { stream: true, usage: { include: true } }),
    split: sseSplit,
    // After two keep-alive comments and the role chunk.
    firstContent: 3,
  },
  {
    name: 'Anthropic',
    target: '/v1/messages',
    headers: { 'anthropic-version': '2023-06-01' },
    body: {
      model: 'claude-3-5-haiku-latest',
      max_tokens: 256,
      stream: true,
      messages: [{ role: 'user', content: QUESTION }],
    },
    split: sseSplit,
    // After message_start, content_block_start and ping.
    firstContent: 3,
  },
  {
    name: 'Gemini SSE',
    target: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    body: geminiAsk,
    split: (text) => text.split(/(?<=\r\n\r\n)/),
    firstContent: 0,
  },
  {
    name: 'Gemini JSON array',
    target: '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
    body: geminiAsk,
    split: (text) => text.split(/(?=\n,\r\n)|(?=\n\]$)/),
    firstContent: 0,
  },
  {
    name: 'Ollama NDJSON',
    target: '/api/chat',
    body: { model: 'llama3.2', messages: [{ role: 'user', content: QUESTION }] },
    split: (text) => text.split(/(?<=\n)/),
    firstContent: 0,
  },
];

function post(
  server: MockServer,
  target: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.url}${target}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The events of one answer from a fresh server, so ids and sequence numbers match between calls. */
async function events(streamCase: StreamCase, headers: Record<string, string> = {}): Promise<string[]> {
  const server = await start();
  const response = await post(server, streamCase.target, streamCase.body, {
    ...streamCase.headers,
    ...headers,
  });
  expect(response.status).toBe(200);
  // OpenAI's `created` is the clock's second, the one field two calls may not share.
  return streamCase.split((await response.text()).replace(/"created":\d+/g, '"created":0'));
}

/** The JSON text an event carries: its `data:` line, an array element, or an NDJSON line. */
function payload(event: string): string {
  const data = /^data: (.*)$/m.exec(event);
  return (data ? data[1]! : event.replace(/^(?:\[|\n,\r\n)/, '')).trim();
}

/** Reads until `expected.length` characters arrived, then closes the server while the stream is open. */
async function readStalled(server: MockServer, response: Response, expected: number) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (text.length < expected) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  // A stalled stream neither sends more nor ends: the next read only settles once close() cuts it.
  const next = reader.read().then(
    ({ done }) => (done ? 'ended' : 'more data'),
    () => 'cut',
  );
  await server.close();
  return { text, after: await next };
}

describe.each(CASES)('$name stream', (streamCase) => {
  it('x-mock-stall-after sends the first N events, then stalls until close() cuts the connection', async () => {
    const clean = await events(streamCase);
    const count = streamCase.firstContent + 2;
    expect(clean.length).toBeGreaterThan(count);
    const server = await start();
    const response = await post(server, streamCase.target, streamCase.body, {
      ...streamCase.headers,
      'x-mock-stall-after': String(count),
    });
    expect(response.status).toBe(200);
    const expected = clean.slice(0, count).join('');
    const { text, after } = await readStalled(server, response, expected.length);
    expect(text.replace(/"created":\d+/g, '"created":0')).toBe(expected);
    expect(after).toBe('cut');
    expect(server.journal()[0]?.status).toBe(200);
  });

  it('x-mock-malformed slips one broken event in after the first content event, then ends normally', async () => {
    const clean = await events(streamCase);
    const malformed = await events(streamCase, { 'x-mock-malformed': '1' });
    const at = streamCase.firstContent + 1;
    expect(malformed).toHaveLength(clean.length + 1);
    expect([...malformed.slice(0, at), ...malformed.slice(at + 1)]).toEqual(clean);
    expect(() => JSON.parse(payload(malformed[at]!))).toThrow(SyntaxError);
    expect(() => JSON.parse(payload(clean[at]!))).not.toThrow();
  });
});

describe('x-mock-stall-after', () => {
  it('with 0 sends the headers and no body', async () => {
    const server = await start();
    const [streamCase] = CASES;
    const response = await post(server, streamCase!.target, streamCase!.body, { 'x-mock-stall-after': '0' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await readStalled(server, response, 0)).toEqual({ text: '', after: 'cut' });
  });

  it('with more events than the answer has sends them all but never ends the response', async () => {
    const [streamCase] = CASES;
    const clean = (await events(streamCase!)).join('');
    const server = await start();
    const response = await post(server, streamCase!.target, streamCase!.body, {
      'x-mock-stall-after': '999',
    });
    const { text, after } = await readStalled(server, response, clean.length);
    expect(text.replace(/"created":\d+/g, '"created":0')).toBe(clean);
    expect(after).toBe('cut');
  });

  it('leaves whole (non-streamed) answers and ignored values alone', async () => {
    const server = await start();
    const whole = await post(server, '/v1/chat/completions', chatBody('What is 1 + 1?'), {
      'x-mock-stall-after': '0',
    });
    expect(((await whole.json()) as { choices: unknown[] }).choices).toHaveLength(1);
    for (const value of ['-1', '1.5', 'abc']) {
      const response = await post(server, CASES[0]!.target, CASES[0]!.body, { 'x-mock-stall-after': value });
      expect(await response.text()).toMatch(/data: \[DONE\]\n\n$/);
    }
  });
});

describe('x-mock-malformed', () => {
  it('breaks the whole Gemini JSON array, which still closes its bracket', async () => {
    const gemini = CASES.find((streamCase) => streamCase.name === 'Gemini JSON array')!;
    const text = (await events(gemini, { 'x-mock-malformed': '1' })).join('');
    expect(text.endsWith('\n]')).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('gives way to x-mock-stream-error and wins over x-mock-truncate', () => {
    expect(streamFault({ 'x-mock-malformed': '1', 'x-mock-stream-error': '1' })).toBe('error');
    expect(streamFault({ 'x-mock-malformed': 'true', 'x-mock-truncate': '1' })).toBe('malformed');
    expect(streamFault({ 'x-mock-malformed': '0' })).toBeUndefined();
  });
});

describe('x-mock-gateway', () => {
  const PAGE_502 = '<html><body><h1>502 Bad Gateway</h1></body></html>';

  it.each([
    ...CASES.map(({ name, target, headers, body }) => ({ name, target, headers, body })),
    { name: 'a non-streamed answer', target: '/v1/chat/completions', headers: {}, body: chatBody('hi') },
    { name: 'an unknown route', target: '/nowhere', headers: {}, body: {} },
  ])('answers $name with a proxy HTML page', async ({ target, headers, body }) => {
    const server = await start();
    const response = await post(server, target, body, { ...headers, 'x-mock-gateway': '502' });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(await response.text()).toBe(PAGE_502);
    expect(server.journal()[0]?.status).toBe(502);
  });

  it('answers before auth and rate limits, without the provider headers', async () => {
    const server = await start({ apiKey: 'sk-mock-gateway-key' });
    const response = await post(server, '/v1/chat/completions', chatBody('hi'), { 'x-mock-gateway': '502' });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('names other statuses by their reason phrase and ignores values that are not error statuses', async () => {
    const server = await start();
    const timeout = await post(server, '/v1/chat/completions', chatBody('hi'), { 'x-mock-gateway': '504' });
    expect(timeout.status).toBe(504);
    expect(await timeout.text()).toBe('<html><body><h1>504 Gateway Timeout</h1></body></html>');
    for (const value of ['200', 'abc', '']) {
      const response = await post(server, '/v1/chat/completions', chatBody('hi'), {
        'x-mock-gateway': value,
      });
      expect(response.status).toBe(200);
    }
  });
});
