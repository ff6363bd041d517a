/** The official `openai` npm client against `assay mock-server`: chat, streaming, tools, embeddings, models, errors. */
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  EXAMPLE_WEATHER_ARGUMENTS,
  MOCK_KEY,
  useSdkMock,
  WEATHER_PARAMETERS,
} from './sdk-helpers.js';

const mock = useSdkMock();
let client: OpenAI;

beforeAll(() => {
  client = new OpenAI({ apiKey: MOCK_KEY, baseURL: `${mock.url}/v1`, maxRetries: 0 });
});

const TOOLS: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather now',
      parameters: WEATHER_PARAMETERS,
      strict: true,
    },
  },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
];

describe('openai SDK: chat completions', () => {
  it('creates a completion with content, finish reason, usage and a request id', async () => {
    const { data, request_id: requestId } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is 6 * 7?' }] })
      .withResponse();
    expect(requestId).toMatch(/^req_/);
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('gpt-4o-mini');
    expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: '42', refusal: null });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 });
  });

  it('streams chunks that join to the answer, with usage in the last chunk when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello streaming world' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('hello streaming world');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(Math.ceil('hello streaming world'.length / 4));
  });

  it('assembles a streamed answer with the stream helper', async () => {
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Reply with exactly: assembled' }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('assembled');
    expect(final.choices[0]?.finish_reason).toBe('stop');
  });
});

describe('openai SDK: tools', () => {
  it('answers a forced function with tool_calls (arguments from the schema) and finish_reason tool_calls', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'How is the weather?' }],
      tools: TOOLS,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual(EXAMPLE_WEATHER_ARGUMENTS);
  });

  it('calls the tools the prompt names under auto, parallel, with the JSON arguments it gives, when streamed', async () => {
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'Call get_time, then get_weather {"city": "Paris", "unit": "celsius"}' },
      ],
      tools: TOOLS,
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(
      calls.map((call) => (call.type === 'function' ? [call.function.name, call.function.arguments] : [])),
    ).toEqual([
      ['get_time', '{}'],
      ['get_weather', '{"city":"Paris","unit":"celsius"}'],
    ]);
    // Without parallel calls only the first named tool is called; required with no tool named calls the first.
    const single = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Call get_time and get_weather' }],
      tools: TOOLS,
      parallel_tool_calls: false,
    });
    expect(single.choices[0]?.message.tool_calls).toHaveLength(1);
    const required = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Anything' }],
      tools: TOOLS,
      tool_choice: 'required',
    });
    const first = required.choices[0]?.message.tool_calls?.[0];
    expect(first?.type === 'function' && first.function.name).toBe('get_weather');
  });

  it('answers text under auto when no tool is named, after a tool result, and with tool_choice none', async () => {
    const plain = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is 2 + 2?' }],
      tools: TOOLS,
    });
    expect(plain.choices[0]?.message.content).toBe('4');
    const none = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Call get_weather' }],
      tools: TOOLS,
      tool_choice: 'none',
    });
    expect(none.choices[0]?.message.tool_calls ?? []).toEqual([]);
    const first = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Call get_weather' }],
      tools: TOOLS,
    });
    const message = first.choices[0]!.message;
    const call = message.tool_calls![0]!;
    const history: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Call get_weather' },
      message,
      { role: 'tool', tool_call_id: call.id, content: 'Sunny, 21 degrees' },
    ];
    const second = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: history,
      tools: TOOLS,
    });
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(second.choices[0]?.message.content).toBe('Echo: Sunny, 21 degrees');
  });

  it('rejects a forced function that is not among the tools with a 400 the SDK raises', async () => {
    const error = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        tools: TOOLS,
        tool_choice: { type: 'function', function: { name: 'missing' } },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('tool_choice.function.name');
  });
});

describe('openai SDK: embeddings, models and errors', () => {
  it('creates embeddings (the SDK asks for base64 and decodes it) at the requested dimensions', async () => {
    const result = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['the cat sat', 'sat the cat'],
      dimensions: 16,
    });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toHaveLength(16);
    // The same words in another order embed identically.
    expect(result.data[1]?.embedding).toEqual(result.data[0]?.embedding);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('gpt-4o-mini');
  });

  it('raises the typed errors for a wrong key and a rate limit', async () => {
    const stranger = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${mock.url}/v1`, maxRetries: 0 });
    const denied = await stranger.models.list().catch((caught: unknown) => caught);
    expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
    const limited = await client.chat.completions
      .create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-mock-status': '429' } },
      )
      .catch((caught: unknown) => caught);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
  });
});
