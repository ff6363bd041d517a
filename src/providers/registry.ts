import { UserError } from '../errors.js';
import type { ConfigKeys } from './config-keys.js';
import type { Provider, ProviderContext, ProviderFactory } from './provider.js';

export interface ParsedProviderId {
  /** Registry key: `openai`, `openai-compatible`, `echo`, `file`… */
  kind: string;
  /** Everything after the first `:`; model name, server name or module path. */
  rest: string;
}

/** Factories are imported lazily so a run only loads the adapters it uses. */
interface FactoryEntry {
  load: () => Promise<ProviderFactory>;
  needsRest: string | null;
  /** Environment variables the adapter reads (the first is the key, when it needs one). */
  env?: string[];
  description: string;
}

const FACTORIES: Record<string, FactoryEntry> = {
  openai: {
    load: async () => (await import('./openai.js')).createOpenAiProvider,
    needsRest: 'a model name, e.g. openai:gpt-4o-mini',
    env: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
    description: 'OpenAI Chat Completions; openai:responses:<model> for the Responses API',
  },
  'openai-compatible': {
    load: async () => (await import('./openai-compatible.js')).createOpenAiCompatibleProvider,
    needsRest: 'a model name, e.g. openai-compatible:llama3.2',
    description:
      'any Chat Completions server (vLLM, llama.cpp, LM Studio, Ollama /v1); base_url, api_key_env',
  },
  echo: {
    load: async () => (await import('./echo.js')).createEchoProvider,
    needsRest: null,
    description: 'answers with the prompt; free',
  },
  file: {
    load: async () => (await import('./function.js')).createFileProvider,
    needsRest: 'a module path, e.g. file:./provider.ts',
    description: 'your own JS/TS module',
  },
  anthropic: {
    load: async () => (await import('./anthropic.js')).createAnthropicProvider,
    needsRest: 'a model name, e.g. anthropic:claude-3-5-haiku-latest',
    env: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'],
    description: 'Anthropic Messages',
  },
  google: {
    load: async () => (await import('./gemini.js')).createGeminiProvider,
    needsRest: 'a model name, e.g. google:gemini-2.5-flash',
    env: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GEMINI_BASE_URL'],
    description: 'Google Gemini generateContent',
  },
  openrouter: {
    load: async () => (await import('./openrouter.js')).createOpenRouterProvider,
    needsRest: 'a vendor/model name, e.g. openrouter:openai/gpt-4o-mini',
    env: ['OPENROUTER_API_KEY', 'OPENROUTER_BASE_URL'],
    description: 'OpenRouter (reports its own cost)',
  },
  ollama: {
    load: async () => (await import('./ollama.js')).createOllamaProvider,
    needsRest: 'a model name, e.g. ollama:llama3.2',
    env: ['OLLAMA_HOST'],
    description: 'Ollama native /api/chat (local, free)',
  },
  http: {
    load: async () => (await import('./http-custom.js')).createHttpProvider,
    needsRest: 'a name, e.g. http:my-service',
    env: [],
    description: 'any HTTP JSON API (templated request, path-extracted answer)',
  },
};

/** Each provider kind with what it is and which environment variables it reads (set or not; never values). */
export function describeProviders(env: NodeJS.ProcessEnv): Array<{
  kind: string;
  example: string;
  description: string;
  env: Array<{ name: string; set: boolean }>;
}> {
  return Object.entries(FACTORIES).map(([kind, entry]) => ({
    kind,
    example: entry.needsRest?.replace(/^.*e\.g\. /, '') ?? kind,
    description: entry.description,
    env: (entry.env ?? []).map((name) => ({ name, set: Boolean(env[name]) })),
  }));
}

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

/**
 * The config keys a provider id's API takes (see `config-keys.ts`), or undefined when it takes any
 * (Ollama options, OpenAI-compatible servers' extras, OpenRouter's routing fields). For importers,
 * which must not write keys a run would refuse.
 */
export async function configKeysOf(id: string): Promise<ConfigKeys | undefined> {
  const { kind, rest } = parseProviderId(id, 'provider id');
  switch (kind) {
    case 'openai':
      return rest.startsWith('responses:')
        ? (await import('./openai-responses-request.js')).RESPONSES_KEYS
        : (await import('./openai.js')).CHAT_COMPLETIONS_KEYS;
    case 'anthropic':
      return (await import('./anthropic-request.js')).MESSAGES_KEYS;
    case 'google':
      return (await import('./gemini-request.js')).GENERATE_CONTENT_KEYS;
    default:
      return undefined;
  }
}
