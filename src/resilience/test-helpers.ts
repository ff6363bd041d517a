/**
 * Simulated rate-limited servers and a simulated run against them, on a virtual clock: the limiter
 * is exercised as the executor uses it (a fast path, then a first-in-first-out admission queue whose
 * head sleeps; a refused call waits the server's hint or a backoff, then goes through admission
 * again) without real timers.
 */
import type { RateLimitSnapshot } from '../types.js';
import { AdaptiveRateLimiter, type Permit, type RateLimiterOptions } from './rate-limiter.js';

export interface ServerShape {
  /** `window`: fixed windows of `periodMs`, each allowing `perMinute × periodMs / 60 000`; `bucket`: refilled continuously, holding `periodMs` of traffic. */
  kind: 'window' | 'bucket';
  perMinute: number;
  periodMs: number;
  /**
   * What answers carry: OpenAI-style counts of the enforced budget, counts of a one-minute budget
   * while a shorter one is enforced, counts on refusals only and no limit (OpenRouter), or nothing.
   */
  headers: 'counts' | 'minute-counts' | 'refusal-counts' | 'none';
  /** What a refusal says: the exact wait, the wait rounded up to whole seconds, or nothing. */
  hint: 'precise' | 'seconds' | 'none';
}

export interface Answer {
  ok: boolean;
  snapshot?: RateLimitSnapshot;
  hintMs?: number;
}

export class SimulatedServer {
  #used = 0;
  #window = -1;
  #level: number;
  #at = 0;
  /** The one-minute budget reported by `minute-counts`. */
  #minuteLevel: number;
  readonly #capacity: number;

  constructor(readonly shape: ServerShape) {
    this.#capacity = Math.max(1, (shape.perMinute * shape.periodMs) / 60_000);
    this.#level = this.#capacity;
    this.#minuteLevel = shape.perMinute;
  }

  handle(now: number): Answer {
    const { shape } = this;
    const rate = shape.perMinute / 60_000;
    let ok: boolean;
    let remaining: number;
    let resetMs: number;
    let waitMs: number;
    if (shape.kind === 'window') {
      const window = Math.floor(now / shape.periodMs);
      if (window !== this.#window) {
        this.#window = window;
        this.#used = 0;
      }
      ok = this.#used < this.#capacity;
      if (ok) this.#used++;
      remaining = Math.floor(this.#capacity - this.#used);
      resetMs = (window + 1) * shape.periodMs - now;
      waitMs = resetMs;
    } else {
      this.#level = Math.min(this.#capacity, this.#level + (now - this.#at) * rate);
      ok = this.#level >= 1;
      if (ok) this.#level -= 1;
      remaining = Math.floor(this.#level);
      resetMs = (this.#capacity - this.#level) / rate;
      waitMs = ok ? 0 : (1 - this.#level) / rate;
    }
    this.#minuteLevel = Math.min(shape.perMinute, this.#minuteLevel + (now - this.#at) * rate);
    if (ok) this.#minuteLevel -= 1;
    this.#at = now;
    const answer: Answer = { ok };
    if (shape.headers === 'counts') {
      answer.snapshot = {
        limitRequests: shape.perMinute,
        remainingRequests: remaining,
        resetRequestsMs: resetMs,
      };
    } else if (shape.headers === 'refusal-counts' && !ok) {
      answer.snapshot = { remainingRequests: remaining, resetRequestsMs: resetMs };
    } else if (shape.headers === 'minute-counts') {
      const level = Math.max(0, this.#minuteLevel);
      answer.snapshot = {
        limitRequests: shape.perMinute,
        remainingRequests: Math.floor(level),
        resetRequestsMs: (shape.perMinute - level) / rate,
      };
    }
    if (!ok && shape.hint !== 'none') {
      answer.hintMs = shape.hint === 'precise' ? Math.ceil(waitMs) : Math.ceil(waitMs / 1000) * 1000;
    }
    return answer;
  }
}

export interface SimulationOptions {
  items: number;
  concurrency: number;
  /** Round trip of one call; the server sees it half way. */
  latencyMs: number;
  /** ms a timer fires late, as real ones do. @default 1 */
  timerLagMs?: number;
  limiter?: Omit<RateLimiterOptions, 'now'>;
  /** Retries after the first attempt. @default 3 */
  maxRetries?: number;
}

export interface SimulationResult {
  /** When the last item finished. */
  finishedMs: number;
  requests: number;
  refused: number;
  /** Items that failed after their last retry. */
  failed: number;
  /** The limiter's requests per minute, sampled every 500 ms: [ms, rpm]. */
  paced: Array<[number, number | undefined]>;
}

/** Runs `items` calls through one limiter against `server` and reports what happened. */
export function simulate(server: SimulatedServer, options: SimulationOptions): SimulationResult {
  let now = 0;
  const lag = options.timerLagMs ?? 1;
  const limiter = new AdaptiveRateLimiter({ ...options.limiter, now: () => now });
  const events: Array<{ at: number; order: number; run: () => void }> = [];
  let order = 0;
  const at = (time: number, run: () => void) => {
    const event = { at: time, order: order++, run };
    let index = events.length;
    while (
      index > 0 &&
      (events[index - 1]!.at > time ||
        (events[index - 1]!.at === time && events[index - 1]!.order > event.order))
    )
      index--;
    events.splice(index, 0, event);
  };
  const result: SimulationResult = { finishedMs: 0, requests: 0, refused: 0, failed: 0, paced: [] };
  const queue: Array<(permit: Permit) => void> = [];
  let headSleeping = false;
  let next = 0;

  const send = (permit: Permit, attempt: number, done: () => void) => {
    result.requests++;
    let answer: Answer | undefined;
    at(now + options.latencyMs / 2, () => {
      answer = server.handle(now);
    });
    at(now + options.latencyMs, () => {
      if (answer!.ok) {
        permit.succeeded(answer!.snapshot);
        done();
        return;
      }
      result.refused++;
      permit.refused(answer!.hintMs, answer!.snapshot);
      if (attempt > (options.maxRetries ?? 3)) {
        result.failed++;
        done();
      } else {
        // As the executor's retry: the server's hint, else the usual backoff (its jitter taken at half).
        const backoffMs = Math.min(8000, 500 * 2 ** (attempt - 1)) / 2;
        at(now + (answer!.hintMs ?? backoffMs), () => callOnce(attempt + 1, done));
      }
    });
  };
  const wakeHead = () => {
    if (headSleeping || queue.length === 0) return;
    const decision = limiter.tryAcquire(0);
    if ('waitMs' in decision) {
      headSleeping = true;
      at(now + decision.waitMs + lag, () => {
        headSleeping = false;
        wakeHead();
      });
      return;
    }
    queue.shift()!(decision);
    wakeHead();
  };
  const callOnce = (attempt: number, done: () => void) => {
    // The executor's fast path: a call asks once before it joins the queue.
    const decision = limiter.tryAcquire(0);
    if (!('waitMs' in decision)) return send(decision, attempt, done);
    queue.push((permit) => send(permit, attempt, done));
    wakeHead();
  };
  const worker = () => {
    if (next >= options.items) return;
    next++;
    callOnce(1, () => {
      result.finishedMs = now;
      worker();
    });
  };
  for (let index = 0; index < options.concurrency; index++) worker();
  const sample = () => {
    result.paced.push([now, limiter.effectiveRpm()]);
    if (events.length > 0) at(now + 500, sample);
  };
  at(0, sample);
  while (events.length > 0) {
    const event = events.shift()!;
    now = event.at;
    event.run();
  }
  return result;
}
