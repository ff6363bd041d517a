/**
 * The parts of undici Assay uses, loaded by path. The package's index loads all of undici (fetch,
 * WebSocket, caches, mock agents) at every start-up, which cost more than the rest of an `assay
 * run` start-up's module loading (docs/benchmarks.md); these four modules are what the adapters
 * need. The types are undici's own.
 */
import type { Agent as AgentClass, Dispatcher, errors as undiciErrors, util as undiciUtil } from 'undici';
import requestModule from 'undici/lib/api/api-request.js';
import errorsModule from 'undici/lib/core/errors.js';
import utilModule from 'undici/lib/core/util.js';
import AgentModule from 'undici/lib/dispatcher/agent.js';

export const Agent = AgentModule as typeof AgentClass;
export type Agent = AgentClass;
export const errors = errorsModule as typeof undiciErrors;
export const parseHeaders = (utilModule as typeof undiciUtil).parseHeaders;

const requestFunction = requestModule as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

/** `dispatcher.request(options)`: the prototype method undici's index would install. */
export function request(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return requestFunction.call(dispatcher, options);
}
