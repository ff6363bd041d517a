/** OpenAI's error envelope and the bodies it sends for each failure, as observed in real traffic. */
import type { MockFailure, MockRequest } from '../dialect.js';

export interface OpenAiError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

interface StatusError {
  message: string;
  type: string;
  code: string | null;
}

const STATUS_ERRORS: Readonly<Record<number, StatusError>> = {
  400: { message: 'Bad request (injected by the mock server).', type: 'invalid_request_error', code: null },
  401: {
    message:
      'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  },
  403: { message: 'You do not have access to this resource.', type: 'invalid_request_error', code: null },
  408: { message: 'Request timed out.', type: 'server_error', code: null },
  409: { message: 'The request conflicts with another request.', type: 'invalid_request_error', code: null },
  413: { message: 'Request entity too large.', type: 'invalid_request_error', code: null },
  422: { message: 'Unprocessable entity.', type: 'invalid_request_error', code: null },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  502: { message: 'Bad gateway.', type: 'server_error', code: null },
  503: { message: 'The server is overloaded or not ready yet.', type: 'server_error', code: null },
  504: { message: 'Gateway timeout.', type: 'server_error', code: null },
};

const QUOTA: OpenAiError = {
  message:
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
  type: 'insufficient_quota',
  param: null,
  code: 'insufficient_quota',
};

/** Serialises `{"error":{…}}`. */
export function envelope(error: OpenAiError): string {
  return JSON.stringify({ error });
}

/** The status and error object OpenAI answers for `failure`. */
export function failureError(
  failure: MockFailure,
  request: MockRequest,
): { status: number; error: OpenAiError } {
  if (failure.kind === 'quota') return { status: 429, error: QUOTA };
  if (failure.kind === 'unknown-route') {
    const message = `Invalid URL (${request.method} ${request.path})`;
    return { status: 404, error: { message, type: 'invalid_request_error', param: null, code: null } };
  }
  const { status } = failure;
  if (status === 429) return { status, error: rateLimited(modelOf(request), failure.retryAfterSeconds) };
  if (status === 404) {
    const message = `The model \`${modelOf(request)}\` does not exist or you do not have access to it.`;
    return {
      status,
      error: { message, type: 'invalid_request_error', param: null, code: 'model_not_found' },
    };
  }
  const known = STATUS_ERRORS[status];
  if (known) return { status, error: { ...known, param: null } };
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  const message = `Request failed with status ${status} (injected by the mock server).`;
  return { status, error: { message, type, param: null, code: null } };
}

function rateLimited(model: string, retryAfterSeconds: number): OpenAiError {
  return {
    message: `Rate limit reached for ${model} in organization org-mock on requests per min (RPM). Please try again in ${retryAfterSeconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    type: 'requests',
    param: null,
    code: 'rate_limit_exceeded',
  };
}

function modelOf(request: MockRequest): string {
  const body = request.body;
  if (typeof body === 'object' && body !== null && 'model' in body && typeof body.model === 'string') {
    return body.model;
  }
  return 'mock-model';
}
