/** The official `@anthropic-ai/sdk` client against `assay mock-server`: messages, streaming, tools, token counts, errors. */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  EXAMPLE_WEATHER_ARGUMENTS,
  MOCK_KEY,
  useSdkMock,
  WEATHER_PARAMETERS,
} from './sdk-helpers.js';

const mock = useSdkMock();
let client: Anthropic;

beforeAll(() => {
  client = new Anthropic({ apiKey: MOCK_KEY, baseURL: mock.url, maxRetries: 0 });
});

const MODEL = 'claude-sonnet-4-5';
const TOOLS: Tool[] = [
  { name: 'get_weather', description: 'Weather now', input_schema: WEATHER_PARAMETERS },
  { name: 'get_time', input_schema: { type: 'object', properties: {} } },
];

describe('@anthropic-ai/sdk: messages', () => {
  it('creates a message with a text block, stop reason and usage (the SDK sends its key as a bearer token)', async () => {
    const { data, request_id: requestId } = await client.messages
      .create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'What is 6 * 7?' }] })
      .withResponse();
    expect(requestId).toMatch(/^req_/);
    // Every field the SDK's Message and Usage types declare (required, possibly null) is there.
    expect(Object.keys(data).sort()).toEqual(
      [
        'container',
        'content',
        'diagnostics',
        'id',
        'model',
        'role',
        'stop_details',
        'stop_reason',
        'stop_sequence',
        'type',
        'usage',
      ].sort(),
    );
    expect(Object.keys(data.usage).sort()).toEqual(
      [
        'cache_creation',
        'cache_creation_input_tokens',
        'cache_read_input_tokens',
        'inference_geo',
        'input_tokens',
        'output_tokens',
        'output_tokens_details',
        'server_tool_use',
        'service_tier',
        'speed',
      ].sort(),
    );
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: '42' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 4, output_tokens: 1 },
    });
  });

  it('streams raw events, and assembles them with the stream helper', async () => {
    const raw = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say hello streaming world' }],
      stream: true,
    });
    const events = await collect(raw);
    expect(events[0]?.type).toBe('message_start');
    expect(events.at(-1)?.type).toBe('message_stop');
    const text = events
      .map((event) =>
        event.type === 'content_block_delta' && event.delta.type === 'text_delta' ? event.delta.text : '',
      )
      .join('');
    expect(text).toBe('hello streaming world');

    const texts: string[] = [];
    const stream = client.messages
      .stream({
        model: MODEL,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Reply with exactly: whole' }],
      })
      .on('text', (delta) => texts.push(delta));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'whole', citations: null }]);
    expect(texts.join('')).toBe('whole');
    expect(final.usage.output_tokens).toBe(2);
  });

  it('counts the tokens of a prompt', async () => {
    const counted = await client.messages.countTokens({
      model: MODEL,
      system: 'Be terse.',
      messages: [{ role: 'user', content: 'What is 6 * 7?' }],
    });
    expect(counted.input_tokens).toBe(Math.ceil(('Be terse.'.length + 'What is 6 * 7?'.length) / 4));
  });
});

describe('@anthropic-ai/sdk: tools', () => {
  it('answers a forced tool with a tool_use block (input from the schema) and stop_reason tool_use', async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'How is the weather?' }],
      tools: TOOLS,
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      {
        type: 'tool_use',
        id: expect.stringMatching(/^toolu_/),
        name: 'get_weather',
        input: EXAMPLE_WEATHER_ARGUMENTS,
        caller: { type: 'direct' },
      },
    ]);
  });

  it('streams tool_use blocks whose input the helper assembles from input_json_delta pieces', async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'Use get_weather {"city": "Oslo", "unit": "celsius"} and get_time' },
      ],
      tools: TOOLS,
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(
      final.content.map((block) => (block.type === 'tool_use' ? [block.name, block.input] : block.type)),
    ).toEqual([
      ['get_weather', { city: 'Oslo', unit: 'celsius' }],
      ['get_time', {}],
    ]);
    const single = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Anything at all' }],
      tools: TOOLS,
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(single.content).toHaveLength(1);
    expect(single.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather' });
  });

  it('answers text after a tool result, and with tool_choice none', async () => {
    const first = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Call get_time' }],
      tools: TOOLS,
    });
    const use = first.content[0];
    if (use?.type !== 'tool_use') throw new Error('expected a tool_use block');
    const history: MessageParam[] = [
      { role: 'user', content: 'Call get_time' },
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '12:00' }] },
    ];
    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: history,
      tools: TOOLS,
    });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: 'Echo: 12:00', citations: null }]);
    const none = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Call get_time' }],
      tools: TOOLS,
      tool_choice: { type: 'none' },
    });
    expect(none.content[0]?.type).toBe('text');
  });
});

describe('@anthropic-ai/sdk: errors', () => {
  it('raises the typed errors for a wrong key, a bad request and an overload', async () => {
    const stranger = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: mock.url, maxRetries: 0 });
    const denied = await stranger.messages
      .create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(denied).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((denied as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: 'Invalid bearer token' },
    });
    const bad = await client.messages
      .create({ model: MODEL, max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    const overloaded = await client.messages
      .create(
        { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-mock-status': '529' } },
      )
      .catch((caught: unknown) => caught);
    expect(overloaded).toBeInstanceOf(Anthropic.APIError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });
});
