import type { RateLimitSnapshot } from '../types.js';

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function count(headers: Headers, name: string): number | undefined {
  const value = Number(header(headers, name));
  return Number.isFinite(value) && value >= 0 && header(headers, name) !== undefined ? value : undefined;
}

const GO_UNITS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000_001,
};

const durationMemo = new Map<string, number | undefined>();

/** Go-style durations as OpenAI sends them: `1s`, `6m0s`, `12ms`, `1h2m3.5s`. Memoised: values repeat. */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (durationMemo.has(text)) return durationMemo.get(text);
  const value = parseDuration(text);
  if (durationMemo.size > 1000) durationMemo.clear();
  durationMemo.set(text, value);
  return value;
}

/** `2.897s` or `12ms`: what a server sends almost every time, read with one anchored check. */
function parseSimpleDuration(text: string): number | undefined {
  const ms = text.endsWith('ms');
  if (!ms && !text.endsWith('s')) return undefined;
  const digits = text.slice(0, text.length - (ms ? 2 : 1));
  if (digits.length === 0 || !/^\d+(?:\.\d+)?$/.test(digits)) return undefined;
  return ms ? Number(digits) : Number(digits) * 1000;
}

function parseDuration(text: string): number | undefined {
  const simple = parseSimpleDuration(text);
  if (simple !== undefined) return simple;
  const parts = text.trim().match(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g);
  if (!parts || parts.join('') !== text.trim()) return undefined;
  let total = 0;
  for (const part of parts) {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(.+)$/.exec(part)!;
    total += Number(amount) * GO_UNITS[unit!]!;
  }
  return total;
}

/**
 * A gateway's bare `x-ratelimit-reset` (OpenRouter sends one on its own 429s): a Unix time in ms or
 * seconds, a number of seconds, or a Go duration.
 */
function resetValue(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || text.trim() === '') return parseGoDuration(text);
  if (value > 1e12) return Math.max(0, value - now);
  if (value > 1e9) return Math.max(0, value * 1000 - now);
  return value >= 0 ? value * 1000 : undefined;
}

/**
 * OpenAI's `x-ratelimit-*` headers (also sent by LiteLLM and many compatible servers), and the bare
 * `x-ratelimit-remaining` / `-reset` of gateways such as OpenRouter (requests; their `-limit` names
 * no window, so it is not read as a per-minute limit).
 */
export function openAiRateLimit(headers: Headers, now = Date.now()): RateLimitSnapshot | undefined {
  const snapshot: RateLimitSnapshot = {};
  const set = <K extends keyof RateLimitSnapshot>(key: K, value: number | undefined) => {
    if (value !== undefined) snapshot[key] = value;
  };
  set('limitRequests', count(headers, 'x-ratelimit-limit-requests'));
  set(
    'remainingRequests',
    count(headers, 'x-ratelimit-remaining-requests') ?? count(headers, 'x-ratelimit-remaining'),
  );
  set(
    'resetRequestsMs',
    parseGoDuration(header(headers, 'x-ratelimit-reset-requests')) ??
      resetValue(header(headers, 'x-ratelimit-reset'), now),
  );
  set('limitTokens', count(headers, 'x-ratelimit-limit-tokens'));
  set('remainingTokens', count(headers, 'x-ratelimit-remaining-tokens'));
  set('resetTokensMs', parseGoDuration(header(headers, 'x-ratelimit-reset-tokens')));
  return Object.keys(snapshot).length > 0 ? snapshot : undefined;
}

/** ms until an RFC 3339 time (Anthropic's `*-reset`), never negative. */
function untilTime(text: string | undefined, now: number): number | undefined {
  if (!text) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Anthropic's `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-*` headers. */
export function anthropicRateLimit(headers: Headers, now = Date.now()): RateLimitSnapshot | undefined {
  const snapshot: RateLimitSnapshot = {};
  const fields = [
    ['requests', 'limitRequests', 'remainingRequests', 'resetRequestsMs'],
    ['tokens', 'limitTokens', 'remainingTokens', 'resetTokensMs'],
    ['input-tokens', 'limitInputTokens', 'remainingInputTokens', 'resetInputTokensMs'],
    ['output-tokens', 'limitOutputTokens', 'remainingOutputTokens', 'resetOutputTokensMs'],
  ] as const;
  for (const [name, limit, remaining, reset] of fields) {
    const prefix = `anthropic-ratelimit-${name}`;
    const values = [
      count(headers, `${prefix}-limit`),
      count(headers, `${prefix}-remaining`),
      untilTime(header(headers, `${prefix}-reset`), now),
    ];
    if (values[0] !== undefined) snapshot[limit] = values[0];
    if (values[1] !== undefined) snapshot[remaining] = values[1];
    if (values[2] !== undefined) snapshot[reset] = values[2];
  }
  return Object.keys(snapshot).length > 0 ? snapshot : undefined;
}
