/**
 * Fault decisions: seeded probabilities from the server options, plus `x-mock-*` request headers that
 * let one test script exactly what a single request suffers.
 */
import { type IncomingHttpHeaders, STATUS_CODES } from 'node:http';
import type { MockFailure, MockReply } from './dialect.js';

/** Request headers that control faults, per request. */
export const CONTROL_HEADERS = {
  /** Answer with this status (400–599) and the dialect's error body. */
  status: 'x-mock-status',
  /** Seconds for `retry-after` on a 429 (default: the server's `retryAfterSeconds`). */
  retryAfter: 'x-mock-retry-after',
  /** Wait this many milliseconds before answering (overrides the server's `latencyMs`). */
  latency: 'x-mock-latency-ms',
  /** Fail the first N requests that carry the same `x-mock-key`, then succeed. */
  failTimes: 'x-mock-fail-times',
  /** Groups requests for `x-mock-fail-times`, e.g. one key per test case. */
  key: 'x-mock-key',
  /** Status of the scripted failures (default 500). */
  failStatus: 'x-mock-fail-status',
  /** `1`: answer 429 with an "insufficient quota" error, which clients must not retry. */
  quota: 'x-mock-quota',
  /** `1`: never answer, so client timeouts trip. */
  hang: 'x-mock-hang',
  /** `1`: destroy the connection instead of answering. */
  reset: 'x-mock-reset',
  /** `1`: end a streamed answer after its content, before the final chunks and terminal marker. */
  truncate: 'x-mock-truncate',
  /** `1`: send the dialect's in-band error after the first content delta of a stream, then end it. */
  streamError: 'x-mock-stream-error',
  /** `N`: send the first N events of a stream, then stall with the connection open (a mid-stream hang). */
  stallAfter: 'x-mock-stall-after',
  /** `1`: one event of corrupted JSON after the first content event of a stream, which then ends normally. */
  malformed: 'x-mock-malformed',
  /** A status such as `502`: answer as a proxy in front of any dialect would, with an HTML error page. */
  gateway: 'x-mock-gateway',
  /** `1` (Ollama): leave `prompt_eval_count` out, as Ollama does when the prompt came from its cache. */
  omitPromptCount: 'x-mock-omit-prompt-count',
  /** Requests per minute for this request's API key from now on (see the server's `rpm` option). */
  rpm: 'x-mock-rpm',
  /**
   * Answer exactly this text in any dialect (e.g. an unparseable judge answer). A value starting with
   * `"` is read as a JSON string, for newlines and non-ASCII text: `"line 1\nline 2"`.
   */
  reply: 'x-mock-reply',
} as const;

export interface FaultOptions {
  latencyMs: number;
  failRate: number;
  rateLimitRate: number;
  retryAfterSeconds: number;
  seed: number;
}

export type ConnectionFault = 'hang' | 'reset';

export class Faults {
  private random: () => number;
  private readonly failuresSeen = new Map<string, number>();
  private readonly randomFaults: boolean;

  constructor(private readonly options: FaultOptions) {
    this.random = mulberry32(options.seed);
    this.randomFaults = options.failRate + options.rateLimitRate > 0;
  }

  latencyMs(headers: IncomingHttpHeaders): number {
    return headerNumber(headers[CONTROL_HEADERS.latency]) ?? this.options.latencyMs;
  }

  connection(headers: IncomingHttpHeaders): ConnectionFault | undefined {
    if (isOn(headers[CONTROL_HEADERS.hang])) return 'hang';
    if (isOn(headers[CONTROL_HEADERS.reset])) return 'reset';
    return undefined;
  }

  /** Events to send before a streamed answer stalls (`x-mock-stall-after`); non-negative integers only. */
  stallAfter(headers: IncomingHttpHeaders): number | undefined {
    const count = headerNumber(headers[CONTROL_HEADERS.stallAfter]);
    return count !== undefined && Number.isInteger(count) && count >= 0 ? count : undefined;
  }

  /** The status of a proxy error page the request asks for (`x-mock-gateway`). */
  gateway(headers: IncomingHttpHeaders): number | undefined {
    const status = headerNumber(headers[CONTROL_HEADERS.gateway]);
    return isErrorStatus(status) ? status : undefined;
  }

  /** A failure the request asks for outright (`x-mock-status`, `x-mock-quota`). */
  requested(headers: IncomingHttpHeaders): MockFailure | undefined {
    if (isOn(headers[CONTROL_HEADERS.quota])) return { kind: 'quota' };
    const status = headerNumber(headers[CONTROL_HEADERS.status]);
    return isErrorStatus(status) ? this.statusFailure(status, headers) : undefined;
  }

  /** The next failure of an `x-mock-fail-times` sequence, counted per `x-mock-key`. */
  scripted(headers: IncomingHttpHeaders): MockFailure | undefined {
    const times = headerNumber(headers[CONTROL_HEADERS.failTimes]);
    if (times === undefined || times <= 0) return undefined;
    const key = headerText(headers[CONTROL_HEADERS.key]) ?? '';
    const seen = this.failuresSeen.get(key) ?? 0;
    if (seen >= times) return undefined;
    this.failuresSeen.set(key, seen + 1);
    const status = headerNumber(headers[CONTROL_HEADERS.failStatus]);
    return this.statusFailure(isErrorStatus(status) ? status : 500, headers);
  }

  /** A failure drawn from `failRate` / `rateLimitRate`; one draw per request, so a seed fixes the sequence. */
  drawn(): MockFailure | undefined {
    if (!this.randomFaults) return undefined;
    const draw = this.random();
    const { failRate, rateLimitRate, retryAfterSeconds } = this.options;
    if (draw < failRate) return { kind: 'status', status: 500, retryAfterSeconds };
    if (draw < failRate + rateLimitRate) return { kind: 'status', status: 429, retryAfterSeconds };
    return undefined;
  }

  /** Forgets fail-times counters and restarts the random sequence from the seed. */
  reset(): void {
    this.failuresSeen.clear();
    this.random = mulberry32(this.options.seed);
  }

  private statusFailure(status: number, headers: IncomingHttpHeaders): MockFailure {
    const retryAfter = headerNumber(headers[CONTROL_HEADERS.retryAfter]);
    const retryAfterSeconds =
      retryAfter !== undefined && retryAfter >= 0 ? retryAfter : this.options.retryAfterSeconds;
    return { kind: 'status', status, retryAfterSeconds };
  }
}

/**
 * A proxy's own error page (nginx, Cloudflare): HTML, none of the provider's headers or envelope, so
 * clients must cope with a body that is not the dialect's JSON.
 */
export function gatewayReply(status: number): MockReply {
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: `<html><body><h1>${status} ${STATUS_CODES[status] ?? 'Error'}</h1></body></html>`,
  };
}

/** mulberry32: a tiny, fast PRNG with good enough statistics for fault injection. Returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isErrorStatus(status: number | undefined): status is number {
  return status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function headerNumber(value: string | string[] | undefined): number | undefined {
  const text = headerText(value);
  if (text === undefined || text === '') return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

function isOn(value: string | string[] | undefined): boolean {
  const text = headerText(value);
  return text === '1' || text === 'true';
}
