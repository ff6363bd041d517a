import { describe, expect, it } from 'vitest';
import { callWithin, TimeLimitError } from './time-limit.js';

const LIMIT = { ms: 100, setting: 'defaults.code_timeout in assay.yaml' };

function spin(): never {
  while (true) {
    // a module's function that never returns
  }
}

describe('callWithin', () => {
  it('returns what the function returns and lets its errors through unchanged', () => {
    expect(callWithin('f', () => 42, LIMIT)).toBe(42);
    const error = new RangeError('bad');
    expect(() =>
      callWithin(
        'f',
        () => {
          throw error;
        },
        LIMIT,
      ),
    ).toThrow(error);
  });

  it('stops synchronous code of this thread that runs past the limit', () => {
    let caught: unknown;
    try {
      callWithin('scorer "tone"', spin, LIMIT);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TimeLimitError);
    expect((caught as Error).message).toBe(
      'scorer "tone" did not finish within the 100ms time limit for user code: fix it if it loops, or raise defaults.code_timeout in assay.yaml if it needs longer',
    );
    // The thread is usable afterwards, guarded calls included.
    expect(callWithin('g', () => 'ok', LIMIT)).toBe('ok');
  });

  it('guards nested calls, each with its own limit', () => {
    expect(callWithin('outer', () => `${callWithin('inner', () => 'in', LIMIT)}out`, LIMIT)).toBe('inout');
    expect(() => callWithin('outer', () => callWithin('inner', spin, LIMIT), { ...LIMIT, ms: 5000 })).toThrow(
      /^inner did not finish/,
    );
  });
});
