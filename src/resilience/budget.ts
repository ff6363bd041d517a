export interface BudgetOptions {
  /** The cap in USD. */
  capUsd: number;
  /** Already spent before this run counts against the cap (the day's spend for a daily budget). */
  spentUsd?: number;
  /** Fraction of the cap at which to warn once. @default 0.8 */
  warnAt?: number;
}

/**
 * A spending cap, as the executor uses it. One contract, two homes: in memory for one process
 * (`Budget`), shared state for many workers later; answers may come synchronously.
 */
export interface BudgetLedger {
  readonly capUsd: number;
  readonly spentUsd: number;
  /** Set once a call was refused: later calls are refused too. */
  readonly exhausted: boolean;
  /** Reserves `projectedUsd` for a call, or refuses it (false) and exhausts the ledger. */
  tryReserve(projectedUsd: number): boolean | Promise<boolean>;
  /** Replaces a reservation with the actual cost (null: unknown); true when spending first crosses the warning line. */
  settle(reservedUsd: number, actualUsd: number | null): boolean | Promise<boolean>;
}

/**
 * A spending cap. A call is admitted only if what is spent, plus what calls in flight may still
 * spend, plus this call's projected cost stays within the cap. Once a call is refused the budget
 * is exhausted: later calls are refused too, so a run never creeps up to the cap with small calls
 * after skipping a large one.
 */
export class Budget implements BudgetLedger {
  readonly capUsd: number;
  #spent: number;
  #reserved = 0;
  #exhausted = false;
  #warned = false;
  readonly #warnAt: number;

  constructor(options: BudgetOptions) {
    if (!(Number.isFinite(options.capUsd) && options.capUsd >= 0)) {
      throw new RangeError(
        `Expected \`capUsd\` to be a number from 0 and up, got \`${String(options.capUsd)}\``,
      );
    }
    this.capUsd = options.capUsd;
    this.#spent = options.spentUsd ?? 0;
    this.#warnAt = options.warnAt ?? 0.8;
  }

  get spentUsd(): number {
    return this.#spent;
  }

  get exhausted(): boolean {
    return this.#exhausted;
  }

  /** Reserves `projectedUsd` for a call, or refuses it (returns false) and exhausts the budget. */
  tryReserve(projectedUsd: number): boolean {
    if (this.#exhausted || this.#spent + this.#reserved + projectedUsd > this.capUsd) {
      this.#exhausted = true;
      return false;
    }
    this.#reserved += projectedUsd;
    return true;
  }

  /**
   * Replaces a reservation with what the call really cost (unknown cost counts as the projection).
   * Returns true the first time spending crosses the warning threshold.
   */
  settle(reservedUsd: number, actualUsd: number | null): boolean {
    this.#reserved = Math.max(0, this.#reserved - reservedUsd);
    this.#spent += actualUsd ?? reservedUsd;
    if (!this.#warned && this.#spent >= this.capUsd * this.#warnAt) {
      this.#warned = true;
      return true;
    }
    return false;
  }
}
