import type { ChatMessage, GenerationConfig, RateLimitSnapshot, Usage } from '../types.js';
import type { HttpAgents } from './http-agents.js';

export interface ToolCall {
  id?: string;
  name: string;
  arguments: string;
}

/**
 * The output of an answer that is only tool calls: a JSON list of `{ name, arguments }`, with the
 * arguments parsed when they are valid JSON, so scorers (is-json, contains, regex) can check them.
 */
export function toolCallOutput(calls: ToolCall[]): string {
  return JSON.stringify(
    calls.map(({ name, arguments: text }) => {
      try {
        return { name, arguments: JSON.parse(text) as unknown };
      } catch {
        return { name, arguments: text };
      }
    }),
  );
}

/** One call to a model, as the executor asks for it. */
export interface ProviderRequest {
  messages: ChatMessage[];
  config: GenerationConfig;
  /** Aborts the call (timeout or shutdown). Providers must pass it to the transport. */
  signal: AbortSignal;
}

export interface ProviderResponse {
  output: string;
  usage: Usage;
  /** The model that actually answered, when the provider says so. */
  model?: string;
  finishReason?: string;
  /** Cost in USD when the provider knows it (local models: 0); otherwise computed from usage. */
  costUsd?: number;
  /** Time to first token in ms, for streamed calls. */
  ttftMs?: number;
  /** Tool calls the model made (arguments as the JSON text the provider sent). */
  toolCalls?: ToolCall[];
  /** Limits the provider reported in its response headers, fed to the lane's rate limiter. */
  rateLimit?: RateLimitSnapshot;
}

/** Texts to embed, for similarity scorers. */
export interface EmbedRequest {
  inputs: string[];
  signal: AbortSignal;
}

export interface EmbedResponse {
  /** One vector per input, in input order. */
  vectors: number[][];
  usage: Usage;
  /** The model that answered, when the provider says so. */
  model?: string;
  /** Cost in USD when the provider knows it (local models: 0); otherwise computed from usage. */
  costUsd?: number;
  /** Limits the provider reported in its response headers. */
  rateLimit?: RateLimitSnapshot;
}

/**
 * The provider contract. A provider only translates: it builds the wire request, parses the
 * response, and throws a classified `ProviderError` on failure. It never retries.
 */
export interface Provider {
  /** Full provider id, e.g. `openai:gpt-4o-mini`. */
  readonly id: string;
  /** Model name used for pricing. */
  readonly model: string;
  /** Provider family used for pricing lookups (`openai`, `anthropic`…); undefined for local/custom. */
  readonly pricingProvider?: string;
  call(request: ProviderRequest): Promise<ProviderResponse>;
  /** Embeds texts with this provider's model, for providers with an embeddings endpoint. */
  embed?(request: EmbedRequest): Promise<EmbedResponse>;
  /**
   * Identity of the endpoint for cache keys: base URL and other semantic settings, never a secret.
   */
  cacheScope(): string;
}

/** What a factory gets to build a provider. */
export interface ProviderContext {
  /** The part after the first `:` of the provider id. */
  rest: string;
  /** Target options from config (base_url, api_key_env, headers…). */
  options: Record<string, unknown>;
  /**
   * The target's generation config, when the provider is built for a target: adapters refuse keys their
   * API does not take here, before the run starts.
   */
  config?: GenerationConfig;
  env: NodeJS.ProcessEnv;
  /** Directory of the config file, for resolving relative paths. */
  baseDir: string;
  /** The runtime's HTTP connection pools: every request of the provider goes through them. */
  http: HttpAgents;
}

export type ProviderFactory = (context: ProviderContext) => Provider | Promise<Provider>;

/** Identity helper for typed custom providers written in TS (`file:` providers). */
export function defineProvider<T extends Omit<Provider, 'cacheScope' | 'model'> & Partial<Provider>>(
  provider: T,
): T {
  return provider;
}
