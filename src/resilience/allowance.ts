/**
 * One budget of a provider lane (requests, tokens, input or output tokens) as the rate limiter sees
 * it: a local token bucket at the sustained rate, and the server's own count from its last answer.
 */

/** What the server last said about this budget. */
interface ServerView {
  remaining: number;
  /** `admitted` when the call that carried it was admitted: later admissions are not counted in it yet. */
  mark: number;
  at: number;
  /** When the server's budget is whole again (a bucket full, a window restarted). */
  resetAt: number;
}

/** How long a server's count stays trusted when it did not say when it resets. */
const VIEW_WITHOUT_RESET_MS = 1000;

/** How a call was admitted, so the server's answer can say which of our beliefs was wrong. */
export interface Grant {
  /** `admitted` once this call was counted: the server's count after it includes it and all before. */
  mark: number;
  /** The server's last count alone did not cover the call: it went on the belief that the budget refills continuously. */
  reliedOnRefill: boolean;
  /** The server's last count covered the call (so a refusal means a limit the count does not show). */
  serverHadRoom: boolean;
}

export class Allowance {
  /** Units per ms after the safety margin; undefined until configured, learned or estimated. */
  rate: number | undefined;
  /** Most units at once: one second of a configured rate, the largest budget the server reported, or less. */
  capacity = Number.POSITIVE_INFINITY;
  /** Units admitted so far; the server's counts are read against it. */
  admitted = 0;
  /** The server refills this budget in whole windows, not continuously (learned from a refusal). */
  windowed = false;
  #level = 0;
  #updatedAt: number;
  #view: ServerView | undefined;

  constructor(now: number) {
    this.#updatedAt = now;
  }

  /**
   * Sets the sustained rate (units per minute) and the burst. The level starts full; a larger burst
   * adds its extra room at once (the server's count, read separately, still bounds it).
   */
  pace(perMinute: number, capacity: number, now: number): void {
    const fresh = this.rate === undefined;
    this.#refill(now);
    const grown = fresh ? 0 : Math.max(0, capacity - this.capacity);
    this.rate = perMinute / 60_000;
    this.capacity = Math.max(1, capacity);
    this.#level = fresh ? this.capacity : Math.min(this.#level + grown, this.capacity);
  }

  /** ms until `amount` may go now (0: it may), by the local bucket and the server's last count. */
  waitMs(amount: number, now: number): number {
    this.#refill(now);
    const need = Math.min(amount, this.capacity);
    let wait = 0;
    if (this.rate !== undefined && this.#level < need) wait = (need - this.#level) / this.rate;
    const view = this.#liveView(now);
    if (view) {
      const left = this.#serverLeft(view, now);
      if (left < need) {
        const untilReset = view.resetAt - now;
        const refilling = !this.windowed && this.rate !== undefined;
        wait = Math.max(wait, refilling ? Math.min(untilReset, (need - left) / this.rate!) : untilReset);
      }
    }
    return Math.ceil(wait);
  }

  /** Takes `amount` (call `waitMs` first) and says how it was admitted. */
  take(amount: number, now: number): Grant {
    const view = this.#liveView(now);
    const counted = view ? view.remaining - (this.admitted - view.mark) : undefined;
    const need = Math.min(amount, this.capacity);
    this.#refill(now);
    this.#level -= amount;
    this.admitted += amount;
    return {
      mark: this.admitted,
      reliedOnRefill: counted !== undefined && counted < need,
      serverHadRoom: counted !== undefined && counted >= need,
    };
  }

  /** Gives back units reserved but not used (or charges more when `amount` is negative). */
  giveBack(amount: number): void {
    if (this.rate !== undefined) this.#level = Math.min(this.capacity, this.#level + amount);
  }

  /** Empties the local bucket, so the next call waits one interval at the current rate. */
  drain(now: number): void {
    this.#refill(now);
    this.#level = Math.min(this.#level, 0);
  }

  /**
   * The server's count after the call admitted at `mark`, as it stood at `serverAt` (about half way
   * through the call); `resetMs` is how long until the budget is whole again. The newest count
   * wins. The reset counts from `now`, the answer's arrival: a window must never be taken for
   * restarted before it has (a whole burst would be refused), while a late estimate costs little.
   */
  observe(remaining: number, resetMs: number | undefined, mark: number, serverAt: number, now: number): void {
    if (this.#view && mark < this.#view.mark) return;
    this.#view = { remaining, mark, at: serverAt, resetAt: now + (resetMs ?? VIEW_WITHOUT_RESET_MS) };
  }

  #liveView(now: number): ServerView | undefined {
    if (this.#view && now >= this.#view.resetAt) this.#view = undefined;
    return this.#view;
  }

  /** What the server had left by its count, less what we sent since, plus what refilled (unless windowed). */
  #serverLeft(view: ServerView, now: number): number {
    const counted = view.remaining - (this.admitted - view.mark);
    if (this.windowed || this.rate === undefined) return counted;
    return Math.min(this.capacity, counted + (now - view.at) * this.rate);
  }

  #refill(now: number): void {
    if (this.rate !== undefined) {
      this.#level = Math.min(this.capacity, this.#level + (now - this.#updatedAt) * this.rate);
    }
    this.#updatedAt = now;
  }
}
