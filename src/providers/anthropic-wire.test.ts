import { describe, expect, it } from 'vitest';
import { errorFromResponse, parseUsage } from './anthropic-wire.js';

const LABEL = 'anthropic:claude-test';
const SECRET = 'sk-ant-wire-secret-0123';

function envelope(error: Record<string, unknown>): unknown {
  return { type: 'error', error, request_id: 'req_1' };
}

describe('parseUsage', () => {
  it('counts cache reads and writes in the input total, as genai-prices expects', () => {
    const raw = {
      input_tokens: 12,
      output_tokens: 7,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 0 },
      service_tier: 'standard',
    };
    expect(parseUsage(raw)).toEqual({
      inputTokens: 2112,
      outputTokens: 7,
      cachedInputTokens: 2000,
      cacheWriteInputTokens: 100,
      raw,
    });
  });

  it('leaves out what was not reported, never inventing zeros', () => {
    const raw = { input_tokens: 5, output_tokens: 2, cache_creation_input_tokens: null };
    expect(parseUsage(raw)).toEqual({ inputTokens: 5, outputTokens: 2, raw });
    expect(parseUsage({ output_tokens: 3 })).toEqual({ outputTokens: 3, raw: { output_tokens: 3 } });
    expect(parseUsage(undefined)).toEqual({});
  });
});

describe('errorFromResponse', () => {
  it('keeps a plain rate limit retryable with its retry-after', () => {
    const body = envelope({ type: 'rate_limit_error', message: 'This request would exceed the rate limit.' });
    const error = errorFromResponse(429, body, { 'retry-after': '7' }, LABEL, SECRET);
    expect(error.kind).toBe('rate_limit');
    expect(error.retryAfterMs).toBe(7000);
  });

  it.each([
    [
      '429 enforced_spend_limit_reached',
      429,
      {
        type: 'rate_limit_error',
        message: 'Limit reached.',
        details: { error_code: 'enforced_spend_limit_reached' },
      },
    ],
    [
      '400 API usage limits',
      400,
      {
        type: 'invalid_request_error',
        message:
          'You have reached your specified API usage limits. You will regain access on 2026-04-01 at 00:00 UTC.',
      },
    ],
    [
      '400 credit balance',
      400,
      {
        type: 'invalid_request_error',
        message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing.',
      },
    ],
    ['402 billing_error', 402, { type: 'billing_error', message: 'Payment required.' }],
  ])('classifies %s as quota', (_case, status, error) => {
    expect(errorFromResponse(status, envelope(error), {}, LABEL, SECRET).kind).toBe('quota');
  });

  it('leaves other 400s permanent and 5xx transient', () => {
    const invalid = envelope({ type: 'invalid_request_error', message: 'messages: Field required' });
    expect(errorFromResponse(400, invalid, {}, LABEL, SECRET).kind).toBe('permanent');
    const api = envelope({ type: 'api_error', message: 'Internal server error' });
    expect(errorFromResponse(500, api, {}, LABEL, SECRET).kind).toBe('transient');
  });

  it('quotes a non-JSON body as text and redacts the key', () => {
    const error = errorFromResponse(502, `<h1>Bad gateway</h1>\n<p>key ${SECRET}</p>`, {}, LABEL, SECRET);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(`${LABEL}: HTTP 502: <h1>Bad gateway</h1> <p>key ***</p>`);
  });
});
