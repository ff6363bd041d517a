/**
 * `openai:responses:<model>` on the wire: the request checked against the documented
 * `ResponseCreateParams` shape, answers read from real-shaped bodies and streams (output items, function
 * calls, reasoning and cached tokens, failures after a 200), and a round trip through the mock's dialect.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, UserError } from '../errors.js';
import { type MockServer, startMockServer } from '../mock/server.js';
import { createPricer } from '../pricing/price.js';
import type { ChatMessage, GenerationConfig } from '../types.js';
import { type Provider, toolCallOutput } from './provider.js';
import { createProvider } from './registry.js';
import {
  type CannedReply,
  type CaptureServer,
  responsesRequest,
  sse,
  startCaptureServer,
} from './request-shapes.contract.js';
import { providerError, testHttp } from './test-helpers.js';

const KEY = 'sk-responses-wire-secret-0123';
const MODEL = 'gpt-4.1-mini';
const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'Be terse.' },
  { role: 'user', content: 'What is 6 * 7?' },
];
const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};
const USAGE = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 1024 },
  output_tokens: 300,
  output_tokens_details: { reasoning_tokens: 256 },
  total_tokens: 1500,
};
const response = (output: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'resp_01',
  object: 'response',
  created_at: 1_770_000_000,
  status: 'completed',
  error: null,
  incomplete_details: null,
  model: 'gpt-4.1-mini-2025-04-14',
  output,
  usage: USAGE,
  ...extra,
});
const messageItem = (text: string) => ({
  id: 'msg_01',
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});
const reasoningItem = {
  id: 'rs_01',
  type: 'reasoning',
  summary: [{ type: 'summary_text', text: 'Multiplied.' }],
};
const callItem = (callId: string, name: string, args: string) => ({
  id: `fc_${callId}`,
  type: 'function_call',
  status: 'completed',
  call_id: callId,
  name,
  arguments: args,
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
    `openai:responses:${MODEL}`,
    {
      options: { base_url: `${capture.url}${options.suffix ?? '/v1'}`, stream: options.stream === true },
      ...(options.config ? { config: options.config } : {}),
      env: { OPENAI_API_KEY: KEY },
      baseDir: '.',
      http: testHttp,
    },
    'target "responses"',
  );
}

function ask(target: Provider, config: GenerationConfig = {}, messages = QUESTION) {
  return target.call({ messages, config, signal: AbortSignal.timeout(10_000) });
}

function schemaIssues(body: unknown) {
  return responsesRequest.safeParse(body).error?.issues;
}

describe('the Responses request on the wire', () => {
  it('has the documented shape: input items, max_output_tokens, reasoning, flat text.format and tools', async () => {
    const config: GenerationConfig = {
      temperature: 0.2,
      max_tokens: 200,
      top_p: 0.9,
      reasoning: { effort: 'low', summary: 'auto' },
      text: {
        format: {
          type: 'json_schema',
          name: 'answer',
          schema: { type: 'object', properties: {} },
          strict: true,
        },
      },
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', name: 'get_weather' },
      previous_response_id: 'resp_previous',
      store: false,
      include: ['reasoning.encrypted_content'],
      metadata: { suite: 'wire' },
    };
    await ask(await provider({ json: response([messageItem('{}')]) }, { config }), config);
    const [request] = capture!.requests;
    expect(`${request?.method} ${request?.url}`).toBe('POST /v1/responses');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(schemaIssues(request?.body)).toBeUndefined();
    expect(request?.body).toEqual({
      model: MODEL,
      input: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'What is 6 * 7?' },
      ],
      temperature: 0.2,
      max_output_tokens: 200,
      top_p: 0.9,
      reasoning: { effort: 'low', summary: 'auto' },
      text: config.text,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', name: 'get_weather' },
      previous_response_id: 'resp_previous',
      store: false,
      include: ['reasoning.encrypted_content'],
      metadata: { suite: 'wire' },
    });
  });

  it('rewrites the Chat Completions spellings a shared config may carry into the Responses shapes', async () => {
    const config: GenerationConfig = {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object', properties: {} }, strict: true },
      },
      reasoning_effort: 'high',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_TOOL.parameters } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    };
    await ask(await provider({ json: response([messageItem('{}')]) }, { config }), config);
    const body = capture!.onlyBody();
    expect(schemaIssues(body)).toBeUndefined();
    expect(body).toMatchObject({
      text: {
        format: {
          type: 'json_schema',
          name: 'answer',
          schema: { type: 'object', properties: {} },
          strict: true,
        },
      },
      reasoning: { effort: 'high' },
      tools: [{ type: 'function', name: 'get_weather', parameters: WEATHER_TOOL.parameters }],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    // The shapes as written for Chat Completions are what the Responses API refuses.
    expect(schemaIssues({ model: MODEL, input: 'x', tools: config.tools })).toBeDefined();
    expect(schemaIssues({ model: MODEL, input: 'x', response_format: config.response_format })).toBeDefined();
  });

  it('reaches /v1/responses from a bare host, and sends stream: true when the target streams', async () => {
    const text = sse([
      ['response.completed', { type: 'response.completed', sequence_number: 0, response: response([]) }],
    ]);
    const target = await provider({ text, contentType: 'text/event-stream' }, { stream: true, suffix: '' });
    await ask(target, { stream: false });
    const [request] = capture!.requests;
    expect(request?.url).toBe('/v1/responses');
    expect(request?.headers.accept).toBe('text/event-stream');
    expect(schemaIssues(request?.body)).toBeUndefined();
    expect(request?.body).toMatchObject({ stream: true });
  });

  it('refuses seed, stop and background before the run, and sends nothing for them from a library call', async () => {
    const error = await provider(
      { json: response([]) },
      { config: { seed: 1, stop: ['x'], background: true } },
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(
      `openai:responses:${MODEL}: config keys \`seed\` (the Responses API has no seed), \`stop\` (the Responses API has no stop sequences), \`background\``,
    );
    const target = await provider({ json: response([]) });
    expect((await providerError(ask(target, { seed: 1 }))).kind).toBe('permanent');
    expect(capture!.requests).toEqual([]);
  });
});

describe('reading a Responses answer', () => {
  it('takes the message text, model, status, and usage with reasoning and cached tokens', async () => {
    const answer = await ask(await provider({ json: response([reasoningItem, messageItem('42')]) }));
    expect(answer).toMatchObject({
      output: '42',
      model: 'gpt-4.1-mini-2025-04-14',
      finishReason: 'completed',
      usage: {
        inputTokens: 1200,
        outputTokens: 300,
        cachedInputTokens: 1024,
        reasoningTokens: 256,
        raw: USAGE,
      },
    });
    expect(answer.toolCalls).toBeUndefined();
  });

  it('is priced as OpenAI from its usage, cached input cheaper', async () => {
    const target = await provider({ json: response([]) });
    expect(target.pricingProvider).toBe('openai');
    const pricer = await createPricer(target.model, target.pricingProvider, undefined);
    const full = pricer({ inputTokens: 1200, outputTokens: 300 });
    const cached = pricer({ inputTokens: 1200, cachedInputTokens: 1024, outputTokens: 300 });
    expect(full).toBeGreaterThan(0);
    expect(cached!).toBeLessThan(full!);
  });

  it('turns function_call items into toolCalls keyed by call_id, the output when there is no text', async () => {
    const answer = await ask(
      await provider({
        json: response([
          reasoningItem,
          callItem('call_1', 'get_weather', '{"city":"Paris"}'),
          callItem('call_2', 'get_time', '{}'),
        ]),
      }),
    );
    const toolCalls = [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_2', name: 'get_time', arguments: '{}' },
    ];
    expect(answer.toolCalls).toEqual(toolCalls);
    expect(answer.output).toBe(toolCallOutput(toolCalls));
  });

  it('reports an incomplete response by its reason, with the text it has', async () => {
    const incomplete = response([messageItem('The answer is')], {
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    const answer = await ask(await provider({ json: incomplete }));
    expect(answer).toMatchObject({ output: 'The answer is', finishReason: 'max_output_tokens' });
  });

  it('classifies a failed response (HTTP 200) by its error code', async () => {
    const failed = (code: string) =>
      response([], { status: 'failed', error: { code, message: `failed with ${code}` }, usage: null });
    const server = await providerError(ask(await provider({ json: failed('server_error') })));
    expect(server.kind).toBe('transient');
    expect(server.message).toBe(
      `openai:responses:${MODEL}: response failed (server_error): failed with server_error`,
    );
    await capture?.close();
    const prompt = await providerError(ask(await provider({ json: failed('invalid_prompt') })));
    expect(prompt.kind).toBe('permanent');
  });

  it('classifies HTTP errors in OpenAI’s envelope: 400 permanent with the message, 429 quota codes as quota', async () => {
    const envelope = (message: string, type: string, code: string) => ({
      error: { message, type, param: null, code },
    });
    const bad = await providerError(
      ask(
        await provider({
          status: 400,
          json: envelope("Unknown parameter: 'seed'.", 'invalid_request_error', 'unknown_parameter'),
        }),
      ),
    );
    expect(bad).toMatchObject({ kind: 'permanent', status: 400 });
    expect(bad.message).toBe(
      `openai:responses:${MODEL}: HTTP 400 unknown_parameter: Unknown parameter: 'seed'.`,
    );
    await capture?.close();
    const quota = await providerError(
      ask(
        await provider({
          status: 429,
          json: envelope('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota'),
        }),
      ),
    );
    expect(quota.kind).toBe('quota');
  });
});

describe('reading a streamed Responses answer', () => {
  const event = (type: string, data: Record<string, unknown>, sequence: number) =>
    [type, { type, sequence_number: sequence, ...data }] as const;

  it('reads named events: text deltas for ttft, function-call items, the completed response for usage', async () => {
    const text = sse([
      event('response.created', { response: response([], { status: 'in_progress', usage: null }) }, 0),
      event(
        'response.output_item.added',
        { output_index: 0, item: { ...messageItem(''), status: 'in_progress', content: [] } },
        1,
      ),
      event(
        'response.output_text.delta',
        { item_id: 'msg_01', output_index: 0, content_index: 0, delta: 'Check' },
        2,
      ),
      event(
        'response.output_text.delta',
        { item_id: 'msg_01', output_index: 0, content_index: 0, delta: 'ing.' },
        3,
      ),
      event('response.output_item.done', { output_index: 0, item: messageItem('Checking.') }, 4),
      event(
        'response.output_item.added',
        { output_index: 1, item: { ...callItem('call_9', 'get_weather', ''), status: 'in_progress' } },
        5,
      ),
      event(
        'response.function_call_arguments.delta',
        { item_id: 'fc_call_9', output_index: 1, delta: '{"city":' },
        6,
      ),
      event(
        'response.function_call_arguments.delta',
        { item_id: 'fc_call_9', output_index: 1, delta: '"Paris"}' },
        7,
      ),
      event(
        'response.output_item.done',
        { output_index: 1, item: callItem('call_9', 'get_weather', '{"city":"Paris"}') },
        8,
      ),
      event(
        'response.completed',
        {
          response: response([
            messageItem('Checking.'),
            callItem('call_9', 'get_weather', '{"city":"Paris"}'),
          ]),
        },
        9,
      ),
    ]);
    const answer = await ask(await provider({ text, contentType: 'text/event-stream' }, { stream: true }));
    expect(answer).toMatchObject({
      output: 'Checking.',
      toolCalls: [{ id: 'call_9', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      usage: { inputTokens: 1200, outputTokens: 300, reasoningTokens: 256, cachedInputTokens: 1024 },
      finishReason: 'completed',
    });
    expect(answer.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it('uses the streamed items when the final event repeats no output (as some compatible servers do)', async () => {
    const text = sse([
      event('response.output_text.delta', { output_index: 0, content_index: 0, delta: '4' }, 0),
      event('response.output_text.delta', { output_index: 0, content_index: 0, delta: '2' }, 1),
      event('response.output_item.done', { output_index: 1, item: callItem('call_1', 'f', '{}') }, 2),
      event('response.completed', { response: response([]) }, 3),
    ]);
    const answer = await ask(await provider({ text, contentType: 'text/event-stream' }, { stream: true }));
    expect(answer.output).toBe('42');
    expect(answer.toolCalls).toEqual([{ id: 'call_1', name: 'f', arguments: '{}' }]);
  });

  it('classifies response.failed and error events, and a stream without a final event as truncated', async () => {
    const stream = async (events: ReturnType<typeof event>[]) => {
      await capture?.close();
      return providerError(
        ask(await provider({ text: sse(events), contentType: 'text/event-stream' }, { stream: true })),
      );
    };
    const failed = await stream([
      event(
        'response.failed',
        {
          response: response([], {
            status: 'failed',
            error: { code: 'rate_limit_exceeded', message: 'slow down' },
          }),
        },
        0,
      ),
    ]);
    expect(failed.kind).toBe('rate_limit');
    const inBand = await stream([event('error', { code: 'server_error', message: 'boom', param: null }, 0)]);
    expect(inBand.kind).toBe('transient');
    expect(inBand.message).toContain('boom');
    const cut = await stream([event('response.output_text.delta', { delta: 'par' }, 0)]);
    expect(cut.kind).toBe('transient');
    expect(cut.message).toMatch(/truncated/);
  });
});

describe('openai:responses against the mock server', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer({ port: 0, apiKey: KEY });
  });
  afterAll(async () => {
    await mock.close();
  });

  async function target(stream = false, config?: GenerationConfig): Promise<Provider> {
    return createProvider(
      `openai:responses:${MODEL}`,
      {
        options: { base_url: `${mock.url}/v1`, stream },
        ...(config ? { config } : {}),
        env: { OPENAI_API_KEY: KEY },
        baseDir: '.',
        http: testHttp,
      },
      'target "responses"',
    );
  }

  it.each([false, true])(
    'answers, with reasoning tokens counted in the output (stream: %s)',
    async (stream) => {
      const config = { reasoning: { effort: 'low', summary: 'auto' } };
      const answer = await ask(await target(stream, config), config);
      expect(answer.output).toBe('42');
      expect(answer.usage.reasoningTokens).toBeGreaterThan(0);
      expect(answer.usage.outputTokens).toBeGreaterThan(answer.usage.reasoningTokens!);
      expect(answer.finishReason).toBe('completed');
    },
  );

  it.each([false, true])('calls the tool a tool_choice forces (stream: %s)', async (stream) => {
    const config = { tools: [WEATHER_TOOL], tool_choice: 'required' };
    const answer = await ask(await target(stream, config), config);
    expect(answer.toolCalls).toEqual([
      { id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city":"mock"}' },
    ]);
  });

  it('classifies a garbled event after the 200 as transient', async () => {
    const provider = await createProvider(
      `openai:responses:${MODEL}`,
      {
        options: { base_url: mock.url, stream: true, headers: { 'x-mock-malformed': '1' } },
        env: { OPENAI_API_KEY: KEY },
        baseDir: '.',
        http: testHttp,
      },
      'here',
    );
    const error = await providerError(ask(provider));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('malformed stream event');
  });

  it('gets the API’s own 400 for a max_output_tokens below its minimum of 16', async () => {
    const error = await providerError(ask(await target(false), { max_tokens: 5 }));
    expect(error).toMatchObject({ kind: 'permanent', status: 400 });
    expect(error.message).toContain("Invalid 'max_output_tokens'");
  });

  it('is a ProviderError, never a crash, for a key the mock refuses', async () => {
    const other = await createProvider(
      `openai:responses:${MODEL}`,
      {
        options: { base_url: mock.url },
        env: { OPENAI_API_KEY: 'sk-wrong-key-000000' },
        baseDir: '.',
        http: testHttp,
      },
      'here',
    );
    const error = await ask(other).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(401);
  });
});
