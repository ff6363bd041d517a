/** What a provider told us about its limits on one response (any field may be missing). */
export interface RateLimitSnapshot {
  limitRequests?: number;
  remainingRequests?: number;
  /** ms until the request window resets. */
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
  /** Anthropic splits tokens into input (ITPM) and output (OTPM) limits. */
  limitInputTokens?: number;
  remainingInputTokens?: number;
  resetInputTokensMs?: number;
  limitOutputTokens?: number;
  remainingOutputTokens?: number;
  resetOutputTokensMs?: number;
}

export interface RateLimiterOptions {
  /** Requests per minute; undefined = not limited until the server says otherwise. */
  rpm?: number;
  /** Tokens per minute (prompt estimate + max output tokens are reserved before a call). */
  tpm?: number;
  /** Input tokens per minute (Anthropic ITPM). */
  itpm?: number;
  /** Output tokens per minute (Anthropic OTPM). */
  otpm?: number;
  /** Fraction of the limits actually used, leaving room for clock skew. @default 0.97 */
  safety?: number;
  now?: () => number;
}

/** A reservation for one call; settle it with the tokens really used (refunds or charges the difference). */
export interface Permit {
  /** Actual total tokens, and of them the output tokens (for split input/output buckets). */
  settle(actualTokens: number | undefined, actualOutput?: number): void;
}

/** The rate limiter contract: non-blocking, so a throttled lane never holds a slot while it waits. */
export interface RateLimiter {
  /** A permit now, or how many ms to wait before asking again. `estimatedOutput` is part of the total. */
  tryAcquire(estimatedTokens: number, estimatedOutput?: number): Permit | { waitMs: number };
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
  #inputTokens: Bucket | undefined;
  #outputTokens: Bucket | undefined;
  #factor = 1;
  #successes = 0;
  #pausedUntil = 0;

  constructor(options: RateLimiterOptions = {}) {
    for (const key of ['rpm', 'tpm', 'itpm', 'otpm'] as const) {
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
    if (options.itpm) this.#inputTokens = new Bucket(options.itpm * this.#safety, now);
    if (options.otpm) this.#outputTokens = new Bucket(options.otpm * this.#safety, now);
  }

  tryAcquire(estimatedTokens: number, estimatedOutput = 0): Permit | { waitMs: number } {
    const now = this.#now();
    if (now < this.#pausedUntil) return { waitMs: this.#pausedUntil - now };
    const estimatedInput = estimatedTokens - estimatedOutput;
    const factor = this.#factor;
    const needs: Array<[Bucket | undefined, number]> = [
      [this.#requests, 1],
      [this.#tokens, estimatedTokens],
      [this.#inputTokens, estimatedInput],
      [this.#outputTokens, estimatedOutput],
    ];
    let wait = 0;
    for (const [bucket, amount] of needs) {
      if (!bucket) continue;
      bucket.refill(now, factor);
      wait = Math.max(wait, bucket.waitFor(amount, factor));
    }
    if (wait > 0) return { waitMs: wait };
    for (const [bucket, amount] of needs) if (bucket) bucket.level -= amount;
    const { tokens, inputTokens, outputTokens } = {
      tokens: this.#tokens,
      inputTokens: this.#inputTokens,
      outputTokens: this.#outputTokens,
    };
    return {
      settle: (actual, actualOutput) => {
        if (actual === undefined) return;
        if (tokens) tokens.level -= actual - estimatedTokens;
        if (actualOutput === undefined) return;
        if (inputTokens) inputTokens.level -= actual - actualOutput - estimatedInput;
        if (outputTokens) outputTokens.level -= actualOutput - estimatedOutput;
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

  #correct(
    bucket: Bucket | undefined,
    remaining: number | undefined,
    resetMs: number | undefined,
    now: number,
  ): void {
    if (!bucket || remaining === undefined) return;
    bucket.refill(now, this.#factor);
    bucket.level = Math.min(bucket.level, remaining);
    if (remaining <= 0 && resetMs) this.#pausedUntil = Math.max(this.#pausedUntil, now + resetMs);
  }

  effectiveRpm(): number | undefined {
    return this.#requests ? this.#requests.perMinute * this.#factor : undefined;
  }

  #applySnapshot(snapshot: RateLimitSnapshot): void {
    const now = this.#now();
    const learn = (limit: number | undefined) =>
      limit ? new Bucket(limit * this.#safety, now, 60) : undefined;
    this.#requests ??= learn(snapshot.limitRequests);
    this.#tokens ??= learn(snapshot.limitTokens);
    this.#inputTokens ??= learn(snapshot.limitInputTokens);
    this.#outputTokens ??= learn(snapshot.limitOutputTokens);
    // The server's count is the truth: never believe we have more left than it says.
    this.#correct(this.#requests, snapshot.remainingRequests, snapshot.resetRequestsMs, now);
    this.#correct(this.#tokens, snapshot.remainingTokens, snapshot.resetTokensMs, now);
    this.#correct(this.#inputTokens, snapshot.remainingInputTokens, snapshot.resetInputTokensMs, now);
    this.#correct(this.#outputTokens, snapshot.remainingOutputTokens, snapshot.resetOutputTokensMs, now);
  }
}
