/**
 * Per-key rate limits of the mock server: one request bucket and one token bucket per API key, each
 * holding at most one second of traffic, as a provider enforcing RPM/TPM would. Keys without a limit
 * get report-only buckets of a generous tier, so their responses still carry plausible headers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MockRequest } from './dialect.js';
import { CONTROL_HEADERS } from './faults.js';
import { RateBucket, type RateSnapshot } from './rate-meter.js';

// A generous paid tier reported for unlimited keys, so header-pacing clients are never slowed down.
const REPORTED_REQUESTS_PER_MINUTE = 30_000;
const REPORTED_TOKENS_PER_MINUTE = 150_000_000;

export interface RateLimitOptions {
  /** Requests per minute per key; undefined = unlimited. */
  rpm: number | undefined;
  /** Tokens per minute per key; undefined = unlimited. */
  tpm: number | undefined;
  now: () => number;
}

interface KeyBuckets {
  requests: RateBucket;
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

  /** The limits, what is left and when each bucket is full again, for `key`. */
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
      // A new RPM keeps what the key has used: the level carries over, cut to the new capacity.
      const level = buckets.requests.enforced ? buckets.requests.levelAt(now) : undefined;
      buckets.requests = this.requestBucket(rpm, now, level);
    }
    return buckets;
  }

  private requestBucket(rpm: number | undefined, now: number, level?: number): RateBucket {
    if (rpm === undefined) return new RateBucket(REPORTED_REQUESTS_PER_MINUTE, { enforced: false, now });
    return new RateBucket(rpm, { enforced: true, now, ...(level === undefined ? {} : { level }) });
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
