import { describe, expect, it } from 'vitest';
import { openAiRateLimit, parseGoDuration } from './rate-limit-headers.js';

describe('parseGoDuration', () => {
  it('reads the forms OpenAI sends', () => {
    expect(parseGoDuration('1s')).toBe(1000);
    expect(parseGoDuration('6m0s')).toBe(360_000);
    expect(parseGoDuration('12ms')).toBe(12);
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500);
  });
  it('rejects what is not a duration', () => {
    expect(parseGoDuration('soon')).toBeUndefined();
    expect(parseGoDuration('5')).toBeUndefined();
    expect(parseGoDuration(undefined)).toBeUndefined();
  });
});

describe('openAiRateLimit', () => {
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
