import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Usage } from '../types.js';
import { contentHash } from '../util/hash.js';
import { importUserModule } from '../util/import-module.js';
import type { Provider, ProviderContext, ProviderRequest, ProviderResponse } from './provider.js';

type CallFunction = (request: ProviderRequest) => unknown;

/** Accepts what a user's function returns: a string, or `{ output, usage?, costUsd? }`. */
function normalise(value: unknown, id: string): ProviderResponse {
  if (typeof value === 'string') return { output: value, usage: {} };
  if (value && typeof value === 'object' && typeof (value as { output?: unknown }).output === 'string') {
    const { output, usage, costUsd, model } = value as {
      output: string;
      usage?: Usage;
      costUsd?: number;
      model?: string;
    };
    return {
      output,
      usage: usage ?? {},
      ...(typeof costUsd === 'number' ? { costUsd } : {}),
      ...(typeof model === 'string' ? { model } : {}),
    };
  }
  throw new TypeError(`${id} returned ${typeof value}; return a string or { output: string }`);
}

/**
 * `file:./provider.ts`: a user module whose default export is a function `(request) => output`
 * or an object with a `call` method. TypeScript modules are loaded through jiti.
 */
export async function createFileProvider(context: ProviderContext): Promise<Provider> {
  const file = path.resolve(context.baseDir, context.rest);
  const id = `file:${context.rest}`;
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch {
    throw new UserError(
      `provider module not found: ${context.rest}`,
      undefined,
      `create ${file} or fix the path (relative to the config)`,
    );
  }
  const module = await importUserModule(file, `provider module ${context.rest}`);
  const exported = module.default;
  const call: CallFunction | undefined =
    typeof exported === 'function'
      ? (exported as CallFunction)
      : typeof (exported as { call?: unknown } | undefined)?.call === 'function'
        ? (request) => (exported as { call: CallFunction }).call(request)
        : undefined;
  if (!call) {
    throw new UserError(
      `${context.rest} has no usable default export`,
      undefined,
      'export default a function (request) => string, or an object with call()',
    );
  }
  const declaredId = (exported as { id?: unknown }).id;
  return {
    id,
    model: typeof declaredId === 'string' ? declaredId : id,
    // Editing the module changes its answers, so its content is part of the cache identity.
    cacheScope: () => `file ${contentHash({ file, source })}`,
    async call(request) {
      return normalise(await call(request), id);
    },
  };
}
