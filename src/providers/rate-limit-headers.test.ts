import { describe, expect, it } from 'vitest';
import { anthropicRateLimit, openAiRateLimit, parseGoDuration } from './rate-limit-headers.js';

describe('parseGoDuration', () => {
  it('reads the forms OpenAI sends', () => {
    expect(parseGoDuration('1s')).toBe(1000);
    expect(parseGoDuration('6m0s')).toBe(360_000);
    expect(parseGoDuration('12ms')).toBe(12);
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseGoDuration('2.897s')).toBe(2897);
    expect(parseGoDuration('0.5ms')).toBe(0.5);
    expect(parseGoDuration('10us')).toBe(0.01);
    expect(parseGoDuration(' 3s')).toBe(3000);
  });
  it('rejects what is not a duration', () => {
    expect(parseGoDuration('soon')).toBeUndefined();
    expect(parseGoDuration('5')).toBeUndefined();
    expect(parseGoDuration('s')).toBeUndefined();
    expect(parseGoDuration('ms')).toBeUndefined();
    expect(parseGoDuration('1.s')).toBeUndefined();
    expect(parseGoDuration(undefined)).toBeUndefined();
  });
});

describe('openAiRateLimit', () => {
  it('reads a gateway’s bare remaining and reset (OpenRouter), in every reset form, but not its windowless limit', () => {
    const now = 1_700_000_000_000;
    const bare = (reset: string) =>
      openAiRateLimit(
        { 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
        now,
      );
    expect(bare(String(now + 1500))).toEqual({ remainingRequests: 0, resetRequestsMs: 1500 });
    expect(bare(String(now / 1000 + 3))).toEqual({ remainingRequests: 0, resetRequestsMs: 3000 });
    expect(bare('2')).toEqual({ remainingRequests: 0, resetRequestsMs: 2000 });
    expect(bare('250ms')).toEqual({ remainingRequests: 0, resetRequestsMs: 250 });
    expect(bare('soon')).toEqual({ remainingRequests: 0 });
  });

  it('maps the x-ratelimit headers', () => {
    expect(
      openAiRateLimit({
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-remaining-requests': '59',
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-limit-tokens': '150000',
        'x-ratelimit-remaining-tokens': '149984',
        'x-ratelimit-reset-tokens': '6m0s',
      }),
    ).toEqual({
      limitRequests: 60,
      remainingRequests: 59,
      resetRequestsMs: 1000,
      limitTokens: 150_000,
      remainingTokens: 149_984,
      resetTokensMs: 360_000,
    });
  });
  it('is undefined without headers, and skips values that are not counts', () => {
    expect(openAiRateLimit({})).toBeUndefined();
    expect(openAiRateLimit({ 'x-ratelimit-remaining-requests': '-1' })).toBeUndefined();
  });
});

describe('anthropicRateLimit', () => {
  it('maps requests, tokens and the input/output split, with RFC 3339 resets', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(
      anthropicRateLimit(
        {
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '49',
          'anthropic-ratelimit-requests-reset': '2026-11-27T12:00:01Z',
          'anthropic-ratelimit-input-tokens-limit': '40000',
          'anthropic-ratelimit-input-tokens-remaining': '39000',
          'anthropic-ratelimit-input-tokens-reset': '2026-11-27T12:00:02Z',
          'anthropic-ratelimit-output-tokens-limit': '8000',
          'anthropic-ratelimit-output-tokens-remaining': '0',
          'anthropic-ratelimit-output-tokens-reset': '2026-11-27T12:00:30Z',
        },
        now,
      ),
    ).toEqual({
      limitRequests: 50,
      remainingRequests: 49,
      resetRequestsMs: 1000,
      limitInputTokens: 40_000,
      remainingInputTokens: 39_000,
      resetInputTokensMs: 2000,
      limitOutputTokens: 8000,
      remainingOutputTokens: 0,
      resetOutputTokensMs: 30_000,
    });
  });
  it('is undefined without the headers', () => {
    expect(anthropicRateLimit({})).toBeUndefined();
  });
});
