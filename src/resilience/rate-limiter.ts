/** What a provider told us about its limits on one response (any field may be missing). */
export interface RateLimitSnapshot {
  limitRequests?: number;
  remainingRequests?: number;
  /** ms until the request window resets. */
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
}

export interface RateLimiterOptions {
  /** Requests per minute; undefined = not limited until the server says otherwise. */
  rpm?: number;
  /** Tokens per minute (prompt estimate + max output tokens are reserved before a call). */
  tpm?: number;
  /** Fraction of the limits actually used, leaving room for clock skew. @default 0.97 */
  safety?: number;
  now?: () => number;
}

/** A reservation for one call; settle it with the tokens really used (refunds or charges the difference). */
export interface Permit {
  settle(actualTokens: number | undefined): void;
}

/** The rate limiter contract: non-blocking, so a throttled lane never holds a slot while it waits. */
export interface RateLimiter {
  /** A permit now, or how many ms to wait before asking again. */
  tryAcquire(estimatedTokens: number): Permit | { waitMs: number };
  /** A successful response, with whatever limit headers it carried. */
  onSuccess(snapshot?: RateLimitSnapshot): void;
  /** A 429: back off (multiplicative decrease) and pause for the server's hint. */
  onRateLimited(retryAfterMs?: number): void;
  /** Current effective requests per minute (for reports and tests). */
  effectiveRpm(): number | undefined;
}

/**
 * A token bucket refilled continuously. A configured limit holds one second of traffic (smooth
 * pacing, as strict servers enforce per-minute limits over short windows); a limit learned from
 * headers holds the whole minute, and the server's `remaining` counts keep it honest.
 */
class Bucket {
  level: number;
  constructor(
    public perMinute: number,
    private lastRefill: number,
    private readonly burstSeconds = 1,
  ) {
    this.level = this.capacity();
  }
  capacity(): number {
    return Math.max(1, (this.perMinute * this.burstSeconds) / 60);
  }
  refill(now: number, rateFactor: number): void {
    const elapsed = now - this.lastRefill;
    this.lastRefill = now;
    this.level = Math.min(this.capacity(), this.level + (elapsed * this.perMinute * rateFactor) / 60_000);
  }
  /** ms until `amount` is available at the current rate. */
  waitFor(amount: number, rateFactor: number): number {
    const missing = Math.min(amount, this.capacity()) - this.level;
    return missing <= 0 ? 0 : Math.ceil((missing * 60_000) / (this.perMinute * rateFactor));
  }
}

const MIN_FACTOR = 1 / 32;
const INCREASE_EVERY = 10;
const INCREASE_STEP = 0.05;

/**
 * Adaptive dual token bucket (requests and tokens) with AIMD: a 429 halves the rate and pauses the
 * lane for the server's hint; every 10 successes add 5 % back, up to the configured (or learned) limit.
 * Limit headers on responses lower the local level to what the server says is left.
 */
export class AdaptiveRateLimiter implements RateLimiter {
  readonly #now: () => number;
  readonly #safety: number;
  #requests: Bucket | undefined;
  #tokens: Bucket | undefined;
  #factor = 1;
  #successes = 0;
  #pausedUntil = 0;

  constructor(options: RateLimiterOptions = {}) {
    for (const key of ['rpm', 'tpm'] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new RangeError(
          `Expected \`${key}\` to be a number above 0, got \`${String(value)}\` (${typeof value})`,
        );
      }
    }
    this.#now = options.now ?? Date.now;
    this.#safety = options.safety ?? 0.97;
    const now = this.#now();
    if (options.rpm) this.#requests = new Bucket(options.rpm * this.#safety, now);
    if (options.tpm) this.#tokens = new Bucket(options.tpm * this.#safety, now);
  }

  tryAcquire(estimatedTokens: number): Permit | { waitMs: number } {
    const now = this.#now();
    if (now < this.#pausedUntil) return { waitMs: this.#pausedUntil - now };
    this.#requests?.refill(now, this.#factor);
    this.#tokens?.refill(now, this.#factor);
    const wait = Math.max(
      this.#requests?.waitFor(1, this.#factor) ?? 0,
      this.#tokens?.waitFor(estimatedTokens, this.#factor) ?? 0,
    );
    if (wait > 0) return { waitMs: wait };
    if (this.#requests) this.#requests.level -= 1;
    const tokens = this.#tokens;
    if (tokens) tokens.level -= estimatedTokens;
    return {
      settle: (actual) => {
        if (tokens && actual !== undefined) tokens.level -= actual - estimatedTokens;
      },
    };
  }

  onSuccess(snapshot?: RateLimitSnapshot): void {
    if (snapshot) this.#applySnapshot(snapshot);
    if (this.#factor < 1 && ++this.#successes >= INCREASE_EVERY) {
      this.#successes = 0;
      this.#factor = Math.min(1, this.#factor + INCREASE_STEP);
    }
  }

  onRateLimited(retryAfterMs?: number): void {
    this.#factor = Math.max(MIN_FACTOR, this.#factor / 2);
    this.#successes = 0;
    const now = this.#now();
    // Without a hint, pause for one request interval at the new rate.
    const pause =
      retryAfterMs ?? (this.#requests ? 60_000 / (this.#requests.perMinute * this.#factor) : 1000);
    this.#pausedUntil = Math.max(this.#pausedUntil, now + pause);
    if (this.#requests) this.#requests.level = Math.min(this.#requests.level, 0);
  }

  effectiveRpm(): number | undefined {
    return this.#requests ? this.#requests.perMinute * this.#factor : undefined;
  }

  #applySnapshot(snapshot: RateLimitSnapshot): void {
    const now = this.#now();
    if (snapshot.limitRequests && !this.#requests)
      this.#requests = new Bucket(snapshot.limitRequests * this.#safety, now, 60);
    if (snapshot.limitTokens && !this.#tokens)
      this.#tokens = new Bucket(snapshot.limitTokens * this.#safety, now, 60);
    // The server's count is the truth: never believe we have more left than it says.
    if (this.#requests && snapshot.remainingRequests !== undefined) {
      this.#requests.refill(now, this.#factor);
      this.#requests.level = Math.min(this.#requests.level, snapshot.remainingRequests);
      if (snapshot.remainingRequests <= 0 && snapshot.resetRequestsMs)
        this.#pausedUntil = Math.max(this.#pausedUntil, now + snapshot.resetRequestsMs);
    }
    if (this.#tokens && snapshot.remainingTokens !== undefined) {
      this.#tokens.refill(now, this.#factor);
      this.#tokens.level = Math.min(this.#tokens.level, snapshot.remainingTokens);
      if (snapshot.remainingTokens <= 0 && snapshot.resetTokensMs)
        this.#pausedUntil = Math.max(this.#pausedUntil, now + snapshot.resetTokensMs);
    }
  }
}
