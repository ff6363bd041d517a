import { describe, expect, it } from 'vitest';
import type { MockServer } from '../server.js';
import { useMockServer } from '../test-helpers.js';

const start = useMockServer();

const VERSION = { 'anthropic-version': '2023-06-01' };
const LOOKUP = { name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } };
const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The usage object of a Message, every field the API reference lists. */
function usage(inputTokens: number, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: 'standard',
    inference_geo: null,
    speed: null,
  };
}

function messagesBody(content: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'claude-3-5-haiku-latest',
    max_tokens: 256,
    messages: [{ role: 'user', content }],
    ...extra,
  };
}

function post(
  server: MockServer,
  body: unknown,
  headers: Record<string, string> = VERSION,
): Promise<Response> {
  return fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function sseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const [eventLine, dataLine, ...rest] = block.split('\n');
      expect(rest).toEqual([]);
      expect(eventLine).toMatch(/^event: /);
      expect(dataLine).toMatch(/^data: /);
      return {
        event: eventLine!.slice('event: '.length),
        data: JSON.parse(dataLine!.slice('data: '.length)) as Record<string, unknown>,
      };
    });
}

function deltaText(events: SseEvent[]): string {
  return events
    .filter((event) => event.event === 'content_block_delta')
    .map((event) => (event.data.delta as { text: string }).text)
    .join('');
}

async function expectInvalid(response: Response, message: string): Promise<void> {
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({
    type: 'error',
    error: { type: 'invalid_request_error', message },
    request_id: expect.stringMatching(/^req_/),
  });
}

describe('POST /v1/messages', () => {
  it('answers in the Messages shape with a deterministic answer and usage', async () => {
    const server = await start();
    const prompt = 'What is 12 * (3 + 4)?';
    const response = await post(server, messagesBody(prompt));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(await response.json()).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-haiku-latest',
      content: [{ type: 'text', text: '84', citations: null }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: usage(Math.ceil(prompt.length / 4), 1),
    });
  });

  it('answers the last user message and counts system and every message as input', async () => {
    const server = await start();
    const system = 'You are terse.';
    const messages = [
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: [{ type: 'text', text: 'first answer' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Tell me' },
          { type: 'text', text: 'about cats' },
        ],
      },
    ];
    const response = await post(server, { ...messagesBody('x'), system, messages });
    const body = (await response.json()) as {
      content: Array<{ text: string }>;
      usage: { input_tokens: number };
    };
    expect(body.content[0]?.text).toBe('Echo: Tell me\nabout cats');
    const chars =
      system.length + 'first question'.length + 'first answer'.length + 'Tell me\nabout cats'.length;
    expect(body.usage.input_tokens).toBe(Math.ceil(chars / 4));
  });

  it('stops at max_tokens with stop_reason max_tokens', async () => {
    const server = await start();
    const response = await post(server, messagesBody('Tell me about the ocean', { max_tokens: 2 }));
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.content).toEqual([{ type: 'text', text: 'Echo: Te', citations: null }]);
    expect(body.stop_reason).toBe('max_tokens');
    expect(body.usage).toMatchObject({ output_tokens: 2 });
  });

  it('stops at the earliest stop sequence and names it', async () => {
    const server = await start();
    const response = await post(
      server,
      messagesBody('Reply with exactly: alpha beta gamma', { stop_sequences: ['gamma', ' beta'] }),
    );
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.content).toEqual([{ type: 'text', text: 'alpha', citations: null }]);
    expect(body.stop_reason).toBe('stop_sequence');
    expect(body.stop_sequence).toBe(' beta');
  });

  it('sends anthropic-ratelimit-* headers with RFC 3339 resets', async () => {
    const server = await start();
    const response = await post(server, messagesBody('hi'));
    expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('30000');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('29999');
    expect(response.headers.get('anthropic-ratelimit-tokens-limit')).toBe('150000000');
    expect(Number(response.headers.get('anthropic-ratelimit-tokens-remaining'))).toBeLessThan(150_000_000);
    for (const name of ['requests', 'tokens']) {
      const reset = response.headers.get(`anthropic-ratelimit-${name}-reset`);
      expect(reset).toMatch(RFC3339_SECONDS);
      expect(Date.parse(reset!)).toBeGreaterThan(Date.now() - 1000);
    }
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });
});

describe('request validation', () => {
  it('requires the anthropic-version header', async () => {
    const server = await start();
    await expectInvalid(await post(server, messagesBody('hi'), {}), 'anthropic-version: header is required');
  });

  it.each([
    [
      'max_tokens is missing',
      { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
      'max_tokens: Field required',
    ],
    [
      'max_tokens is 0',
      messagesBody('hi', { max_tokens: 0 }),
      'max_tokens: Input should be greater than or equal to 1',
    ],
    [
      'max_tokens is not an integer',
      messagesBody('hi', { max_tokens: 1.5 }),
      'max_tokens: Input should be a valid integer',
    ],
    [
      'model is missing',
      { max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
      'model: Field required',
    ],
    ['messages is missing', { model: 'm', max_tokens: 5 }, 'messages: Field required'],
    [
      'messages is empty',
      { model: 'm', max_tokens: 5, messages: [] },
      'messages: at least one message is required',
    ],
    [
      'a message has the system role',
      { model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'be terse' }] },
      'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.',
    ],
    [
      'a message has an unknown role',
      { model: 'm', max_tokens: 5, messages: [{ role: 'tool', content: 'x' }] },
      "messages.0.role: Input should be 'user' or 'assistant'",
    ],
    [
      'a user message is empty',
      messagesBody(''),
      'messages.0: all messages must have non-empty content except for the optional final assistant message',
    ],
    [
      'a text block has no text',
      messagesBody([{ type: 'text' }]),
      'messages.0.content.0.text: Field required',
    ],
    [
      'a block has an unknown type',
      messagesBody([{ type: 'image_url', image_url: 'x' }]),
      expect.stringMatching(/^messages\.0\.content\.0: Input tag 'image_url' found using 'type'/),
    ],
    [
      'system is a number',
      messagesBody('hi', { system: 3 }),
      'system: Input should be a valid string or list',
    ],
    [
      'temperature is above 1',
      messagesBody('hi', { temperature: 1.5 }),
      'temperature: Input should be less than or equal to 1',
    ],
    ['an OpenAI-only field is sent', messagesBody('hi', { seed: 7 }), 'seed: Extra inputs are not permitted'],
    [
      'stop_sequences is a string',
      messagesBody('hi', { stop_sequences: 'END' }),
      'stop_sequences: Input should be a valid list of strings',
    ],
    [
      'a tool has no name',
      messagesBody('hi', { tools: [{ input_schema: {} }] }),
      'tools.0.name: Field required',
    ],
    [
      'a client tool has no input_schema',
      messagesBody('hi', { tools: [{ name: 'lookup' }] }),
      'tools.0.input_schema: Field required',
    ],
    [
      'tool_choice comes without tools',
      messagesBody('hi', { tool_choice: { type: 'any' } }),
      'tool_choice: `tool_choice` may only be specified while providing tools.',
    ],
    [
      'tool_choice has an unknown type',
      messagesBody('hi', { tools: [LOOKUP], tool_choice: { type: 'required' } }),
      expect.stringMatching(/^tool_choice: Input tag 'required' found using 'type'/),
    ],
    [
      'tool_choice forces a tool that is not offered',
      messagesBody('hi', { tools: [LOOKUP], tool_choice: { type: 'tool', name: 'other' } }),
      "tool_choice.name: Tool 'other' not found in provided tools",
    ],
    [
      'a tool_result has no tool_use_id',
      messagesBody([{ type: 'tool_result', content: 'x' }]),
      'messages.0.content.0.tool_use_id: Field required',
    ],
  ])('answers 400 invalid_request_error when %s', async (_case, body, message) => {
    const server = await start();
    await expectInvalid(await post(server, body), message as string);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const server = await start();
    const response = await post(server, '{"model": ');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string } };
    expect(body.error.type).toBe('invalid_request_error');
  });

  it('accepts an empty final assistant message (a prefill) and non-text blocks', async () => {
    const server = await start();
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
          { type: 'text', text: 'What is 2 + 2?' },
        ],
      },
      { role: 'assistant', content: '' },
    ];
    const response = await post(server, { ...messagesBody('x'), messages });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { content: unknown }).content).toEqual([
      { type: 'text', text: '4', citations: null },
    ]);
  });
});

describe('streaming', () => {
  it('sends the exact event sequence with input usage first and cumulative output usage last', async () => {
    const server = await start();
    const prompt = 'Reply with exactly: The quick brown fox';
    const response = await post(server, messagesBody(prompt, { stream: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = sseEvents(await response.text());
    const deltas = Math.ceil('The quick brown fox'.length / 4);
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array<string>(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const event of events) expect(event.data.type).toBe(event.event);
    expect(events[0]?.data.message).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      content: [],
      model: 'claude-3-5-haiku-latest',
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: usage(Math.ceil(prompt.length / 4), 1),
    });
    expect(events[1]?.data).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '', citations: null },
    });
    expect(events[3]?.data).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'The ' },
    });
    expect(deltaText(events)).toBe('The quick brown fox');
    expect(events.at(-2)?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null, stop_details: null, container: null },
      usage: {
        input_tokens: Math.ceil(prompt.length / 4),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: deltas,
        output_tokens_details: null,
        server_tool_use: null,
      },
    });
  });

  it('ends a truncated stream after its content, without the closing events', async () => {
    const server = await start();
    const response = await post(
      server,
      messagesBody('Reply with exactly: The quick brown fox', { stream: true }),
      {
        ...VERSION,
        'x-mock-truncate': '1',
      },
    );
    expect(response.status).toBe(200);
    const events = sseEvents(await response.text());
    expect(deltaText(events)).toBe('The quick brown fox');
    expect(events.at(-1)?.event).toBe('content_block_delta');
    const names = events.map((event) => event.event);
    expect(names).not.toContain('message_delta');
    expect(names).not.toContain('message_stop');
  });

  it('sends an in-band overloaded_error after the first delta when asked', async () => {
    const server = await start();
    const response = await post(
      server,
      messagesBody('Reply with exactly: The quick brown fox', { stream: true }),
      {
        ...VERSION,
        'x-mock-stream-error': '1',
      },
    );
    expect(response.status).toBe(200);
    const events = sseEvents(await response.text());
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'error',
    ]);
    expect(events.at(-1)?.data).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });
});

describe('auth and failures', () => {
  it('takes the key in x-api-key or as a bearer token (the SDK since 1.0), and names the one refused', async () => {
    const server = await start({ apiKey: 'sk-ant-mock' });
    const credentials: Array<Record<string, string>> = [
      { 'x-api-key': 'sk-ant-mock' },
      { authorization: 'Bearer sk-ant-mock' },
    ];
    for (const credential of credentials) {
      expect((await post(server, messagesBody('hi'), { ...VERSION, ...credential })).status).toBe(200);
    }
    const wrongKey = await post(server, messagesBody('hi'), { ...VERSION, 'x-api-key': 'sk-ant-other' });
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
      request_id: expect.stringMatching(/^req_/),
    });
    const wrongToken = await post(server, messagesBody('hi'), {
      ...VERSION,
      authorization: 'Bearer sk-ant-other',
    });
    expect(wrongToken.status).toBe(401);
    expect(await wrongToken.json()).toMatchObject({
      error: { type: 'authentication_error', message: 'Invalid bearer token' },
    });
    // A scheme other than Bearer is no credential.
    const basic = await post(server, messagesBody('hi'), { ...VERSION, authorization: 'Basic sk-ant-mock' });
    expect(basic.status).toBe(401);
  });

  it('answers an injected 429 with rate_limit_error, a whole-second retry-after and no requests left', async () => {
    const server = await start();
    const response = await post(server, messagesBody('hi'), {
      ...VERSION,
      'x-mock-status': '429',
      'x-mock-retry-after': '2.5',
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('retry-after-ms')).toBeNull();
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('rate_limit_error');
    expect(body.error.message).toContain('rate limit');
  });

  it('answers 529 with overloaded_error', async () => {
    const server = await start();
    const response = await post(server, messagesBody('hi'), { ...VERSION, 'x-mock-status': '529' });
    expect(response.status).toBe(529);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });

  it('answers a spend cap as a 429 with details.error_code and no retry-after', async () => {
    const server = await start();
    const response = await post(server, messagesBody('hi'), { ...VERSION, 'x-mock-quota': '1' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: {
        type: 'rate_limit_error',
        message: expect.stringContaining('API usage limits'),
        details: { error_code: 'enforced_spend_limit_reached' },
      },
    });
  });

  it('answers 413 with the edge proxy HTML page, not the JSON envelope', async () => {
    const server = await start();
    const response = await post(server, messagesBody('hi'), { ...VERSION, 'x-mock-status': '413' });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(await response.text()).toContain('413 Request Entity Too Large');
  });

  it.each([
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [500, 'api_error'],
  ])('maps an injected %i to %s', async (status, type) => {
    const server = await start();
    const response = await post(server, messagesBody('hi'), { ...VERSION, 'x-mock-status': String(status) });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe(type);
  });
});

describe('tools', () => {
  it('answers a tool_use block with stop_reason tool_use, counting the input as output', async () => {
    const server = await start();
    const body = messagesBody('Please lookup {"q": "cats"}', {
      tools: [LOOKUP, { type: 'web_search_20250305', name: 'web_search' }],
    });
    const message = (await (await post(server, body)).json()) as Record<string, unknown>;
    expect(message).toMatchObject({
      content: [
        {
          type: 'tool_use',
          id: expect.stringMatching(/^toolu_/),
          name: 'lookup',
          input: { q: 'cats' },
          caller: { type: 'direct' },
        },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { output_tokens: Math.ceil('{"q":"cats"}'.length / 4) },
    });
  });

  it('streams each tool_use block as start, input_json_delta pieces and stop', async () => {
    const server = await start();
    const body = messagesBody('use lookup and web_search', {
      tools: [
        LOOKUP,
        { name: 'clock', input_schema: { type: 'object' } },
        { type: 'web_search_20250305', name: 'web_search' },
      ],
      tool_choice: { type: 'any' },
      stream: true,
    });
    const events = sseEvents(await (await post(server, body)).text());
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array<string>(1 + Math.ceil('{"q":"mock"}'.length / 4)).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[1]?.data.content_block).toEqual({
      type: 'tool_use',
      id: expect.stringMatching(/^toolu_/),
      name: 'lookup',
      input: {},
      caller: { type: 'direct' },
    });
    const json = events
      .filter((event) => event.event === 'content_block_delta')
      .map((event) => {
        const delta = event.data.delta as { type: string; partial_json: string };
        expect(delta.type).toBe('input_json_delta');
        return delta.partial_json;
      })
      .join('');
    expect(JSON.parse(json)).toEqual({ q: 'mock' });
    expect(events.at(-2)?.data.delta).toMatchObject({ stop_reason: 'tool_use' });
  });

  it('numbers the blocks of parallel calls and closes each before the next starts', async () => {
    const server = await start();
    const clock = { name: 'clock', input_schema: { type: 'object' } };
    const body = messagesBody('clock, then lookup', { tools: [LOOKUP, clock], stream: true });
    const events = sseEvents(await (await post(server, body)).text());
    const framing = events
      .filter((event) => event.event === 'content_block_start' || event.event === 'content_block_stop')
      .map((event) => `${event.event}:${String(event.data.index)}`);
    expect(framing).toEqual([
      'content_block_start:0',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_stop:1',
    ]);
  });

  it('answers the tool result with text', async () => {
    const server = await start();
    const messages = [
      { role: 'user', content: 'lookup cats' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'meow' }] }],
      },
    ];
    const message = (await (
      await post(server, { ...messagesBody('x'), messages, tools: [LOOKUP] })
    ).json()) as {
      content: unknown;
      stop_reason: string;
    };
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: meow', citations: null }]);
    expect(message.stop_reason).toBe('end_turn');
  });
});

describe('POST /v1/messages/count_tokens', () => {
  it('counts system and messages like /v1/messages, without max_tokens', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...VERSION },
      body: JSON.stringify({
        model: 'm',
        system: 'Be terse.',
        messages: [{ role: 'user', content: 'Hi there' }],
      }),
    });
    expect(await response.json()).toEqual({ input_tokens: Math.ceil('Be terse.Hi there'.length / 4) });
    const invalid = await fetch(`${server.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...VERSION },
      body: JSON.stringify({ model: 'm' }),
    });
    expect(invalid.status).toBe(400);
  });
});
