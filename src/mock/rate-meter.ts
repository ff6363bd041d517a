/**
 * Request and token budgets as continuously refilling buckets, and the snapshot of them that the
 * dialects render as rate-limit headers.
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

const MINUTE_MS = 60_000;

export interface RateBucketOptions {
  /**
   * `true`: a limit that refuses, holding at most `holdMs` of traffic (at least 1 unit), and allowed
   * to go negative when usage is charged after the fact. `false`: a report-only tally over a minute
   * that never goes below empty, for headers of keys without a limit.
   */
  enforced: boolean;
  now: number;
  /** Starting level; @default full */
  level?: number;
  /** How much traffic an enforced bucket holds, in ms of its rate. @default 1000 */
  holdMs?: number;
}

/** The request budget of one key, however the limit is kept: a bucket or fixed windows. */
export interface RequestBudget {
  readonly perMinute: number;
  readonly enforced: boolean;
  /** Milliseconds until `amount` is available (0 when it is). */
  waitMs(amount: number, now: number): number;
  take(amount: number, now: number): void;
  /** Whole units left now, never below 0. */
  remaining(now: number): number;
  /** Milliseconds until the budget is whole again (a bucket full, a window restarted). */
  resetMs(now: number): number;
}

/** One budget (requests or tokens) of one key, refilled continuously at `perMinute`. */
export class RateBucket implements RequestBudget {
  readonly capacity: number;
  readonly enforced: boolean;
  private level: number;
  private updatedAt: number;

  constructor(
    readonly perMinute: number,
    options: RateBucketOptions,
  ) {
    this.enforced = options.enforced;
    const holdMs = options.holdMs ?? 1000;
    this.capacity = options.enforced ? Math.max(1, (perMinute * holdMs) / MINUTE_MS) : perMinute;
    this.level = Math.min(this.capacity, options.level ?? this.capacity);
    this.updatedAt = options.now;
  }

  /** The level at `now`; negative while tokens charged after the fact are being paid back. */
  levelAt(now: number): number {
    const elapsed = now - this.updatedAt;
    if (elapsed > 0) {
      this.level = Math.min(this.capacity, this.level + (elapsed * this.perMinute) / MINUTE_MS);
      this.updatedAt = now;
    }
    return this.level;
  }

  take(amount: number, now: number): void {
    const level = this.levelAt(now) - amount;
    this.level = this.enforced ? level : Math.max(0, level);
  }

  /** Milliseconds until the level is at least `amount` (0 when it already is). */
  waitMs(amount: number, now: number): number {
    const missing = amount - this.levelAt(now);
    return missing <= 0 ? 0 : Math.ceil((missing * MINUTE_MS) / this.perMinute);
  }

  /** Whole units left now, never below 0. */
  remaining(now: number): number {
    return Math.max(0, Math.floor(this.levelAt(now)));
  }

  /** Milliseconds until the bucket is full again. */
  resetMs(now: number): number {
    return Math.ceil(((this.capacity - this.levelAt(now)) * MINUTE_MS) / this.perMinute);
  }
}

/**
 * Fixed windows of `windowMs` counted from `origin` (the key's first request, so a run meets whole
 * windows), each allowing `perMinute × windowMs / 60 000` units; what a window left unused is lost
 * when it ends.
 */
export class FixedWindow implements RequestBudget {
  readonly enforced = true;
  readonly allowance: number;
  private window = Number.NaN;
  private used = 0;

  constructor(
    readonly perMinute: number,
    private readonly windowMs: number,
    private readonly origin: number,
  ) {
    this.allowance = Math.max(1, Math.round((perMinute * windowMs) / MINUTE_MS));
  }

  private usedAt(now: number): number {
    const window = Math.floor((now - this.origin) / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.used = 0;
    }
    return this.used;
  }

  waitMs(amount: number, now: number): number {
    return this.usedAt(now) + amount <= this.allowance ? 0 : this.resetMs(now);
  }

  take(amount: number, now: number): void {
    this.used = this.usedAt(now) + amount;
  }

  remaining(now: number): number {
    return Math.max(0, this.allowance - this.usedAt(now));
  }

  resetMs(now: number): number {
    const elapsed = now - this.origin;
    return (Math.floor(elapsed / this.windowMs) + 1) * this.windowMs - elapsed;
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
