/**
 * The parts of undici Assay uses, loaded by path. The package's index loads all of undici (fetch,
 * WebSocket, caches, mock agents) at every start-up, which cost more than the rest of an `assay
 * run` start-up's module loading (docs/benchmarks.md); these four modules are what the adapters
 * need. The types are undici's own. The request API (with its streams) is loaded on the first
 * streamed call only: JSON calls dispatch directly.
 */
import type { Agent as AgentClass, Dispatcher, errors as undiciErrors, util as undiciUtil } from 'undici';
import errorsModule from 'undici/lib/core/errors.js';
import utilModule from 'undici/lib/core/util.js';
import AgentModule from 'undici/lib/dispatcher/agent.js';

export const Agent = AgentModule as typeof AgentClass;
export type Agent = AgentClass;
export const errors = errorsModule as typeof undiciErrors;
export const parseHeaders = (utilModule as typeof undiciUtil).parseHeaders;

type RequestFunction = (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

let requestModule: Promise<{ default: unknown }> | undefined;

/** `dispatcher.request(options)`: the prototype method undici's index would install. */
export async function request(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  requestModule ??= import('undici/lib/api/api-request.js');
  const requestFunction = (await requestModule).default as RequestFunction;
  return requestFunction.call(dispatcher, options);
}
