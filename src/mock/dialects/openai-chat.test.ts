/** Stream faults and the OpenRouter flavour of the Chat Completions dialect. */
import { describe, expect, it } from 'vitest';
import type { MockServer } from '../server.js';
import {
  type CompletionBody,
  chatBody,
  postChat,
  readJson,
  sseChunks,
  useMockServer,
} from '../test-helpers.js';
import { OPENROUTER_PRICE_PER_MTOK } from './openai-chat.js';

const start = useMockServer();
const STREAM = { stream: true, stream_options: { include_usage: true } };

function postOpenRouter(server: MockServer, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('stream faults', () => {
  it('x-mock-truncate ends after the content, without finish, usage chunk or [DONE]', async () => {
    const server = await start();
    const response = await postChat(server, chatBody('Say hello world', STREAM), { 'x-mock-truncate': '1' });
    expect(response.status).toBe(200);
    const { chunks, done } = sseChunks(await response.text());
    expect(done).toBe(false);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).join('')).toBe('hello world');
    expect(chunks.every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
    expect(chunks.every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('x-mock-stream-error sends an OpenAI error object after the first delta, then ends', async () => {
    const server = await start();
    const response = await postChat(server, chatBody('Say hello world', STREAM), {
      'x-mock-stream-error': '1',
    });
    expect(response.status).toBe(200);
    const { chunks, done } = sseChunks(await response.text());
    expect(done).toBe(false);
    expect(chunks).toHaveLength(3);
    expect(chunks[1]?.choices[0]?.delta.content).toBe('hell');
    expect(chunks[2]).toEqual({
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
  });

  it('leaves whole (non-streamed) answers alone', async () => {
    const server = await start();
    const headers = { 'x-mock-truncate': '1', 'x-mock-stream-error': '1' };
    const body = await readJson<CompletionBody>(await postChat(server, chatBody('What is 1 + 1?'), headers));
    expect(body.choices[0]?.message.content).toBe('2');
  });
});

describe('OpenRouter flavour under /api/v1', () => {
  it('reports usage.cost and cost_details when usage.include is set', async () => {
    const server = await start();
    const prompt = 'What is 6 * 7?';
    const body = (await (
      await postOpenRouter(server, chatBody(prompt, { usage: { include: true } }))
    ).json()) as CompletionBody & { usage: Record<string, unknown> };
    const promptTokens = Math.ceil(prompt.length / 4);
    const promptCost = (promptTokens * OPENROUTER_PRICE_PER_MTOK.input) / 1e6;
    const completionCost = OPENROUTER_PRICE_PER_MTOK.output / 1e6;
    expect(body.usage).toMatchObject({
      prompt_tokens: promptTokens,
      completion_tokens: 1,
      cost: promptCost + completionCost,
      is_byok: false,
      cost_details: {
        upstream_inference_cost: null,
        upstream_inference_prompt_cost: promptCost,
        upstream_inference_completions_cost: completionCost,
      },
    });
  });

  it('reports no cost without usage.include, nor on the OpenAI paths', async () => {
    const server = await start();
    const plain = (await (await postOpenRouter(server, chatBody('hi'))).json()) as { usage: object };
    expect(plain.usage).not.toHaveProperty('cost');
    const openAi = await readJson<{ usage: object }>(
      await postChat(server, chatBody('hi', { usage: { include: true } })),
    );
    expect(openAi.usage).not.toHaveProperty('cost');
  });

  it('opens a stream with keep-alive comments and ends it with a costed usage chunk', async () => {
    const server = await start();
    const response = await postOpenRouter(
      server,
      chatBody('What is 6 * 7?', { stream: true, usage: { include: true } }),
    );
    const text = await response.text();
    expect(text.startsWith(': OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {')).toBe(true);
    const { chunks, done } = sseChunks(text);
    expect(done).toBe(true);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toHaveProperty('cost');
    const openAi = await (await postChat(server, chatBody('hi', STREAM))).text();
    expect(openAi).not.toContain('OPENROUTER');
  });

  it('sends the mid-stream error on a chunk with finish_reason "error"', async () => {
    const server = await start();
    const response = await postOpenRouter(server, chatBody('Say hello world', { stream: true }), {
      'x-mock-stream-error': '1',
    });
    const { chunks, done } = sseChunks(await response.text());
    expect(done).toBe(false);
    expect(chunks.at(-1)).toMatchObject({
      object: 'chat.completion.chunk',
      error: { code: 502, message: expect.any(String) },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    });
  });
});

describe('tool calls', () => {
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
  ];

  it('answers with tool_calls, content null and finish_reason tool_calls, counting the arguments as output', async () => {
    const server = await start();
    const response = await postChat(server, chatBody('Call get_weather {"city": "Paris"}', { tools }));
    const body = (await response.json()) as Record<string, unknown>;
    const argumentsText = '{"city":"Paris"}';
    expect(body).toMatchObject({
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: expect.stringMatching(/^call_/),
                type: 'function',
                function: { name: 'get_weather', arguments: argumentsText },
              },
            ],
            refusal: null,
            annotations: [],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { completion_tokens: Math.ceil(argumentsText.length / 4) },
    });
  });

  it('streams a call as its id and name, then argument pieces keyed by index, then finish_reason tool_calls', async () => {
    const server = await start();
    const response = await postChat(
      server,
      chatBody('Weather?', {
        tools,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        ...STREAM,
      }),
    );
    const { chunks, done } = sseChunks(await response.text());
    expect(done).toBe(true);
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta as Record<string, unknown> | undefined);
    expect(deltas[0]).toEqual({ role: 'assistant', content: null, refusal: null });
    expect(deltas[1]).toEqual({
      tool_calls: [
        {
          index: 0,
          id: expect.stringMatching(/^call_/),
          type: 'function',
          function: { name: 'get_weather', arguments: '' },
        },
      ],
    });
    const pieces = deltas
      .slice(2, -2)
      .map((delta) => (delta!.tool_calls as Array<{ index: number; function: { arguments: string } }>)[0]!);
    expect(pieces.every((piece) => piece.index === 0)).toBe(true);
    expect(pieces.map((piece) => piece.function.arguments).join('')).toBe('{"city":"mock"}');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(Math.ceil('{"city":"mock"}'.length / 4));
  });

  it('cuts a streamed call after its first delta on x-mock-stream-error', async () => {
    const server = await start();
    const response = await postChat(server, chatBody('Call get_weather', { tools, stream: true }), {
      'x-mock-stream-error': '1',
    });
    const events = (await response.text()).split('\n\n').filter(Boolean);
    expect(events).toHaveLength(3);
    expect(events[1]).toContain('"tool_calls"');
    expect(JSON.parse(events[2]!.slice('data: '.length))).toMatchObject({ error: { type: 'server_error' } });
  });
});
