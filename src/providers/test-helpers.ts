import { expect } from 'vitest';
import { ProviderError, UserError } from '../errors.js';
import { HttpAgents } from './http-agents.js';

/** Awaits a call that must fail, and returns its ProviderError (failing the test otherwise). */
export async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** Runs an action that must throw a UserError, and returns it (failing the test otherwise). */
export function userError(action: () => unknown): UserError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

/**
 * Connection pools for the providers a test file builds (vitest gives each file its own module
 * instance, so files never share one).
 */
export const testHttp = new HttpAgents();
