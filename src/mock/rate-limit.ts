/**
 * Per-key rate limits of the mock server: one request budget and one token bucket per API key, as a
 * provider enforcing RPM/TPM would. The request budget is a bucket refilled continuously or fixed
 * windows; how much it holds, whether answers report it and what a refusal says about when to come
 * back are options, so clients can be tried against each way real servers do it. Keys without a
 * limit get report-only buckets of a generous tier, so their responses still carry plausible headers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MockReply, MockRequest } from './dialect.js';
import { CONTROL_HEADERS } from './faults.js';
import { FixedWindow, RateBucket, type RateSnapshot, type RequestBudget } from './rate-meter.js';

// A generous paid tier reported for unlimited keys, so header-pacing clients are never slowed down.
const REPORTED_REQUESTS_PER_MINUTE = 30_000;
const REPORTED_TOKENS_PER_MINUTE = 150_000_000;

/** How the request limit is kept: a bucket refilled continuously, or fixed windows. */
export type RateWindow = 'bucket' | 'fixed';
/** Whether answers carry the dialect's rate-limit headers. */
export type RateHeaders = 'dialect' | 'none';
/** What a refusal says about when to come back: the exact wait, whole seconds, or nothing. */
export type RetryHint = 'exact' | 'seconds' | 'none';

export interface RateLimitOptions {
  /** Requests per minute per key; undefined = unlimited. */
  rpm: number | undefined;
  /** Tokens per minute per key; undefined = unlimited. */
  tpm: number | undefined;
  rateWindow: RateWindow;
  /** A bucket holds this much traffic; a fixed window lasts this long. */
  rateWindowMs: number;
  rateHeaders: RateHeaders;
  retryHint: RetryHint;
  now: () => number;
}

interface KeyBuckets {
  requests: RequestBudget;
  tokens: RateBucket;
}

export class RateLimits {
  private readonly keys = new Map<string, KeyBuckets>();

  constructor(private readonly options: RateLimitOptions) {}

  /**
   * Takes one request from `key`'s bucket and returns undefined, or, when the request bucket is empty
   * or the token bucket is in debt, takes nothing and returns the milliseconds until both allow a
   * request. `rpm` (from `x-mock-rpm`) sets the key's RPM from now on.
   */
  admit(key: string, rpm?: number): number | undefined {
    const now = this.options.now();
    const buckets = this.bucketsOf(key, now, rpm);
    const waitMs = Math.max(
      buckets.requests.enforced ? buckets.requests.waitMs(1, now) : 0,
      buckets.tokens.enforced ? buckets.tokens.waitMs(0, now) : 0,
    );
    if (waitMs > 0) return waitMs;
    buckets.requests.take(1, now);
    return undefined;
  }

  /** Charges the tokens of a computed answer; the token bucket may go negative. */
  charge(key: string, tokens: number): void {
    const now = this.options.now();
    this.bucketsOf(key, now).tokens.take(tokens, now);
  }

  /** Whether answers carry rate-limit headers. */
  get reported(): boolean {
    return this.options.rateHeaders === 'dialect';
  }

  /** The `retryAfterSeconds` a refusal that must wait `waitMs` tells the dialect. */
  hintSeconds(waitMs: number): number {
    return this.options.retryHint === 'seconds' ? Math.ceil(waitMs / 1000) : waitMs / 1000;
  }

  /**
   * A refusal's reply as the hint option wants it: `seconds` keeps only the whole-second
   * `retry-after`, `none` drops both headers (Gemini's RetryInfo is part of its body and stays).
   */
  shapeRefusal(reply: MockReply): MockReply {
    const { retryHint } = this.options;
    if (retryHint === 'exact') return reply;
    const headers = { ...reply.headers };
    delete headers['retry-after-ms'];
    if (retryHint === 'none') delete headers['retry-after'];
    return { ...reply, headers };
  }

  /** The limits, what is left and when each budget is whole again, for `key`. */
  snapshot(key: string): RateSnapshot {
    const now = this.options.now();
    const { requests, tokens } = this.bucketsOf(key, now);
    return {
      limitRequests: requests.perMinute,
      remainingRequests: requests.remaining(now),
      resetRequestsMs: requests.resetMs(now),
      limitTokens: tokens.perMinute,
      remainingTokens: tokens.remaining(now),
      resetTokensMs: tokens.resetMs(now),
    };
  }

  /** Forgets every key, and the RPM that `x-mock-rpm` set for it. */
  reset(): void {
    this.keys.clear();
  }

  private bucketsOf(key: string, now: number, rpm?: number): KeyBuckets {
    let buckets = this.keys.get(key);
    if (!buckets) {
      buckets = { requests: this.requestBucket(rpm ?? this.options.rpm, now), tokens: this.tokenBucket(now) };
      this.keys.set(key, buckets);
    } else if (rpm !== undefined && !(buckets.requests.enforced && buckets.requests.perMinute === rpm)) {
      // A new RPM keeps what the key has used: a bucket's level carries over, cut to the new capacity.
      const { requests } = buckets;
      const level = requests instanceof RateBucket && requests.enforced ? requests.levelAt(now) : undefined;
      buckets.requests = this.requestBucket(rpm, now, level);
    }
    return buckets;
  }

  private requestBucket(rpm: number | undefined, now: number, level?: number): RequestBudget {
    if (rpm === undefined) return new RateBucket(REPORTED_REQUESTS_PER_MINUTE, { enforced: false, now });
    const { rateWindow, rateWindowMs } = this.options;
    if (rateWindow === 'fixed') return new FixedWindow(rpm, rateWindowMs, now);
    return new RateBucket(rpm, {
      enforced: true,
      now,
      holdMs: rateWindowMs,
      ...(level === undefined ? {} : { level }),
    });
  }

  private tokenBucket(now: number): RateBucket {
    const { tpm } = this.options;
    return tpm === undefined
      ? new RateBucket(REPORTED_TOKENS_PER_MINUTE, { enforced: false, now })
      : new RateBucket(tpm, { enforced: true, now });
  }
}

/**
 * The credential a request carries, which names its rate-limit bucket: the `authorization` bearer
 * token, `x-api-key`, `x-goog-api-key` or `?key=`. Requests without one share the anonymous key `''`.
 */
export function credentialOf(request: MockRequest): string {
  const { headers } = request;
  const authorization = text(headers.authorization);
  if (authorization) return authorization.replace(/^Bearer\s+/i, '');
  const key = text(headers['x-api-key']) ?? text(headers['x-goog-api-key']);
  if (key) return key;
  return request.query === '' ? '' : (new URLSearchParams(request.query).get('key') ?? '');
}

/** The RPM an `x-mock-rpm` header asks for: a number above 0, else undefined (ignored). */
export function requestedRpm(headers: IncomingHttpHeaders): number | undefined {
  const value = Number(text(headers[CONTROL_HEADERS.rpm]));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function text(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
