/** Typed errors. Each carries the data a message or a retry decision needs. */
import type { RateLimitSnapshot } from './types.js';

/**
 * A problem with the user's input (config, files, flags). The CLI prints it without a stack trace
 * and exits with code 2.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    /** Where the problem is, e.g. `assay.yaml:12:5`. */
    readonly location?: string,
    /** What to do about it. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The machine stopped a command, not the user's input: a full disk, a failing device, a database that
 * went away. Printed like a UserError (the place and a fix, no stack trace); the CLI exits with code 3.
 */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
  constructor(
    message: string,
    /** The file, folder or database concerned. */
    readonly location?: string,
    /** What to do about it. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ProviderErrorKind = 'rate_limit' | 'transient' | 'permanent' | 'quota' | 'timeout';

/** A classified provider failure. Providers classify; the resilience layer decides what to do. */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  /** Server hint for when to try again (from retry-after and friends). */
  readonly retryAfterMs: number | undefined;
  /** The limit headers of the refusal, for the lane's rate limiter. */
  readonly rateLimit: RateLimitSnapshot | undefined;
  constructor(
    kind: ProviderErrorKind,
    message: string,
    details: { status?: number; retryAfterMs?: number; rateLimit?: RateLimitSnapshot; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.rateLimit = details.rateLimit;
  }

  get retryable(): boolean {
    return this.kind === 'rate_limit' || this.kind === 'transient' || this.kind === 'timeout';
  }
}

/** A call refused because its lane's circuit breaker is open. Never retried on the same lane. */
export class CircuitOpenError extends ProviderError {
  override name = 'CircuitOpenError';
  constructor(lane: string) {
    super('transient', `${lane}: circuit open after repeated server errors; not calling it for now`);
  }

  override get retryable(): boolean {
    return false;
  }
}

/** A call not made because its projected cost would cross a budget. */
export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';
}

/**
 * A run stopped because its results could not be saved (the database went away, the disk filled up).
 * What was committed before is kept; the run is resumable. The CLI exits with code 3.
 */
export class RunStoppedError extends Error {
  override name = 'RunStoppedError';
  constructor(
    readonly runId: string,
    cause: unknown,
  ) {
    super(
      `run ${runId} interrupted: its results could not be saved (${cause instanceof Error ? cause.message : String(cause)}). ` +
        `Everything saved before is kept: finish the run with \`assay run --resume ${runId}\` once the database is back.`,
      { cause },
    );
  }
}
