/**
 * Classifies Gemini's `google.rpc.Status` error envelope. The details carry what the HTTP status does not:
 * `RetryInfo.retryDelay` (the wait before a retry; Gemini sends no retry-after header), `QuotaFailure`
 * quota ids (`…PerDay…` is a daily cap, not worth retrying) and `ErrorInfo.reason` (`API_KEY_INVALID`).
 */
import * as z from 'zod';
import { ProviderError } from '../errors.js';
import { classifyStatus, redact, retryAfterMs } from './http.js';

const detailSchema = z.looseObject({
  '@type': z.string().optional(),
  retryDelay: z.string().optional(),
  reason: z.string().optional(),
  violations: z.array(z.looseObject({ quotaId: z.string().optional() })).optional(),
});

const errorSchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(detailSchema).optional(),
  }),
});

type Detail = z.infer<typeof detailSchema>;

/** Milliseconds of a protobuf JSON Duration such as `37s`, `1.5s` or `0.000250s`; undefined when not one. */
export function durationMs(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function detailsOf(details: readonly Detail[] | undefined, type: string): Detail[] {
  return (details ?? []).filter((detail) => detail['@type']?.endsWith(`google.rpc.${type}`));
}

/**
 * The ProviderError for a non-2xx Gemini answer. `body` may be the envelope itself or, from the
 * JSON-array streaming endpoint, an array holding it.
 */
export function geminiError(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
  label: string,
  secret: string | undefined,
): ProviderError {
  const envelope = Array.isArray(body) && body.length === 1 ? body[0] : body;
  const parsed = errorSchema.safeParse(envelope);
  const error = parsed.success ? parsed.data.error : undefined;
  const reason = detailsOf(error?.details, 'ErrorInfo').find((detail) => detail.reason)?.reason;
  const daily = detailsOf(error?.details, 'QuotaFailure')
    .flatMap((detail) => detail.violations ?? [])
    .find((violation) => violation.quotaId?.includes('PerDay'))?.quotaId;
  const retryDelay = detailsOf(error?.details, 'RetryInfo')
    .map((detail) => durationMs(detail.retryDelay))
    .find((ms) => ms !== undefined);
  let kind = classifyStatus(status);
  if (status === 429 && daily) kind = 'quota';
  // A bad key stays bad however often it is sent, whatever status a proxy puts in front of it.
  if (reason === 'API_KEY_INVALID') kind = 'permanent';
  const text =
    error?.message?.trim() || (typeof body === 'string' && body ? body.slice(0, 200) : 'no error message');
  const code = [error?.status, reason].filter(Boolean).join(' ');
  const message = `${label}: HTTP ${status}${code ? ` ${code}` : ''}: ${text}${daily ? ` (quota ${daily})` : ''}`;
  const wait = retryDelay ?? retryAfterMs(headers);
  return new ProviderError(kind, redact(message, [secret]), {
    status,
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  });
}
