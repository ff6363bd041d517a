import { describe, expect, it } from 'vitest';
import type { MockServer } from '../server.js';
import { useMockServer } from '../test-helpers.js';
import { REASONING_SUMMARY, REASONING_TOKENS } from './openai-responses-reply.js';

const start = useMockServer();
const KEY = 'sk-responses-mock';

function post(
  server: MockServer,
  body: unknown,
  headers: Record<string, string> = {},
  path = '/v1/responses',
) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4.1-mini',
  input: [{ role: 'user', content }],
  ...extra,
});

interface StreamEvent {
  event: string;
  data: { type: string; sequence_number: number; [key: string]: unknown };
}

function events(text: string): StreamEvent[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return {
        event: eventLine!.slice('event: '.length),
        data: JSON.parse(dataLine!.slice('data: '.length)),
      };
    });
}

describe('the OpenAI Responses dialect', () => {
  it('answers a response object with output items and usage, at /v1/responses and /responses', async () => {
    const server = await start({ port: 0, apiKey: KEY });
    for (const path of ['/v1/responses', '/responses']) {
      const response = await post(server, ask('What is 6 * 7?'), {}, path);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit-requests')).toMatch(/^\d+$/);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        id: expect.stringMatching(/^resp_/),
        object: 'response',
        status: 'completed',
        error: null,
        incomplete_details: null,
        model: 'gpt-4.1-mini',
        output: [
          {
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: '42', annotations: [] }],
          },
        ],
        usage: {
          input_tokens: 4,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 1,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 5,
        },
      });
    }
  });

  it('streams named events with increasing sequence numbers, ending in response.completed', async () => {
    const server = await start({ port: 0 });
    const response = await post(server, ask('Reply with exactly: hello world', { stream: true }));
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const list = events(await response.text());
    expect(list.map((item) => item.data.sequence_number)).toEqual(list.map((_, index) => index));
    for (const item of list) expect(item.data.type).toBe(item.event);
    expect(list[0]?.event).toBe('response.created');
    const deltas = list
      .filter((item) => item.event === 'response.output_text.delta')
      .map((item) => item.data.delta);
    expect(deltas.join('')).toBe('hello world');
    expect(list.at(-1)).toMatchObject({
      event: 'response.completed',
      data: { response: { status: 'completed', usage: { output_tokens: 3 } } },
    });
  });

  it('answers a forced tool choice with a function_call item whose arguments fit the schema', async () => {
    const server = await start({ port: 0 });
    const tool = {
      type: 'function',
      name: 'book',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          nights: { type: 'integer' },
          class: { enum: ['economy', 'first'] },
        },
        required: ['city', 'nights', 'class'],
      },
    };
    const body = (await (
      await post(server, ask('Book it', { tools: [tool], tool_choice: { type: 'function', name: 'book' } }))
    ).json()) as { output: unknown[] };
    expect(body.output).toEqual([
      {
        id: expect.any(String),
        type: 'function_call',
        status: 'completed',
        call_id: expect.stringMatching(/^call_/),
        name: 'book',
        arguments: '{"city":"mock","nights":0,"class":"economy"}',
      },
    ]);
  });

  it('adds a reasoning item, with its summary when asked, and counts reasoning tokens as output', async () => {
    const server = await start({ port: 0 });
    const body = (await (
      await post(server, ask('What is 2 + 2?', { reasoning: { effort: 'low', summary: 'auto' } }))
    ).json()) as { output: Array<{ type: string }>; usage: Record<string, unknown> };
    expect(body.output[0]).toMatchObject({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: REASONING_SUMMARY }],
    });
    expect(body.usage).toMatchObject({
      output_tokens: 1 + REASONING_TOKENS,
      output_tokens_details: { reasoning_tokens: REASONING_TOKENS },
    });
  });

  it('stops at max_output_tokens with an incomplete response', async () => {
    const server = await start({ port: 0 });
    const body = (await (
      await post(server, ask(`Reply with exactly: ${'word '.repeat(40)}`, { max_output_tokens: 16 }))
    ).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });

  it.each([
    [
      'a parameter the API does not know',
      ask('hi', { seed: 7 }),
      "Unknown parameter: 'seed'.",
      'unknown_parameter',
    ],
    [
      'a function tool in the Chat Completions shape',
      ask('hi', { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }),
      "Missing required parameter: 'tools[0].name'.",
      'missing_required_parameter',
    ],
    [
      'max_output_tokens below 16',
      ask('hi', { max_output_tokens: 5 }),
      "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 5 instead.",
      'integer_below_min_value',
    ],
    ['no model', { input: 'hi' }, "Missing required parameter: 'model'.", 'missing_required_parameter'],
    [
      'a json_schema format without a name',
      ask('hi', { text: { format: { type: 'json_schema', schema: {} } } }),
      "Missing required parameter: 'text.format.name'.",
      'missing_required_parameter',
    ],
  ])('refuses %s with OpenAI’s 400', async (_case, body, message, code) => {
    const server = await start({ port: 0 });
    const response = await post(server, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { message, type: 'invalid_request_error', code } });
  });

  it('answers 401 in OpenAI’s envelope for a wrong key, and injected faults in-band when streaming', async () => {
    const server = await start({ port: 0, apiKey: KEY });
    const unauthorized = await post(server, ask('hi'), { authorization: 'Bearer sk-wrong' });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    const broken = events(
      await (
        await post(server, ask('Reply with exactly: a b c d e', { stream: true }), {
          'x-mock-stream-error': '1',
        })
      ).text(),
    );
    expect(broken.at(-1)).toMatchObject({ event: 'error', data: { code: 'server_error' } });
    const cut = events(
      await (
        await post(server, ask('Reply with exactly: a b c d e', { stream: true }), { 'x-mock-truncate': '1' })
      ).text(),
    );
    expect(cut.some((item) => item.event === 'response.completed')).toBe(false);
  });
});
