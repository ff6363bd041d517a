/**
 * The request rate of a server that reports no limits and only answers 429 beyond them (vLLM and
 * LiteLLM gateways, Gemini), learned from what it let through: at the first refusal, the successes
 * of the second before it (or of as long as its hint says the budget takes to come back); at each
 * later refusal, the successes between the two refusals over the span between them. While it
 * accepts everything, the rate is probed upward slowly.
 */
import { RecentCount } from './recent-count.js';

/** Without a hint, the first refusal is taken to free the budget again after a second. */
export const FIRST_PAUSE_MS = 1000;
/** Of a measured rate, the share used: the server's own clock and ours never agree exactly. */
const MARGIN = 0.97;
/** A refusal that measures nothing means the last probe went a little too far: step back this much. */
const CUT = 0.95;
/**
 * Probing: every second without a refusal (and at least every 10 calls' worth of time, so a slow
 * server is not outgrown in a few calls) the rate grows: by 1 % near the rate of the last refusal,
 * and below it (or before any) by 1 % at first, doubling up to 16 %.
 */
const GROW_EVERY_MS = 1000;
const GROW_EVERY_CALLS = 10;
const GROWTH_FIRST = 0.01;
const GROWTH_MAX = 0.16;
/** "Near the rate of the last refusal": above this share of it. */
const NEAR_CEILING = 0.97;
/** Without exact hints, fewer successes than this between two refusals measure noise, not a rate. */
const FEWEST_TO_MEASURE = 10;
const SLOWEST_PER_MINUTE = 1;

/** A hint in whole seconds may be rounded up by up to a second (`retry-after` has no fractions). */
function isExactHint(hintMs: number | undefined): hintMs is number {
  return hintMs !== undefined && hintMs % 1000 !== 0;
}

/** Over the limit all along: refused more than once, and at least one call in ten. */
function isFlooded(successes: number, refusals: number): boolean {
  return refusals >= 2 && refusals * 9 >= successes;
}

export class RateEstimate {
  /** Requests per minute, margin included; undefined until the first refusal. */
  #perMinute: number | undefined;
  /** The rate when the server last refused: the limit is about there. */
  #ceiling = Number.POSITIVE_INFINITY;
  #growth = GROWTH_FIRST;
  #grewAt = 0;
  readonly #successes = new RecentCount();
  readonly #refusals = new RecentCount();
  /**
   * The calls since the last reaction. At both of its ends the server's budget was spent; between
   * them it let through what it refilled. An exact hint moves an end to when the budget was back.
   */
  #stretch = { since: Number.NEGATIVE_INFINITY, from: 0, exactFrom: false, successes: 0, refusals: 0 };

  /** Successes in the `spanMs` before `at` (at most a minute). */
  successesIn(at: number, spanMs: number): number {
    return this.#successes.count(at, spanMs);
  }

  /** Counts an answer to a call admitted at `admittedAt`. */
  record(admittedAt: number, succeeded: boolean): void {
    (succeeded ? this.#successes : this.#refusals).add(admittedAt);
    if (admittedAt < this.#stretch.since) return;
    if (succeeded) this.#stretch.successes++;
    else this.#stretch.refusals++;
  }

  /** Starts counting at the first call. */
  begin(now: number): void {
    if (this.#stretch.since === Number.NEGATIVE_INFINITY)
      this.#stretch = { ...this.#stretch, since: now, from: now };
  }

  /**
   * A new refusal, of a call the server saw at `serverAt`. Returns how long the lane should wait:
   * at first or after a flood, as the server says; after a small overshoot the slower pace is
   * enough, but an exact hint is still the best news of when the budget is back (a hint in whole
   * seconds may be up to a second late).
   */
  refused(serverAt: number, hintMs: number | undefined, now: number): number {
    const exact = isExactHint(hintMs);
    const stretch = this.#stretch;
    const until = serverAt + (exact ? hintMs : 0);
    this.#stretch = { since: now, from: until, exactFrom: exact, successes: 0, refusals: 0 };
    let flooded = true;
    const first = this.#perMinute === undefined;
    if (first) {
      // What the server let through over the last second, or over as long as it says its budget takes to come back.
      const spanMs = Math.min(60_000, Math.max(FIRST_PAUSE_MS, hintMs ?? 0));
      this.#perMinute = ((this.#successes.count(serverAt, spanMs) * 60_000) / spanMs) * MARGIN;
    } else {
      const current = this.perMinute(now)!;
      const lastSecond = [
        this.#successes.count(serverAt, 1000),
        this.#refusals.count(serverAt, 1000),
      ] as const;
      flooded = isFlooded(stretch.successes, stretch.refusals) || isFlooded(...lastSecond);
      // Over a stretch spent over the limit, what got through is the limit; over a quiet one it is
      // what was sent, still a fair place to step back to (a bucket that filled while the pace was
      // low hides a pace grown too high). The span is exact with exact hints; otherwise it needs
      // enough successes to outweigh not knowing its ends. A last second spent over the limit
      // measures it too.
      const measures: number[] = [];
      const exactSpan = exact && stretch.exactFrom;
      if (stretch.successes > 0 && (exactSpan || stretch.successes >= FEWEST_TO_MEASURE)) {
        measures.push((stretch.successes * 60_000) / Math.max(1, until - stretch.from));
      }
      if (isFlooded(...lastSecond) && lastSecond[0] > 0) measures.push(lastSecond[0] * 60);
      const next =
        measures.length > 0
          ? Math.min(current * CUT, Math.min(...measures) * MARGIN)
          : current * (flooded ? 0.5 : CUT);
      // Never more than halved at once: one odd stretch must not stall the lane.
      this.#perMinute = Math.max(current / 2, next);
      this.#ceiling = current;
    }
    this.#perMinute = Math.max(SLOWEST_PER_MINUTE, this.#perMinute);
    this.#growth = GROWTH_FIRST;
    this.#grewAt = now;
    if (first || flooded) return hintMs ?? (first ? FIRST_PAUSE_MS : 60_000 / this.#perMinute);
    if (hintMs === undefined) return 0;
    return exact ? hintMs : Math.max(0, hintMs - 1000);
  }

  /** The lane sends again at `at`: the next stretch is measured from then. */
  resumes(at: number): void {
    this.#stretch.from = Math.max(this.#stretch.from, at);
  }

  /** The estimate now (undefined before any refusal), with the probing growth of every quiet step since the last one. */
  perMinute(now: number): number | undefined {
    if (this.#perMinute === undefined) return undefined;
    for (;;) {
      const step = Math.max(GROW_EVERY_MS, (GROW_EVERY_CALLS * 60_000) / this.#perMinute);
      if (now - this.#grewAt < step) return this.#perMinute;
      const near = this.#perMinute >= this.#ceiling * NEAR_CEILING;
      this.#perMinute *= 1 + (near ? GROWTH_FIRST : this.#growth);
      this.#growth = Math.min(GROWTH_MAX, this.#growth * 2);
      this.#grewAt += step;
    }
  }
}
