export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A provider lane's breaker, as the executor uses it. One contract, two homes: in memory for one
 * process (`CircuitBreaker`), shared state for many workers later; answers may come synchronously.
 */
export interface BreakerState {
  /** Whether a call may go now. */
  tryPass(): boolean | Promise<boolean>;
  onSuccess(): void | Promise<void>;
  /** Server trouble: a 5xx, an overload, a timeout, a reset. */
  onFailure(): void | Promise<void>;
  /** A call that ended without saying anything about the provider's health (4xx, 429, abort). */
  onNeutral(): void | Promise<void>;
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 5 */
  threshold?: number;
  /** How long the circuit stays open before one probe call is let through. @default 10000 */
  cooldownMs?: number;
  now?: () => number;
}

/**
 * Consecutive-failure circuit breaker for one provider lane. The caller decides what counts as a
 * failure (server errors, overload, timeouts, resets — never a 4xx). Open: calls are refused until
 * the cool-down ends; half-open: one probe at a time; a successful probe closes it again.
 */
export class CircuitBreaker implements BreakerState {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  #failures = 0;
  #openedAt: number | null = null;
  #probing = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = options.threshold ?? 5;
    this.#cooldownMs = options.cooldownMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    if (!Number.isInteger(this.#threshold) || this.#threshold < 1) {
      throw new RangeError(
        `Expected \`threshold\` to be a whole number from 1 up, got \`${String(options.threshold)}\``,
      );
    }
  }

  state(): CircuitState {
    if (this.#openedAt === null) return 'closed';
    return this.#now() - this.#openedAt >= this.#cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go now; in half-open state only one probe at a time. */
  tryPass(): boolean {
    const state = this.state();
    if (state === 'closed') return true;
    if (state === 'open' || this.#probing) return false;
    this.#probing = true;
    return true;
  }

  onSuccess(): void {
    this.#failures = 0;
    this.#openedAt = null;
    this.#probing = false;
  }

  onFailure(): void {
    this.#failures++;
    if (this.#probing || this.#failures >= this.#threshold) this.#openedAt = this.#now();
    this.#probing = false;
  }

  /** A call that ended without saying anything about the provider's health (4xx, 429, abort). */
  onNeutral(): void {
    this.#probing = false;
  }
}
