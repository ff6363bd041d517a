/** Chat Completions bodies: the JSON completion and the SSE chunk stream, in OpenAI's exact shapes. */
import { answer, estimateTokens, splitTokens, truncateToTokens } from '../answer.js';
import type { MockReply, MockRequest } from '../dialect.js';
import type { ChatRequest } from './openai-request.js';

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
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

/** Answers a validated chat request, as one JSON body or as SSE events. */
export function chatReply(request: MockRequest, chat: ChatRequest): MockReply {
  const full = answer(chat.lastUserText, { json: chat.json });
  const { text, truncated } =
    chat.maxTokens === undefined ? { text: full, truncated: false } : truncateToTokens(full, chat.maxTokens);
  const completion: Completion = {
    id: `chatcmpl-mock${request.sequence}`,
    created: Math.floor(Date.now() / 1000),
    model: chat.model,
    content: text,
    finishReason: truncated ? 'length' : 'stop',
    promptTokens: estimateTokens(chat.promptChars),
    completionTokens: estimateTokens(text.length),
  };
  const tokens = completion.promptTokens + completion.completionTokens;
  if (chat.stream) {
    return {
      status: 200,
      headers: { ...STREAM_HEADERS },
      body: streamEvents(completion, chat.includeUsage),
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
        message: { role: 'assistant', content: completion.content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: completion.finishReason,
      },
    ],
    usage: usage(completion),
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

function streamEvents(completion: Completion, includeUsage: boolean): string[] {
  // Chunks carry `"usage": null` only when usage was requested, as OpenAI does.
  const chunk = (choices: unknown[], usageValue: unknown = null): string => {
    const body: Record<string, unknown> = {
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
  const events = [chunk(choice({ role: 'assistant', content: '', refusal: null }))];
  for (const piece of splitTokens(completion.content)) events.push(chunk(choice({ content: piece })));
  events.push(chunk(choice({}, completion.finishReason)));
  if (includeUsage) events.push(chunk([], usage(completion)));
  events.push('data: [DONE]\n\n');
  return events;
}

function usage(completion: Completion): unknown {
  return {
    prompt_tokens: completion.promptTokens,
    completion_tokens: completion.completionTokens,
    total_tokens: completion.promptTokens + completion.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
