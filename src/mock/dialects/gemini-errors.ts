/**
 * Gemini's `google.rpc.Status` error envelope and the bodies it sends for each failure. Google sends no
 * retry-after header: the wait is in a `RetryInfo` detail, and a `QuotaFailure` detail names the quota.
 */
import type { MockFailure, MockRequest } from '../dialect.js';

export interface GoogleStatus {
  code: number;
  message: string;
  status: string;
  details?: unknown[];
}

const TYPE = 'type.googleapis.com/google.rpc.';
const RATE_LIMITS_URL = 'https://ai.google.dev/gemini-api/docs/rate-limits';
/** What the mock suggests waiting when a daily quota is spent. */
const DAILY_RETRY_SECONDS = 3600;

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const MESSAGES: Readonly<Record<number, string>> = {
  400: 'Request contains an invalid argument.',
  403: 'The caller does not have permission',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
  504: 'Deadline expired before operation could complete.',
};

/** Serialises `{"error":{…}}`, indented as Google's front end sends it. */
export function statusEnvelope(error: GoogleStatus): string {
  return JSON.stringify({ error }, null, 2);
}

/** A 400 INVALID_ARGUMENT for a request body the API rejects; `field` adds a BadRequest violation. */
export function invalidArgument(message: string, field?: string): GoogleStatus {
  const violation = { field, description: message };
  return {
    code: 400,
    message,
    status: 'INVALID_ARGUMENT',
    ...(field !== undefined
      ? { details: [{ '@type': `${TYPE}BadRequest`, fieldViolations: [violation] }] }
      : {}),
  };
}

/** Gemini's answer to `failure`. A rejected key is never a 401 there: see `badKey`. */
export function failureStatus(failure: MockFailure, request: MockRequest, model: string): GoogleStatus {
  if (failure.kind === 'quota') return exhausted(model, 'PerDay', DAILY_RETRY_SECONDS);
  if (failure.kind === 'unknown-route')
    return status(404, `Method not found: ${request.method} ${request.path}`);
  const code = failure.status;
  if (code === 429) return exhausted(model, 'PerMinute', failure.retryAfterSeconds);
  if (code === 401) return badKey(request);
  if (code === 404) {
    return status(
      404,
      `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    );
  }
  return status(code, MESSAGES[code] ?? `Request failed with status ${code} (injected by the mock server).`);
}

function status(code: number, message: string): GoogleStatus {
  return { code, message, status: STATUS_NAMES[code] ?? (code >= 500 ? 'UNKNOWN' : 'FAILED_PRECONDITION') };
}

/** A wrong key is a 400 with `ErrorInfo.reason: API_KEY_INVALID`; no key at all is a 403. */
function badKey(request: MockRequest): GoogleStatus {
  const hasKey =
    request.headers['x-goog-api-key'] !== undefined || new URLSearchParams(request.query).has('key');
  if (!hasKey) {
    return status(
      403,
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  const message = 'API key not valid. Please pass a valid API key.';
  return {
    code: 400,
    message,
    status: 'INVALID_ARGUMENT',
    details: [
      {
        '@type': `${TYPE}ErrorInfo`,
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      { '@type': `${TYPE}LocalizedMessage`, locale: 'en-US', message },
    ],
  };
}

function exhausted(model: string, period: 'PerMinute' | 'PerDay', retrySeconds: number): GoogleStatus {
  const delay = protoDuration(retrySeconds);
  const metric = `generativelanguage.googleapis.com/generate_content_free_tier_requests`;
  return {
    code: 429,
    message: `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: ${RATE_LIMITS_URL}.\n* Quota exceeded for metric: ${metric}, limit: ${period === 'PerDay' ? 250 : 10}, model: ${model}\nPlease retry in ${delay}.`,
    status: 'RESOURCE_EXHAUSTED',
    details: [
      {
        '@type': `${TYPE}Help`,
        links: [{ description: 'Learn more about Gemini API quotas', url: RATE_LIMITS_URL }],
      },
      {
        '@type': `${TYPE}QuotaFailure`,
        violations: [
          {
            quotaMetric: metric,
            quotaId: `GenerateRequests${period}PerProjectPerModel-FreeTier`,
            quotaDimensions: { location: 'global', model },
            quotaValue: period === 'PerDay' ? '250' : '10',
          },
        ],
      },
      { '@type': `${TYPE}RetryInfo`, retryDelay: delay },
    ],
  };
}

/** A protobuf JSON Duration: `37s`, or milliseconds as `1.500s`. */
function protoDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${seconds.toFixed(3)}s`;
}
