/**
 * A made-up "custom" JSON API for the `http:<name>` provider: `POST /custom/generate` takes
 * `{"input": "…", "max_new_tokens"?: n}` and answers `{"result": {"text": …}, "usage": {"in": n, "out": m}}`.
 * Errors are `{"error": "…"}`; auth is `authorization: Bearer <key>`; a 429 carries `retry-after`; a spent
 * quota is a 402.
 */
import { answer, estimateTokens, truncateToTokens } from '../answer.js';
import type { Dialect, MockFailure, MockReply, MockRequest, MockRoute } from '../dialect.js';
import { requestedReply } from '../stream-faults.js';

export const CUSTOM_GENERATE_PATH = '/custom/generate';

const JSON_TYPE = 'application/json; charset=utf-8';

function generate(request: MockRequest): MockReply {
  const body = isObject(request.body) ? request.body : {};
  if (typeof body.input !== 'string') return json(400, { error: 'input must be a string' });
  const limit = body.max_new_tokens;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    return json(400, { error: 'max_new_tokens must be a positive integer' });
  }
  const full = answer(body.input, { reply: requestedReply(request.headers) });
  const text = limit === undefined ? full : truncateToTokens(full, limit).text;
  const usage = { in: estimateTokens(body.input.length), out: estimateTokens(text.length) };
  return { ...json(200, { result: { text }, usage }), tokens: usage.in + usage.out };
}

const routes: MockRoute[] = [{ method: 'POST', path: CUSTOM_GENERATE_PATH, handle: generate }];

const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  429: 'too many requests',
  500: 'internal error',
  503: 'service unavailable',
};

export const customDialect: Dialect = {
  name: 'custom',
  routes,

  claims: (path) => path.startsWith('/custom/'),

  authorized: (request, apiKey) => request.headers.authorization === `Bearer ${apiKey}`,

  error(failure: MockFailure, request: MockRequest): MockReply {
    if (failure.kind === 'unknown-route')
      return json(404, { error: `no route ${request.method} ${request.path}` });
    // Like many in-house APIs, spent credits are a 402, so a target can map it: `status: { "402": quota }`.
    if (failure.kind === 'quota')
      return json(402, { error: 'monthly quota exhausted (injected by the mock server)' });
    const { status, retryAfterSeconds } = failure;
    if (status === 401) return json(401, { error: 'invalid or missing bearer token' });
    const message = STATUS_MESSAGES[status] ?? `request failed with status ${status}`;
    const reply = json(status, { error: `${message} (injected by the mock server)` });
    if (status === 429) reply.headers['retry-after'] = String(Math.ceil(retryAfterSeconds));
    return reply;
  },
};

function json(status: number, body: unknown): MockReply {
  return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
