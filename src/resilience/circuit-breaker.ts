export type BreakerState = 'closed' | 'open' | 'half-open';

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
export class CircuitBreaker {
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

  state(): BreakerState {
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
