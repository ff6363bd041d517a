import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

function setup(threshold = 3) {
  let now = 0;
  const breaker = new CircuitBreaker({ threshold, cooldownMs: 1000, now: () => now });
  return { breaker, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after `threshold` consecutive failures and refuses calls', () => {
    const { breaker } = setup();
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state()).toBe('closed');
    breaker.onFailure();
    expect(breaker.state()).toBe('open');
    expect(breaker.tryPass()).toBe(false);
  });

  it('a success in between resets the count', () => {
    const { breaker } = setup();
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state()).toBe('closed');
  });

  it('half-open after the cool-down lets one probe through; success closes, failure reopens', () => {
    const { breaker, advance } = setup(1);
    breaker.onFailure();
    advance(1000);
    expect(breaker.state()).toBe('half-open');
    expect(breaker.tryPass()).toBe(true);
    expect(breaker.tryPass()).toBe(false); // one probe at a time
    breaker.onFailure();
    expect(breaker.state()).toBe('open');
    advance(1000);
    expect(breaker.tryPass()).toBe(true);
    breaker.onSuccess();
    expect(breaker.state()).toBe('closed');
    expect(breaker.tryPass()).toBe(true);
  });

  it('a neutral outcome frees the probe without closing', () => {
    const { breaker, advance } = setup(1);
    breaker.onFailure();
    advance(1000);
    expect(breaker.tryPass()).toBe(true);
    breaker.onNeutral();
    expect(breaker.state()).toBe('half-open');
    expect(breaker.tryPass()).toBe(true);
  });

  it('rejects a bad threshold', () => {
    expect(() => new CircuitBreaker({ threshold: 0 })).toThrow(/`threshold`/);
  });
});
