/**
 * Chat Completions bodies: the JSON completion and the SSE chunk stream, in OpenAI's exact shapes. Under
 * `/api/v1/` they are OpenRouter's: `usage.cost` when `usage.include` is set, keep-alive comments, and
 * in-band errors with `finish_reason: "error"`.
 */
import { answer, estimateTokens, splitTokens, truncateToTokens } from '../answer.js';
import type { MockReply, MockRequest } from '../dialect.js';
import { requestedReply, type StreamFault, streamFault } from '../stream-faults.js';
import { chooseToolCalls } from '../tools.js';
import type { ChatRequest } from './openai-request.js';

/** The mock's OpenRouter price in USD per million tokens, which `usage.cost` reports. */
export const OPENROUTER_PRICE_PER_MTOK = { input: 1, output: 2 } as const;
const OPENROUTER_PREFIX = '/api/v1/';
const OPENROUTER_KEEP_ALIVE = ': OPENROUTER PROCESSING\n\n';

const SYSTEM_FINGERPRINT = 'fp_mock0001';
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
} as const;

interface Completion {
  id: string;
  created: number;
  model: string;
  content: string;
  /** When not empty, the answer is these calls (`content: null`, `finish_reason: "tool_calls"`). */
  toolCalls: ToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  promptTokens: number;
  completionTokens: number;
  openRouter: boolean;
  /** OpenRouter usage accounting (`usage: {include: true}`): add `cost` and `cost_details`. */
  reportCost: boolean;
}

interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** Answers a validated chat request, as one JSON body or as SSE events. */
export function chatReply(request: MockRequest, chat: ChatRequest): MockReply {
  const calls = chooseToolCalls(chat.tools, { text: chat.lastUserText, toolResult: chat.toolResult });
  const toolCalls = calls.map(
    (call, index): ToolCall => ({
      id: `call_mock${request.sequence}x${index}`,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }),
  );
  const full =
    toolCalls.length > 0
      ? ''
      : answer(chat.lastUserText, { json: chat.json, reply: requestedReply(request.headers) });
  const { text, truncated } =
    chat.maxTokens === undefined ? { text: full, truncated: false } : truncateToTokens(full, chat.maxTokens);
  const generated = text.length + toolCalls.reduce((sum, call) => sum + call.function.arguments.length, 0);
  const completion: Completion = {
    id: `chatcmpl-mock${request.sequence}`,
    created: Math.floor(Date.now() / 1000),
    model: chat.model,
    content: text,
    toolCalls,
    finishReason: toolCalls.length > 0 ? 'tool_calls' : truncated ? 'length' : 'stop',
    promptTokens: estimateTokens(chat.promptChars),
    completionTokens: estimateTokens(generated),
    openRouter: request.path.startsWith(OPENROUTER_PREFIX),
    reportCost: request.path.startsWith(OPENROUTER_PREFIX) && usageIncluded(request.body),
  };
  const tokens = completion.promptTokens + completion.completionTokens;
  if (chat.stream) {
    return {
      status: 200,
      headers: { ...STREAM_HEADERS },
      body: streamEvents(
        completion,
        chat.includeUsage || completion.reportCost,
        streamFault(request.headers),
      ),
      tokens,
    };
  }
  return {
    status: 200,
    headers: { ...JSON_HEADERS },
    body: JSON.stringify(completionBody(completion)),
    tokens,
  };
}

function completionBody(completion: Completion): unknown {
  return {
    id: completion.id,
    object: 'chat.completion',
    created: completion.created,
    model: completion.model,
    choices: [
      {
        index: 0,
        message:
          completion.toolCalls.length > 0
            ? {
                role: 'assistant',
                content: null,
                tool_calls: completion.toolCalls,
                refusal: null,
                annotations: [],
              }
            : { role: 'assistant', content: completion.content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: completion.finishReason,
      },
    ],
    usage: usage(completion),
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

function streamEvents(
  completion: Completion,
  includeUsage: boolean,
  fault: StreamFault | undefined,
): string[] {
  // Chunks carry `"usage": null` only when usage was requested, as OpenAI does.
  const chunk = (choices: unknown[], usageValue: unknown = null, extra: object = {}): string => {
    const body: Record<string, unknown> = {
      ...extra,
      id: completion.id,
      object: 'chat.completion.chunk',
      created: completion.created,
      model: completion.model,
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices,
    };
    if (includeUsage) body.usage = usageValue;
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  const choice = (delta: unknown, finishReason: string | null = null) => [
    { index: 0, delta, logprobs: null, finish_reason: finishReason },
  ];
  // OpenRouter keeps the connection alive with SSE comments while the upstream model starts.
  const events = completion.openRouter ? [OPENROUTER_KEEP_ALIVE, OPENROUTER_KEEP_ALIVE] : [];
  const calling = completion.toolCalls.length > 0;
  events.push(chunk(choice({ role: 'assistant', content: calling ? null : '', refusal: null })));
  const deltas = calling
    ? toolCallDeltas(completion.toolCalls)
    : splitTokens(completion.content).map((piece) => ({ content: piece }));
  if (fault === 'error') {
    // The connection stays 200; the error arrives as data after the first delta and ends the stream.
    events.push(...deltas.slice(0, 1).map((delta) => chunk(choice(delta))));
    events.push(
      completion.openRouter
        ? chunk(choice({ content: '' }, 'error'), null, { error: OPENROUTER_STREAM_ERROR })
        : OPENAI_STREAM_ERROR,
    );
    return events;
  }
  const firstContent = events.length;
  for (const delta of deltas) events.push(chunk(choice(delta)));
  // One garbled line after the first delta (or the role chunk of an empty answer); the rest comes whole.
  if (fault === 'malformed') events.splice(Math.min(firstContent + 1, events.length), 0, MALFORMED_EVENT);
  if (fault === 'truncate') return events;
  events.push(chunk(choice({}, completion.finishReason)));
  if (includeUsage) events.push(chunk([], usage(completion)));
  events.push('data: [DONE]\n\n');
  return events;
}

/** Each call opens with its id and name and empty arguments; the arguments follow in token-sized pieces. */
function toolCallDeltas(calls: readonly ToolCall[]): unknown[] {
  return calls.flatMap((call, index) => [
    {
      tool_calls: [
        { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
      ],
    },
    ...splitTokens(call.function.arguments).map((piece) => ({
      tool_calls: [{ index, function: { arguments: piece } }],
    })),
  ]);
}

// A chunk cut short, as a proxy that mangles one line would deliver it.
const MALFORMED_EVENT = 'data: {"choices": [\n\n';

// As openai-node's fixture `stream_error` shows it: an `error` object in place of a chunk.
const OPENAI_STREAM_ERROR = `data: ${JSON.stringify({
  error: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    param: null,
    code: null,
  },
})}\n\n`;

// OpenRouter's mid-stream error rides on a chunk whose choice ends with `finish_reason: "error"`.
const OPENROUTER_STREAM_ERROR = {
  code: 502,
  message: 'Provider returned error (injected by the mock server)',
  metadata: { provider_name: 'Mock' },
};

function usageIncluded(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('usage' in body)) return false;
  const { usage } = body;
  return typeof usage === 'object' && usage !== null && 'include' in usage && usage.include === true;
}

function usage(completion: Completion): unknown {
  const { promptTokens, completionTokens } = completion;
  const promptCost = (promptTokens * OPENROUTER_PRICE_PER_MTOK.input) / 1_000_000;
  const completionCost = (completionTokens * OPENROUTER_PRICE_PER_MTOK.output) / 1_000_000;
  const cost = completion.reportCost
    ? {
        cost: promptCost + completionCost,
        is_byok: false,
        cost_details: {
          upstream_inference_cost: null,
          upstream_inference_prompt_cost: promptCost,
          upstream_inference_completions_cost: completionCost,
        },
      }
    : {};
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    ...cost,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
