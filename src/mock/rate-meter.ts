/**
 * Request and token usage as a continuously refilling bucket, like OpenAI's limits, so responses can
 * carry plausible rate-limit headers. It only reports; it never refuses a request.
 */

export interface RateSnapshot {
  limitRequests: number;
  remainingRequests: number;
  /** Time until the request bucket is full again. */
  resetRequestsMs: number;
  limitTokens: number;
  remainingTokens: number;
  resetTokensMs: number;
}

const WINDOW_MS = 60_000;

export class RateMeter {
  private requestsUsed = 0;
  private tokensUsed = 0;
  private updatedAt = 0;

  constructor(
    /** Requests per minute. */
    readonly requestLimit: number,
    /** Tokens per minute. */
    readonly tokenLimit: number,
  ) {}

  /** Records one request of `tokens` tokens and returns the state after it. */
  consume(tokens: number, now = Date.now()): RateSnapshot {
    this.refill(now);
    this.requestsUsed = Math.min(this.requestLimit, this.requestsUsed + 1);
    this.tokensUsed = Math.min(this.tokenLimit, this.tokensUsed + tokens);
    return this.snapshot();
  }

  /** The state a rate-limited reply reports: no requests left until `retryAfterMs` has passed. */
  exhausted(retryAfterMs: number, now = Date.now()): RateSnapshot {
    this.refill(now);
    return { ...this.snapshot(), remainingRequests: 0, resetRequestsMs: retryAfterMs };
  }

  reset(): void {
    this.requestsUsed = 0;
    this.tokensUsed = 0;
    this.updatedAt = 0;
  }

  private refill(now: number): void {
    const elapsed = this.updatedAt === 0 ? 0 : now - this.updatedAt;
    this.updatedAt = now;
    if (elapsed <= 0) return;
    this.requestsUsed = Math.max(0, this.requestsUsed - (elapsed * this.requestLimit) / WINDOW_MS);
    this.tokensUsed = Math.max(0, this.tokensUsed - (elapsed * this.tokenLimit) / WINDOW_MS);
  }

  private snapshot(): RateSnapshot {
    return {
      limitRequests: this.requestLimit,
      remainingRequests: Math.floor(this.requestLimit - this.requestsUsed),
      resetRequestsMs: Math.ceil((this.requestsUsed * WINDOW_MS) / this.requestLimit),
      limitTokens: this.tokenLimit,
      remainingTokens: Math.floor(this.tokenLimit - this.tokensUsed),
      resetTokensMs: Math.ceil((this.tokensUsed * WINDOW_MS) / this.tokenLimit),
    };
  }
}

/** Formats milliseconds as a Go `time.Duration` string, as OpenAI's reset headers do: `12ms`, `1s`, `6m0s`. */
export function goDuration(durationMs: number): string {
  const ms = Math.round(durationMs);
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
