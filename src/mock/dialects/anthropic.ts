/**
 * The Anthropic Messages dialect: `POST /v1/messages` (and `/v1/messages/count_tokens`) with a key in
 * `x-api-key` or `authorization: Bearer` (the official SDK sends its API key as a bearer token since
 * 1.0), a required `anthropic-version` header and required `max_tokens`, JSON or SSE answers, and
 * `anthropic-ratelimit-*` headers.
 */
import { estimateTokens } from '../answer.js';
import type { Dialect, MockReply, MockRequest } from '../dialect.js';
import type { RateSnapshot } from '../rate-meter.js';
import { streamFault } from '../stream-faults.js';
import { errorReply, failureReply } from './anthropic-errors.js';
import { messagesReply } from './anthropic-reply.js';
import { type MessagesRequest, parseMessagesRequest } from './anthropic-request.js';

function messages(request: MockRequest): MockReply {
  const parsed = parse(request);
  if (!parsed.ok) return parsed.reply;
  return messagesReply(request, parsed.request, streamFault(request.headers));
}

/** The prompt's tokens as `/v1/messages` would count them; `max_tokens` is not needed here. */
function countTokens(request: MockRequest): MockReply {
  const body =
    isObject(request.body) && request.body.max_tokens === undefined
      ? { ...request.body, max_tokens: 1 }
      : request.body;
  const parsed = parse({ ...request, body });
  if (!parsed.ok) return parsed.reply;
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'request-id': request.requestId },
    body: JSON.stringify({ input_tokens: estimateTokens(parsed.request.promptChars) }),
  };
}

function parse(
  request: MockRequest,
): { ok: true; request: MessagesRequest } | { ok: false; reply: MockReply } {
  if (!header(request, 'anthropic-version')) {
    const error = { type: 'invalid_request_error', message: 'anthropic-version: header is required' };
    return { ok: false, reply: errorReply(400, error, request) };
  }
  const parsed = parseMessagesRequest(request.body, request.invalidJson);
  if (parsed.ok) return parsed;
  return {
    ok: false,
    reply: errorReply(400, { type: 'invalid_request_error', message: parsed.message }, request),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(request: MockRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An RFC 3339 instant `ms` from now, to the second, as Anthropic's `*-reset` headers are. */
function resetAt(ms: number, now = Date.now()): string {
  return new Date(Math.ceil((now + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const anthropicDialect: Dialect = {
  name: 'anthropic',
  routes: [
    { method: 'POST', path: '/v1/messages', handle: messages },
    { method: 'POST', path: '/v1/messages/count_tokens', handle: countTokens },
  ],

  claims: (path) => path.startsWith('/v1/messages/') || path === '/v1/messages' || path === '/v1/complete',

  authorized(request, apiKey) {
    return header(request, 'x-api-key') === apiKey || header(request, 'authorization') === `Bearer ${apiKey}`;
  },

  error: failureReply,

  rateLimitHeaders(snapshot: RateSnapshot): Record<string, string> {
    return {
      'anthropic-ratelimit-requests-limit': String(snapshot.limitRequests),
      'anthropic-ratelimit-requests-remaining': String(snapshot.remainingRequests),
      'anthropic-ratelimit-requests-reset': resetAt(snapshot.resetRequestsMs),
      'anthropic-ratelimit-tokens-limit': String(snapshot.limitTokens),
      'anthropic-ratelimit-tokens-remaining': String(snapshot.remainingTokens),
      'anthropic-ratelimit-tokens-reset': resetAt(snapshot.resetTokensMs),
    };
  },
};
