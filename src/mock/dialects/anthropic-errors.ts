/** Anthropic's error envelope and the reply for each failure, as documented and seen in real traffic. */
import type { MockFailure, MockReply, MockRequest } from '../dialect.js';

interface AnthropicError {
  type: string;
  message: string;
  details?: { error_code: string };
}

const STATUS_ERRORS: Readonly<Record<number, AnthropicError>> = {
  400: { type: 'invalid_request_error', message: 'Bad request (injected by the mock server).' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: {
    type: 'permission_error',
    message: 'Your API key does not have permission to use the specified resource.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timed out' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

// A spend cap is a 429 that looks like a rate limit; only `details.error_code` tells them apart.
const SPEND_LIMIT: AnthropicError = {
  type: 'rate_limit_error',
  message:
    'You have reached your specified API usage limits. You will regain access on the first day of next month at 00:00 UTC.',
  details: { error_code: 'enforced_spend_limit_reached' },
};

// Anthropic's edge answers 413 before the API does, with an HTML page rather than the JSON envelope.
const TOO_LARGE_PAGE =
  '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n';

/** Serialises `{"type":"error","error":{…},"request_id":…}`. */
export function envelope(error: AnthropicError, requestId: string): string {
  return JSON.stringify({ type: 'error', error, request_id: requestId });
}

/** A JSON error reply with Anthropic's `request-id` header. */
export function errorReply(status: number, error: AnthropicError, request: MockRequest): MockReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'request-id': request.requestId },
    body: envelope(error, request.requestId),
  };
}

/** The reply Anthropic sends for `failure`: `retry-after` (whole seconds) on rate limits, none on spend caps. */
export function failureReply(failure: MockFailure, request: MockRequest): MockReply {
  if (failure.kind === 'quota') return errorReply(429, SPEND_LIMIT, request);
  if (failure.kind === 'unknown-route') {
    return errorReply(404, { type: 'not_found_error', message: 'Not Found' }, request);
  }
  const { status } = failure;
  // A bearer token (the SDK's way since 1.0) is rejected in other words than an `x-api-key`.
  if (
    status === 401 &&
    request.headers['x-api-key'] === undefined &&
    request.headers.authorization !== undefined
  ) {
    return errorReply(status, { type: 'authentication_error', message: 'Invalid bearer token' }, request);
  }
  if (status === 413) {
    return {
      status,
      headers: { 'content-type': 'text/html', 'request-id': request.requestId },
      body: TOO_LARGE_PAGE,
    };
  }
  if (status === 429) {
    const reply = errorReply(status, { type: 'rate_limit_error', message: rateLimitMessage() }, request);
    reply.headers['retry-after'] = String(Math.ceil(failure.retryAfterSeconds));
    return reply;
  }
  if (status === 404) {
    return errorReply(status, { type: 'not_found_error', message: `model: ${modelOf(request)}` }, request);
  }
  const known = STATUS_ERRORS[status];
  if (known) return errorReply(status, known, request);
  const type = status >= 500 ? 'api_error' : 'invalid_request_error';
  return errorReply(
    status,
    { type, message: `Request failed with status ${status} (injected by the mock server).` },
    request,
  );
}

function rateLimitMessage(): string {
  return 'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.';
}

function modelOf(request: MockRequest): string {
  const body = request.body;
  if (typeof body === 'object' && body !== null && 'model' in body && typeof body.model === 'string') {
    return body.model;
  }
  return 'claude-mock';
}
