/**
 * The Anthropic Messages dialect: `POST /v1/messages` with `x-api-key`, a required `anthropic-version`
 * header and required `max_tokens`, JSON or SSE answers, and `anthropic-ratelimit-*` headers.
 */
import type { Dialect, MockReply, MockRequest } from '../dialect.js';
import type { RateSnapshot } from '../rate-meter.js';
import { streamFault } from '../stream-faults.js';
import { errorReply, failureReply } from './anthropic-errors.js';
import { messagesReply } from './anthropic-reply.js';
import { parseMessagesRequest } from './anthropic-request.js';

function messages(request: MockRequest): MockReply {
  if (!header(request, 'anthropic-version')) {
    return errorReply(
      400,
      { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
      request,
    );
  }
  const parsed = parseMessagesRequest(request.body, request.invalidJson);
  if (!parsed.ok) return errorReply(400, { type: 'invalid_request_error', message: parsed.message }, request);
  return messagesReply(request, parsed.request, streamFault(request.headers));
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
  routes: [{ method: 'POST', path: '/v1/messages', handle: messages }],

  authorized(request, apiKey) {
    return header(request, 'x-api-key') === apiKey;
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
