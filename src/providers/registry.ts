import { UserError } from '../errors.js';
import type { Provider, ProviderContext, ProviderFactory } from './provider.js';

export interface ParsedProviderId {
  /** Registry key: `openai`, `openai-compatible`, `echo`, `file`… */
  kind: string;
  /** Everything after the first `:`; model name, server name or module path. */
  rest: string;
}

/** Factories are imported lazily so a run only loads the adapters it uses. */
const FACTORIES: Record<string, { load: () => Promise<ProviderFactory>; needsRest: string | null }> = {
  openai: {
    load: async () => (await import('./openai.js')).createOpenAiProvider,
    needsRest: 'a model name, e.g. openai:gpt-4o-mini',
  },
  'openai-compatible': {
    load: async () => (await import('./openai-compatible.js')).createOpenAiCompatibleProvider,
    needsRest: 'a model name, e.g. openai-compatible:llama3.2',
  },
  echo: { load: async () => (await import('./echo.js')).createEchoProvider, needsRest: null },
  file: {
    load: async () => (await import('./function.js')).createFileProvider,
    needsRest: 'a module path, e.g. file:./provider.ts',
  },
  anthropic: {
    load: async () => (await import('./anthropic.js')).createAnthropicProvider,
    needsRest: 'a model name, e.g. anthropic:claude-3-5-haiku-latest',
  },
  google: {
    load: async () => (await import('./gemini.js')).createGeminiProvider,
    needsRest: 'a model name, e.g. google:gemini-2.5-flash',
  },
  openrouter: {
    load: async () => (await import('./openrouter.js')).createOpenRouterProvider,
    needsRest: 'a vendor/model name, e.g. openrouter:openai/gpt-4o-mini',
  },
  ollama: {
    load: async () => (await import('./ollama.js')).createOllamaProvider,
    needsRest: 'a model name, e.g. ollama:llama3.2',
  },
};

/** The provider kinds this build knows. */
export function providerKinds(): string[] {
  return Object.keys(FACTORIES);
}

/** Splits `kind:rest` once and checks the kind is known. */
export function parseProviderId(id: string, where: string): ParsedProviderId {
  const colon = id.indexOf(':');
  const kind = colon < 0 ? id : id.slice(0, colon);
  const rest = colon < 0 ? '' : id.slice(colon + 1);
  const entry = FACTORIES[kind];
  if (!entry) {
    throw new UserError(
      `unknown provider "${kind}" in "${id}"`,
      where,
      `use one of: ${providerKinds().join(', ')} (written as kind:model, e.g. openai:gpt-4o-mini)`,
    );
  }
  if (entry.needsRest && !rest)
    throw new UserError(
      `provider id "${id}" is missing ${entry.needsRest}`,
      where,
      `write ${entry.needsRest}`,
    );
  return { kind, rest };
}

/** Builds a provider for a provider id; `where` is used in error messages. */
export async function createProvider(
  id: string,
  context: Omit<ProviderContext, 'rest'>,
  where: string,
): Promise<Provider> {
  const { kind, rest } = parseProviderId(id, where);
  const factory = await FACTORIES[kind]!.load();
  return factory({ ...context, rest });
}
