/** Anthropic Messages: usage normalisation and error classification, shared by the JSON and SSE paths. */
import * as z from 'zod';
import { ProviderError } from '../errors.js';
import type { Usage } from '../types.js';
import { classifyStatus, redact, retryAfterMs } from './http.js';
import { anthropicRateLimit } from './rate-limit-headers.js';

// Loose: `Usage.raw` keeps the object as received (cache_creation split, service_tier…).
export const usageSchema = z.looseObject({
  input_tokens: z.number().nullable().optional(),
  output_tokens: z.number().nullable().optional(),
  cache_creation_input_tokens: z.number().nullable().optional(),
  cache_read_input_tokens: z.number().nullable().optional(),
});

export type AnthropicUsage = z.infer<typeof usageSchema>;

const errorSchema = z.object({
  error: z.object({
    type: z.string().optional(),
    message: z.string().optional(),
    details: z.looseObject({ error_code: z.string().nullable().optional() }).nullable().optional(),
  }),
});

type ErrorDetail = z.infer<typeof errorSchema>['error'];

const SPEND_LIMIT_CODES = new Set(['enforced_spend_limit_reached']);
// Spend caps arrive as 429 rate_limit_error (with details.error_code) or as 400 invalid_request_error
// ("You have reached your specified API usage limits…", "Your credit balance is too low…").
const SPEND_LIMIT_MESSAGE = /\b(?:spend(?:ing)? limit|usage limits?|credit balance)\b/i;

/**
 * Anthropic's `input_tokens` excludes cache reads and writes; the normalised input total includes both,
 * which is also what the price registry expects.
 */
export function parseUsage(raw: AnthropicUsage | undefined): Usage {
  if (!raw) return {};
  const input = count(raw.input_tokens);
  const output = count(raw.output_tokens);
  const cacheWrite = count(raw.cache_creation_input_tokens);
  const cacheRead = count(raw.cache_read_input_tokens);
  return {
    ...(input !== undefined ? { inputTokens: input + (cacheWrite ?? 0) + (cacheRead ?? 0) } : {}),
    ...(output !== undefined ? { outputTokens: output } : {}),
    ...(cacheRead !== undefined ? { cachedInputTokens: cacheRead } : {}),
    ...(cacheWrite !== undefined ? { cacheWriteInputTokens: cacheWrite } : {}),
    raw,
  };
}

function count(value: number | null | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function isSpendLimit(status: number | undefined, detail: ErrorDetail | undefined): boolean {
  if (!detail) return false;
  if (detail.type === 'billing_error') return true;
  if (SPEND_LIMIT_CODES.has(detail.details?.error_code ?? '')) return true;
  return (
    (status === undefined || status === 400 || status === 429) &&
    SPEND_LIMIT_MESSAGE.test(detail.message ?? '')
  );
}

/** Classifies a non-2xx answer: the status decides, except that a spend cap or billing error is `quota`. */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
  label: string,
  secret: string,
): ProviderError {
  const parsed = errorSchema.safeParse(body);
  const detail = parsed.success ? parsed.data.error : undefined;
  const kind = isSpendLimit(status, detail) ? 'quota' : classifyStatus(status);
  // A 413 comes from the edge proxy before the API, so its body may be an HTML page.
  const text =
    detail?.message ??
    (typeof body === 'string' && body ? body.replace(/\s+/g, ' ').trim().slice(0, 200) : 'no error message');
  const retryAfter = retryAfterMs(headers);
  const rateLimit = kind === 'rate_limit' ? anthropicRateLimit(headers) : undefined;
  const type = detail?.type ? ` ${detail.type}` : '';
  return new ProviderError(kind, redact(`${label}: HTTP ${status}${type}: ${text}`, [secret]), {
    status,
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    ...(rateLimit ? { rateLimit } : {}),
  });
}

/** An `event: error` after the 200 (usually overloaded_error): retryable unless it is a spend cap. */
export function errorFromStreamEvent(data: unknown, label: string, secret: string): ProviderError {
  const parsed = errorSchema.safeParse(data);
  const detail = parsed.success ? parsed.data.error : undefined;
  const kind = isSpendLimit(undefined, detail)
    ? 'quota'
    : detail?.type === 'rate_limit_error'
      ? 'rate_limit'
      : 'transient';
  const text = `${detail?.type ?? 'unknown_error'}: ${detail?.message ?? 'no error message'}`;
  return new ProviderError(kind, redact(`${label}: stream error ${text}`, [secret]));
}
