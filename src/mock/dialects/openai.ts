/**
 * The OpenAI Chat Completions dialect (plus `/embeddings`), also spoken by OpenRouter (`/api/v1`),
 * Ollama's `/v1`, vLLM and llama.cpp. Every path is served with and without the `/v1` prefix, as OpenAI-compatible servers are.
 */
import type { Dialect, MockFailure, MockReply, MockRequest, MockRoute } from '../dialect.js';
import { goDuration, type RateSnapshot } from '../rate-meter.js';
import { chatReply } from './openai-chat.js';
import { embeddingsReply } from './openai-embeddings.js';
import { envelope, failureError } from './openai-errors.js';
import { parseChatRequest } from './openai-request.js';

/** Models listed by `GET /v1/models`; any model name is accepted for chat. */
export const OPENAI_MODELS = ['mock-model', 'gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'] as const;

const MODELS_CREATED = 1_700_000_000;
const JSON_TYPE = 'application/json';

function chatCompletions(request: MockRequest): MockReply {
  const parsed = parseChatRequest(request.body);
  if (!parsed.ok)
    return { status: 400, headers: { 'content-type': JSON_TYPE }, body: envelope(parsed.error) };
  return chatReply(request, parsed.request);
}

// The list never changes, so it is serialised once.
const MODELS_BODY = JSON.stringify({
  object: 'list',
  data: OPENAI_MODELS.map((id) => ({ id, object: 'model', created: MODELS_CREATED, owned_by: 'assay-mock' })),
});

function models(): MockReply {
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: MODELS_BODY };
}

const routes: MockRoute[] = ['/v1', '', '/api/v1'].flatMap((prefix): MockRoute[] => [
  { method: 'POST', path: `${prefix}/chat/completions`, handle: chatCompletions },
  { method: 'POST', path: `${prefix}/embeddings`, handle: embeddingsReply },
  { method: 'GET', path: `${prefix}/models`, handle: models },
]);

export const openAiDialect: Dialect = {
  name: 'openai',
  routes,

  // OpenRouter's paths, before Ollama claims everything under `/api/`.
  claims: (path) => path.startsWith('/api/v1/'),

  authorized(request, apiKey) {
    return request.headers.authorization === `Bearer ${apiKey}`;
  },

  error(failure: MockFailure, request: MockRequest): MockReply {
    const { status, error } = failureError(failure, request);
    const headers: Record<string, string> = { 'content-type': JSON_TYPE };
    if (failure.kind === 'status' && status === 429) {
      headers['retry-after'] = String(Math.ceil(failure.retryAfterSeconds));
      headers['retry-after-ms'] = String(Math.round(failure.retryAfterSeconds * 1000));
    }
    return { status, headers, body: envelope(error) };
  },

  rateLimitHeaders(snapshot: RateSnapshot): Record<string, string> {
    return {
      'x-ratelimit-limit-requests': String(snapshot.limitRequests),
      'x-ratelimit-limit-tokens': String(snapshot.limitTokens),
      'x-ratelimit-remaining-requests': String(snapshot.remainingRequests),
      'x-ratelimit-remaining-tokens': String(snapshot.remainingTokens),
      'x-ratelimit-reset-requests': goDuration(snapshot.resetRequestsMs),
      'x-ratelimit-reset-tokens': goDuration(snapshot.resetTokensMs),
    };
  },
};
