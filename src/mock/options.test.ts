import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveOptions({})).toEqual({
      port: 0,
      host: '127.0.0.1',
      latencyMs: 0,
      failRate: 0,
      rateLimitRate: 0,
      retryAfterSeconds: 1,
      seed: 1,
      apiKey: undefined,
      journal: true,
      rpm: undefined,
      tpm: undefined,
      rateWindow: 'bucket',
      rateWindowMs: 1000,
      rateHeaders: 'dialect',
      retryHint: 'exact',
      now: Date.now,
    });
  });

  it.each([
    [
      { failRate: 1.5 },
      'Expected mock server option `failRate` to be a number from 0 to 1, got `1.5` (number)',
    ],
    [{ port: -1 }, '`port` to be an integer from 0 to 65535, got `-1`'],
    [{ latencyMs: Number.NaN }, '`latencyMs` to be a number from 0 and up, got `NaN`'],
    [{ failRate: 0.6, rateLimitRate: 0.6 }, '`failRate + rateLimitRate` to be at most 1'],
    [{ seed: 1.5 }, '`seed` to be an integer'],
    [{ retryAfterSeconds: -2 }, '`retryAfterSeconds` to be a number from 0 and up'],
    [{ rpm: 0 }, '`rpm` to be a number above 0, got `0` (number)'],
    [{ tpm: Number.POSITIVE_INFINITY }, '`tpm` to be a number above 0, got `Infinity`'],
    [{ now: 5 as unknown as () => number }, '`now` to be a function, got `5` (number)'],
    [{ rateWindow: 'sliding' as 'fixed' }, '`rateWindow` to be `bucket` or `fixed`, got `sliding` (string)'],
    [{ rateWindowMs: 0 }, '`rateWindowMs` to be a number from 1 and up, got `0`'],
    [{ rateHeaders: 'openai' as 'none' }, '`rateHeaders` to be `dialect` or `none`, got `openai`'],
    [{ retryHint: 'ms' as 'none' }, '`retryHint` to be `exact`, `seconds` or `none`, got `ms`'],
  ])('rejects %j, quoting the value', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(UserError);
    expect(() => resolveOptions(options)).toThrow(message);
  });

  it('never quotes a bad API key', () => {
    expect(() => resolveOptions({ apiKey: '' })).toThrow('`apiKey` to be a non-empty string, got string');
  });
});
