/** Options of the mock server, with their defaults and validation. */
import { UserError } from '../errors.js';
import type { RateHeaders, RateWindow, RetryHint } from './rate-limit.js';

export interface MockServerOptions {
  /**
   * TCP port; 0 picks a free ephemeral port (read it back from `MockServer.port`).
   * @default 0
   */
  port?: number;
  /**
   * Interface to bind. Keep the loopback default unless a container or another machine must reach it.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Milliseconds added before every model-plane response; `x-mock-latency-ms` overrides it per request.
   * @default 0
   */
  latencyMs?: number;
  /**
   * Probability (0..1) that a request is answered with a 500 `server_error`.
   * @default 0
   */
  failRate?: number;
  /**
   * Probability (0..1) that a request is answered with a 429 `rate_limit_exceeded` carrying `retry-after`.
   * `failRate + rateLimitRate` must not exceed 1.
   * @default 0
   */
  rateLimitRate?: number;
  /**
   * Seconds sent in `retry-after` (and, ×1000, `retry-after-ms`) on injected 429s.
   * @default 1
   */
  retryAfterSeconds?: number;
  /**
   * Seed of the fault probabilities: the same seed and the same request order give the same statuses.
   * @default 1
   */
  seed?: number;
  /**
   * When set, model-plane requests must carry this key the provider's way, else they get the
   * dialect's authentication error: OpenAI, OpenRouter and custom `Authorization: Bearer <apiKey>`;
   * Anthropic `x-api-key` or `Authorization: Bearer`; Gemini `x-goog-api-key` or `?key=`. Ollama
   * has no authentication.
   * @default undefined (no auth)
   * @example 'sk-mock'
   */
  apiKey?: string;
  /**
   * Record every model-plane request (see `MockServer.journal()`); turn off for long benchmarks.
   * @default true
   */
  journal?: boolean;
  /**
   * Requests per minute allowed per API key (the bearer token, `x-api-key`, `x-goog-api-key` or
   * `?key=`; requests without one share a bucket), kept as `rateWindow` says. A request over it gets
   * the dialect's 429 with the wait `retryHint` allows. `x-mock-rpm` sets it per key.
   * @default undefined (unlimited)
   * @example 600
   */
  rpm?: number;
  /**
   * How `rpm` is kept: `bucket`, refilled continuously and holding `rateWindowMs` of traffic (at
   * least one request), as OpenAI and Anthropic describe theirs; or `fixed` windows of
   * `rateWindowMs`, each allowing `rpm × rateWindowMs / 60 000` requests, counted from the key's
   * first request.
   * @default 'bucket'
   */
  rateWindow?: RateWindow;
  /**
   * The bucket's size, or the window's length, in ms: 1000 for one second of traffic, 60000 for a
   * per-minute budget or window.
   * @default 1000
   */
  rateWindowMs?: number;
  /**
   * `dialect`: answers carry the dialect's rate-limit headers (OpenAI `x-ratelimit-*` with Go
   * durations, Anthropic `anthropic-ratelimit-*` with RFC 3339 resets; Gemini has none). `none`:
   * no rate-limit headers, as vLLM, Ollama and most gateways.
   * @default 'dialect'
   */
  rateHeaders?: RateHeaders;
  /**
   * What a request refused by `rpm`/`tpm` is told about when to come back: `exact` (OpenAI
   * `retry-after` and `retry-after-ms`, Gemini `RetryInfo` to the millisecond), `seconds` (whole
   * seconds rounded up, `retry-after` only), `none` (a bare 429; Gemini's `RetryInfo` is part of its
   * body and stays).
   * @default 'exact'
   */
  retryHint?: RetryHint;
  /**
   * Tokens per minute allowed per API key, in a bucket of one second of tokens (`tpm / 60`). Each
   * answer's prompt + completion tokens are charged after it is computed, so the bucket may go into
   * debt; requests are refused until it is paid back.
   * @default undefined (unlimited)
   */
  tpm?: number;
  /**
   * The clock of the rate limits, in milliseconds; tests inject one to step time by hand.
   * @default Date.now
   */
  now?: () => number;
}

export interface ResolvedMockOptions extends Required<Omit<MockServerOptions, 'apiKey' | 'rpm' | 'tpm'>> {
  apiKey: string | undefined;
  rpm: number | undefined;
  tpm: number | undefined;
}

/** Applies defaults and rejects bad values, quoting them. */
export function resolveOptions(options: MockServerOptions): ResolvedMockOptions {
  const resolved: ResolvedMockOptions = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    latencyMs: options.latencyMs ?? 0,
    failRate: options.failRate ?? 0,
    rateLimitRate: options.rateLimitRate ?? 0,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
    seed: options.seed ?? 1,
    apiKey: options.apiKey,
    journal: options.journal ?? true,
    rpm: options.rpm,
    tpm: options.tpm,
    rateWindow: options.rateWindow ?? 'bucket',
    rateWindowMs: options.rateWindowMs ?? 1000,
    rateHeaders: options.rateHeaders ?? 'dialect',
    retryHint: options.retryHint ?? 'exact',
    now: options.now ?? Date.now,
  };
  check(
    'port',
    resolved.port,
    'an integer from 0 to 65535',
    Number.isInteger(resolved.port) && inRange(resolved.port, 0, 65535),
  );
  check(
    'host',
    resolved.host,
    'a non-empty string',
    typeof resolved.host === 'string' && resolved.host !== '',
  );
  check(
    'latencyMs',
    resolved.latencyMs,
    'a number from 0 and up',
    inRange(resolved.latencyMs, 0, Number.MAX_SAFE_INTEGER),
  );
  check('failRate', resolved.failRate, 'a number from 0 to 1', inRange(resolved.failRate, 0, 1));
  check(
    'rateLimitRate',
    resolved.rateLimitRate,
    'a number from 0 to 1',
    inRange(resolved.rateLimitRate, 0, 1),
  );
  const total = resolved.failRate + resolved.rateLimitRate;
  check('failRate + rateLimitRate', total, 'at most 1', total <= 1);
  const retryAfter = resolved.retryAfterSeconds;
  check(
    'retryAfterSeconds',
    retryAfter,
    'a number from 0 and up',
    inRange(retryAfter, 0, Number.MAX_SAFE_INTEGER),
  );
  check('seed', resolved.seed, 'an integer', Number.isSafeInteger(resolved.seed));
  const { apiKey } = resolved;
  check(
    'apiKey',
    apiKey,
    'a non-empty string',
    apiKey === undefined || (typeof apiKey === 'string' && apiKey !== ''),
  );
  check('journal', resolved.journal, 'a boolean', typeof resolved.journal === 'boolean');
  for (const name of ['rpm', 'tpm'] as const) {
    const value = resolved[name];
    const ok = value === undefined || inRange(value, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER);
    check(name, value, 'a number above 0', ok);
  }
  const { rateWindow, rateWindowMs, rateHeaders, retryHint } = resolved;
  check('rateWindow', rateWindow, '`bucket` or `fixed`', rateWindow === 'bucket' || rateWindow === 'fixed');
  check(
    'rateWindowMs',
    rateWindowMs,
    'a number from 1 and up',
    inRange(rateWindowMs, 1, Number.MAX_SAFE_INTEGER),
  );
  check(
    'rateHeaders',
    rateHeaders,
    '`dialect` or `none`',
    rateHeaders === 'dialect' || rateHeaders === 'none',
  );
  check(
    'retryHint',
    retryHint,
    '`exact`, `seconds` or `none`',
    retryHint === 'exact' || retryHint === 'seconds' || retryHint === 'none',
  );
  check('now', resolved.now, 'a function', typeof resolved.now === 'function');
  return resolved;
}

function inRange(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && value >= min && value <= max;
}

function check(name: string, value: unknown, expected: string, ok: boolean): void {
  if (ok) return;
  // Never quote the API key itself.
  const shown = name === 'apiKey' ? typeof value : `\`${String(value)}\` (${typeof value})`;
  throw new UserError(`Expected mock server option \`${name}\` to be ${expected}, got ${shown}`);
}
