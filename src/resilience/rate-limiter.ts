import type { RateLimitSnapshot } from '../types.js';
import { Allowance, type Grant } from './allowance.js';
import { FIRST_PAUSE_MS, RateEstimate } from './rate-estimate.js';

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

/** A reservation for one call; report how the call ended exactly once. */
export interface Permit {
  /** The call was answered: the tokens it used (total, and of them output) and the limit headers it carried. */
  succeeded(snapshot?: RateLimitSnapshot, usedTokens?: number, usedOutput?: number): void;
  /** The server refused the call as over its rate limit (429): its wait hint and limit headers. */
  refused(retryAfterMs?: number, snapshot?: RateLimitSnapshot): void;
  /** The call failed otherwise; `sent: false` when it never reached the server (the reservation comes back). */
  failed(sent: boolean): void;
}

/** The rate limiter contract: non-blocking, so a throttled lane never holds a slot while it waits. */
export interface RateLimiter {
  /** A permit now, or how many ms to wait before asking again. `estimatedOutput` is part of the total. */
  tryAcquire(estimatedTokens: number, estimatedOutput?: number): Permit | { waitMs: number };
  /** Current requests per minute the lane is paced at, if any (for reports and tests). */
  effectiveRpm(): number | undefined;
}

type BudgetName = 'requests' | 'tokens' | 'inputTokens' | 'outputTokens';
const BUDGETS: readonly BudgetName[] = ['requests', 'tokens', 'inputTokens', 'outputTokens'];
const SNAPSHOT_KEYS = {
  requests: ['limitRequests', 'remainingRequests', 'resetRequestsMs'],
  tokens: ['limitTokens', 'remainingTokens', 'resetTokensMs'],
  inputTokens: ['limitInputTokens', 'remainingInputTokens', 'resetInputTokensMs'],
  outputTokens: ['limitOutputTokens', 'remainingOutputTokens', 'resetOutputTokensMs'],
} as const satisfies Record<BudgetName, readonly (keyof RateLimitSnapshot)[]>;

/** One budget: its allowance and what set its pace. */
interface Budget {
  allowance: Allowance;
  /** Per minute, from `rate_limit` (already scaled by the safety margin). */
  configured?: number;
  /** Per minute, from the server's limit header (scaled too). */
  reported?: number;
  /** The largest budget the server reported at once (remaining + the call that saw it). */
  largest?: number;
  /** A burst the server refused although its count had room: it enforces a shorter window than it reports. */
  burstCap?: number;
}

/** Before anything is known, calls in flight start at one and double at most every this many ms. */
const SLOW_START_STEP_MS = 100;
/** A rate estimated from refusals is paced evenly: one call at a time, with half an interval of slack for late timers. */
const ESTIMATE_BURST = 1.5;
/** How far back successes count as one burst, when a refusal shows a short hidden window. */
const BURST_WINDOW_MS = 1000;

/**
 * The rate limiter of one provider lane. It paces requests and tokens at the configured limits or
 * at those the server reports, never sends more than the server's own count says is left, and
 * learns from refusals what the headers did not say: that a budget refills in windows, that a
 * shorter window is enforced than reported, or (for a server that reports no limit) the rate
 * itself. Refusals of calls admitted before the last reaction, and runs of refusals with no success
 * between them, are one event, reacted to once. See docs/rate-limits.md.
 */
export class AdaptiveRateLimiter implements RateLimiter {
  readonly #now: () => number;
  readonly #safety: number;
  readonly #budgets: Record<BudgetName, Budget>;
  /** Set by a configured limit, any limit header or a refusal; until then calls start slowly. */
  #informed = false;
  /** What refusals taught about a server that reports nothing, and the counts it learns from. */
  readonly #estimate = new RateEstimate();
  #pausedUntil = 0;
  /** Calls admitted before the last reaction belong to a burst already reacted to. */
  #reactedAt = Number.NEGATIVE_INFINITY;
  /** A call succeeded since the last refusal: a refusal now starts a new run of them. */
  #succeededSinceRefusal = true;
  /** Refusals of calls admitted from then on are news even with no success between (the lane had waited as told). */
  #runEndsAt = Number.POSITIVE_INFINITY;
  #startedAt: number | undefined;
  #inflight = 0;
  #successes = 0;
  #latencyMs = 10;

  constructor(options: RateLimiterOptions = {}) {
    for (const key of ['rpm', 'tpm', 'itpm', 'otpm', 'safety'] as const) {
      const value = options[key];
      const ok =
        value === undefined || (Number.isFinite(value) && value > 0 && (key !== 'safety' || value <= 1));
      if (!ok) {
        const range = key === 'safety' ? 'a number above 0 and at most 1' : 'a number above 0';
        throw new RangeError(
          `Expected \`${key}\` to be ${range}, got \`${String(value)}\` (${typeof value})`,
        );
      }
    }
    this.#now = options.now ?? Date.now;
    this.#safety = options.safety ?? 0.97;
    const now = this.#now();
    const configured = {
      requests: options.rpm,
      tokens: options.tpm,
      inputTokens: options.itpm,
      outputTokens: options.otpm,
    };
    this.#budgets = {} as Record<BudgetName, Budget>;
    for (const name of BUDGETS) {
      const budget: Budget = { allowance: new Allowance(now) };
      const perMinute = configured[name];
      if (perMinute !== undefined) {
        budget.configured = perMinute * this.#safety;
        this.#informed = true;
        this.#repace(budget, now);
      }
      this.#budgets[name] = budget;
    }
  }

  tryAcquire(estimatedTokens: number, estimatedOutput = 0): Permit | { waitMs: number } {
    const now = this.#now();
    if (now < this.#pausedUntil) return { waitMs: this.#pausedUntil - now };
    if (this.#startedAt === undefined) {
      this.#startedAt = now;
      this.#estimate.begin(now);
    }
    if (!this.#informed && this.#inflight >= this.#slowStartWindow(now)) {
      return { waitMs: Math.min(50, Math.max(1, Math.round(this.#latencyMs / 4))) };
    }
    this.#paceEstimate(now);
    const amounts = this.#amounts(estimatedTokens, estimatedOutput);
    let wait = 0;
    for (const name of BUDGETS)
      wait = Math.max(wait, this.#budgets[name].allowance.waitMs(amounts[name], now));
    if (wait > 0) return { waitMs: wait };
    const grants = {} as Record<BudgetName, Grant>;
    for (const name of BUDGETS) grants[name] = this.#budgets[name].allowance.take(amounts[name], now);
    this.#inflight++;
    return this.#permit(now, amounts, grants);
  }

  effectiveRpm(): number | undefined {
    const rate = this.#budgets.requests.allowance.rate;
    return rate === undefined ? undefined : rate * 60_000;
  }

  #amounts(tokens: number, output: number): Record<BudgetName, number> {
    return { requests: 1, tokens, inputTokens: Math.max(0, tokens - output), outputTokens: output };
  }

  /**
   * Calls in flight allowed before the server has said anything: one, doubling per round trip (and
   * per SLOW_START_STEP_MS at most), so a server's first refusals cost few calls.
   */
  #slowStartWindow(now: number): number {
    const steps = Math.floor((now - this.#startedAt!) / SLOW_START_STEP_MS);
    return Math.min(2 ** Math.min(steps, 30), 1 + this.#successes);
  }

  #permit(
    admittedAt: number,
    amounts: Record<BudgetName, number>,
    grants: Record<BudgetName, Grant>,
  ): Permit {
    let open = true;
    const close = (): number | undefined => {
      if (!open) return undefined;
      open = false;
      this.#inflight--;
      const now = this.#now();
      this.#latencyMs = this.#latencyMs * 0.8 + (now - admittedAt) * 0.2;
      return now;
    };
    return {
      succeeded: (snapshot, usedTokens, usedOutput) => {
        const now = close();
        if (now === undefined) return;
        this.#successes++;
        this.#succeededSinceRefusal = true;
        this.#estimate.record(admittedAt, true);
        if (usedTokens !== undefined) {
          this.#budgets.tokens.allowance.giveBack(amounts.tokens - usedTokens);
          if (usedOutput !== undefined) {
            const usedInput = usedTokens - usedOutput;
            this.#budgets.inputTokens.allowance.giveBack(amounts.inputTokens - usedInput);
            this.#budgets.outputTokens.allowance.giveBack(amounts.outputTokens - usedOutput);
          }
        }
        if (snapshot) this.#observe(snapshot, amounts, grants, (admittedAt + now) / 2);
      },
      refused: (retryAfterMs, snapshot) => {
        const now = close();
        if (now === undefined) return;
        if (snapshot) this.#observe(snapshot, amounts, grants, (admittedAt + now) / 2);
        this.#informed = true;
        this.#estimate.record(admittedAt, false);
        // Calls sent before the last reaction, and refusals with no success between them (the rest
        // of a spent window), are one event: it has been reacted to already. Unless the lane waited
        // as the server said and is still refused: that is news.
        const news =
          admittedAt >= this.#reactedAt && (this.#succeededSinceRefusal || admittedAt >= this.#runEndsAt);
        this.#succeededSinceRefusal = false;
        if (news) this.#react(now, (admittedAt + now) / 2, grants, retryAfterMs);
      },
      failed: (sent) => {
        if (close() === undefined || sent) return;
        for (const name of BUDGETS) this.#budgets[name].allowance.giveBack(amounts[name]);
      },
    };
  }

  /** Reads one answer's limit headers (as the server counted at `serverAt`) into every budget they speak of. */
  #observe(
    snapshot: RateLimitSnapshot,
    amounts: Record<BudgetName, number>,
    grants: Record<BudgetName, Grant>,
    serverAt: number,
  ): void {
    const now = this.#now();
    for (const name of BUDGETS) {
      const [limitKey, remainingKey, resetKey] = SNAPSHOT_KEYS[name];
      const limit = snapshot[limitKey];
      const remaining = snapshot[remainingKey];
      if (limit === undefined && remaining === undefined) continue;
      this.#informed = true;
      const budget = this.#budgets[name];
      if (remaining !== undefined) {
        budget.largest = Math.max(budget.largest ?? 0, remaining + amounts[name]);
        budget.allowance.observe(remaining, snapshot[resetKey], grants[name].mark, serverAt, now);
      }
      if (limit !== undefined && limit > 0) budget.reported = limit * this.#safety;
      this.#repace(budget, now);
    }
  }

  /** Sets a budget's rate and burst from what is known: configured, reported, estimated (the lowest wins). */
  #repace(budget: Budget, now: number, estimated?: number): void {
    const rates = [budget.configured, budget.reported, estimated].filter((rate) => rate !== undefined);
    if (rates.length === 0) return;
    const perMinute = Math.min(...rates);
    let capacity: number;
    // An estimated rate is paced evenly; a configured one allows one second of traffic at once (the
    // limit you set may be enforced over short windows); a reported one, the largest budget the
    // server's count showed (or one second of traffic).
    if (estimated !== undefined) capacity = ESTIMATE_BURST;
    else if (budget.configured !== undefined) capacity = perMinute / 60;
    else capacity = budget.largest ?? perMinute / 60;
    if (budget.burstCap !== undefined) capacity = Math.min(capacity, budget.burstCap);
    budget.allowance.pace(perMinute, capacity, now);
  }

  #paceEstimate(now: number): void {
    const estimated = this.#estimate.perMinute(now);
    if (estimated !== undefined) this.#repace(this.#budgets.requests, now, estimated);
  }

  /**
   * A new refusal (the server saw the call at `serverAt`). If the server's count had been read as
   * refilling continuously, it refills in windows instead; if its count had room, it enforces a
   * shorter window than it reports, so bursts shrink (the rate stays); if it reports nothing at
   * all, the request rate is measured from refusals.
   */
  #react(now: number, serverAt: number, grants: Record<BudgetName, Grant>, hintMs: number | undefined): void {
    const requests = this.#budgets.requests;
    let pauseMs = 0;
    if (BUDGETS.some((name) => grants[name].reliedOnRefill)) {
      // The server's count now holds the lane until its reset.
      for (const name of BUDGETS)
        if (grants[name].reliedOnRefill) this.#budgets[name].allowance.windowed = true;
    } else if (requests.reported !== undefined) {
      // A lane paced at the server's own limit was refused a call its count did not cover (a window
      // restarted later than we reckoned, a hidden shorter window): wait as the server says, then go
      // on at the same pace. Without a reported limit (a configured one included), the rate itself
      // is learned from refusals instead.
      if (BUDGETS.some((name) => grants[name].serverHadRoom)) {
        requests.burstCap = Math.max(1, this.#estimate.successesIn(serverAt, BURST_WINDOW_MS));
        this.#repace(requests, now);
      }
      requests.allowance.drain(now);
      pauseMs = hintMs ?? this.#interval();
    } else {
      pauseMs = this.#estimate.refused(serverAt, hintMs, now);
      this.#paceEstimate(now);
      requests.allowance.drain(now);
    }
    this.#pause(now, pauseMs);
    this.#reactedAt = now;
    this.#runEndsAt = pauseMs > 0 ? this.#pausedUntil : Number.POSITIVE_INFINITY;
    this.#estimate.resumes(this.#pausedUntil);
  }

  #pause(now: number, ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, now + ms);
  }

  /** One request interval at the current pace, or a second when there is none. */
  #interval(): number {
    const rate = this.#budgets.requests.allowance.rate;
    return rate ? 1 / rate : FIRST_PAUSE_MS;
  }
}
