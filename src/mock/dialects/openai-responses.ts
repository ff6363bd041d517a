/**
 * The OpenAI Responses dialect: `POST /v1/responses` (also without `/v1`, as compatible servers serve it)
 * with a bearer key, OpenAI's error envelope and `x-ratelimit-*` headers, a JSON `response` object or
 * named SSE events. Unknown parameters are refused as OpenAI refuses them.
 */
import type { Dialect, MockReply, MockRequest, MockRoute } from '../dialect.js';
import { streamFault } from '../stream-faults.js';
import { openAiDialect } from './openai.js';
import { envelope } from './openai-errors.js';
import { responsesReply } from './openai-responses-reply.js';
import { parseResponsesRequest } from './openai-responses-request.js';

function responses(request: MockRequest): MockReply {
  const parsed = parseResponsesRequest(request.body);
  if (!parsed.ok) {
    return { status: 400, headers: { 'content-type': 'application/json' }, body: envelope(parsed.error) };
  }
  return responsesReply(request, parsed.request, streamFault(request.headers));
}

const routes: MockRoute[] = ['/v1', ''].map((prefix) => ({
  method: 'POST',
  path: `${prefix}/responses`,
  handle: responses,
}));

/** Same keys, errors and rate-limit headers as Chat Completions: only the routes and bodies differ. */
export const openAiResponsesDialect: Dialect = {
  name: 'openai-responses',
  routes,
  authorized: openAiDialect.authorized,
  error: openAiDialect.error,
  ...(openAiDialect.rateLimitHeaders ? { rateLimitHeaders: openAiDialect.rateLimitHeaders } : {}),
};
