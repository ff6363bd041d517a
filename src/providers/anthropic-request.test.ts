/**
 * The Anthropic adapter on the wire: the request it sends, checked against the documented Messages shape,
 * the endpoint a versioned base URL reaches, and `tool_use` blocks read back as tool calls, from
 * real-shaped answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import type { ChatMessage, GenerationConfig } from '../types.js';
import type { Provider } from './provider.js';
import { toolCallOutput } from './provider.js';
import { createProvider } from './registry.js';
import {
  type CannedReply,
  type CaptureServer,
  messagesRequest,
  sse,
  startCaptureServer,
} from './request-shapes.contract.js';
import { testHttp } from './test-helpers.js';

const KEY = 'sk-ant-wire-test-secret-0123';
const MODEL = 'claude-sonnet-4-5';
const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'Be terse.' },
  { role: 'user', content: 'Weather in Paris?' },
];
const USAGE = {
  input_tokens: 11,
  output_tokens: 6,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};
const message = (content: unknown[], stopReason = 'end_turn') => ({
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: MODEL,
  content,
  stop_reason: stopReason,
  stop_sequence: null,
  usage: USAGE,
});

let capture: CaptureServer | undefined;
afterEach(async () => {
  await capture?.close();
  capture = undefined;
});

async function provider(
  reply: CannedReply,
  options: { config?: GenerationConfig; stream?: boolean; suffix?: string } = {},
): Promise<Provider> {
  capture = await startCaptureServer(() => reply);
  return createProvider(
    `anthropic:${MODEL}`,
    {
      options: { base_url: `${capture.url}${options.suffix ?? ''}`, stream: options.stream === true },
      ...(options.config ? { config: options.config } : {}),
      env: { ANTHROPIC_API_KEY: KEY },
      baseDir: '.',
      http: testHttp,
    },
    'target "claude"',
  );
}

function ask(target: Provider, config: GenerationConfig = {}) {
  return target.call({ messages: QUESTION, config, signal: AbortSignal.timeout(10_000) });
}

describe('the Messages request on the wire', () => {
  it('has the documented shape: system at the top level, stop as stop_sequences, tools as given', async () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Current weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    const config: GenerationConfig = {
      temperature: 0,
      max_tokens: 300,
      top_k: 5,
      stop: ['END'],
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: {} } } },
      metadata: { user_id: 'evals' },
    };
    const target = await provider({ json: message([{ type: 'text', text: 'Sunny.' }]) }, { config });
    await ask(target, config);
    const body = capture!.onlyBody();
    expect(messagesRequest.safeParse(body).error?.issues).toBeUndefined();
    expect(body).toEqual({
      model: MODEL,
      max_tokens: 300,
      system: 'Be terse.',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      temperature: 0,
      top_k: 5,
      stop_sequences: ['END'],
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
      output_config: config.output_config,
      metadata: { user_id: 'evals' },
    });
    expect(capture!.requests[0]?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('reaches POST /v1/messages whether the base URL ends in /v1 or not', async () => {
    for (const suffix of ['', '/', '/v1', '/v1/']) {
      const target = await provider({ json: message([{ type: 'text', text: 'ok' }]) }, { suffix });
      await ask(target);
      expect(capture!.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
        'POST /v1/messages',
      ]);
      expect(target.cacheScope()).toBe(`anthropic ${capture!.url}`);
      await capture!.close();
      capture = undefined;
    }
  });

  it('refuses seed before the run, exit-2 style, naming the key and the fix', async () => {
    const error = await provider({ json: message([]) }, { config: { seed: 7, temperature: 0 } }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      `anthropic:${MODEL}: config key \`seed\` (Anthropic has no seed) is not a request field of Anthropic Messages`,
    );
    expect((error as UserError).hint).toMatch(
      /^remove it from the target's config; Anthropic Messages takes: /,
    );
    // The schema the test checks against refuses it too, as the API does.
    const withSeed = { model: MODEL, max_tokens: 1, messages: [], seed: 7 };
    expect(messagesRequest.safeParse(withSeed).success).toBe(false);
  });
});

describe('tool_use blocks', () => {
  const toolUse = { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } };

  it('come back as toolCalls, with input as JSON text, and as the output when there is no text', async () => {
    const response = await ask(await provider({ json: message([toolUse], 'tool_use') }));
    const toolCalls = [{ id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris"}' }];
    expect(response.toolCalls).toEqual(toolCalls);
    expect(response.output).toBe(toolCallOutput(toolCalls));
    expect(response.finishReason).toBe('tool_use');
  });

  it('leave the text as the output when the model also wrote some', async () => {
    const response = await ask(
      await provider({ json: message([{ type: 'text', text: 'Let me check.' }, toolUse], 'tool_use') }),
    );
    expect(response.output).toBe('Let me check.');
    expect(response.toolCalls).toHaveLength(1);
  });

  it('are assembled from input_json_delta fragments in a stream', async () => {
    const text = sse([
      [
        'message_start',
        { type: 'message_start', message: { ...message([]), usage: { input_tokens: 11, output_tokens: 1 } } },
      ],
      [
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ],
      [
        'content_block_delta',
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } },
      ],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'content_block_start',
        {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: {} },
        },
      ],
      [
        'content_block_delta',
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
      ],
      [
        'content_block_delta',
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"ci' } },
      ],
      [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: 'ty": "Paris"}' },
        },
      ],
      ['content_block_stop', { type: 'content_block_stop', index: 1 }],
      [
        'content_block_start',
        {
          type: 'content_block_start',
          index: 2,
          content_block: { type: 'tool_use', id: 'toolu_03', name: 'get_time', input: {} },
        },
      ],
      ['content_block_stop', { type: 'content_block_stop', index: 2 }],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { output_tokens: 30 },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    ]);
    const response = await ask(await provider({ text, contentType: 'text/event-stream' }, { stream: true }));
    expect(response.output).toBe('Checking.');
    expect(response.toolCalls).toEqual([
      { id: 'toolu_02', name: 'get_weather', arguments: '{"city": "Paris"}' },
      // A tool without parameters streams no fragment: its input is the block's `{}`.
      { id: 'toolu_03', name: 'get_time', arguments: '{}' },
    ]);
    expect(response.usage).toMatchObject({ inputTokens: 11, outputTokens: 30 });
    expect(response.finishReason).toBe('tool_use');
  });
});
