import { UserError } from '../errors.js';
import { canonicalJson } from '../util/hash.js';
import { apiRoot, withoutSegment } from './base-url.js';
import { MissingKeyError } from './missing-key.js';
import { createOpenAiChatProvider } from './openai-chat.js';
import type { Provider, ProviderContext } from './provider.js';

const DEFAULT_BASE_URL = 'https://openrouter.ai/api/v1';
/** Documented as `https://openrouter.ai/api/v1`; the site root alone gets `/api/v1`. */
const VERSION = { segment: '/api/v1', prefixIsRoot: true } as const;
const DEFAULT_REFERER = 'https://github.com/assay-evals/assay';
const DEFAULT_TITLE = 'Assay';
const OPTION_NAMES = ['referer', 'title', 'provider', 'models'];

/** `provider_options` of an `openrouter:` target. */
export interface OpenRouterOptions {
  /**
   * `HTTP-Referer` attribution header.
   * @default 'https://github.com/assay-evals/assay'
   */
  referer?: string;
  /**
   * `X-Title` attribution header.
   * @default 'Assay'
   */
  title?: string;
  /**
   * Provider routing, sent as the body's `provider`.
   * @example { order: ['anthropic'], allow_fallbacks: false }
   */
  provider?: Record<string, unknown>;
  /**
   * Model fallback chain, sent as the body's `models`.
   * @example ['anthropic/claude-sonnet-4', 'openai/gpt-4.1']
   */
  models?: string[];
}

/**
 * `openrouter:<vendor/model>`: OpenRouter's Chat Completions. Key from OPENROUTER_API_KEY (or
 * `api_key_env`). The cost OpenRouter reports in `usage.cost` is the call's cost.
 */
export function createOpenRouterProvider(context: ProviderContext): Provider {
  const id = `openrouter:${context.rest}`;
  if (!context.rest.includes('/')) {
    throw new UserError(
      `OpenRouter model "${context.rest}" has no vendor (in ${id})`,
      undefined,
      'write the model as OpenRouter lists it, vendor/model, e.g. openrouter:openai/gpt-4o-mini',
    );
  }
  const keyEnv = (context.options.api_key_env as string | undefined) ?? 'OPENROUTER_API_KEY';
  const apiKey = context.env[keyEnv];
  if (!apiKey) {
    throw new MissingKeyError(keyEnv, id);
  }
  const options = readOptions(context.options.provider_options, id);
  const root = apiRoot(
    (context.options.base_url as string | undefined) ?? context.env.OPENROUTER_BASE_URL ?? DEFAULT_BASE_URL,
    VERSION,
    id,
  );
  const routing = {
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.models ? { models: options.models } : {}),
  };
  return createOpenAiChatProvider({
    id,
    model: context.rest,
    baseUrl: root,
    apiKey,
    maxTokensField: 'max_tokens',
    headers: {
      'http-referer': options.referer ?? DEFAULT_REFERER,
      'x-title': options.title ?? DEFAULT_TITLE,
      ...((context.options.headers as Record<string, string> | undefined) ?? {}),
    },
    stream: context.options.stream === true,
    // Priced by genai-prices only when OpenRouter reports no cost.
    pricingProvider: 'openrouter',
    extraBody: { ...routing, usage: { include: true } },
    reportedCostUsd: (usage) => (typeof usage.cost === 'number' ? usage.cost : undefined),
    errorKind: openRouterErrorKind,
    // Routing can change which upstream answers, so it is part of the cache identity.
    // Named by the site, as before base URLs were resolved, so existing cache entries still match.
    cacheScope: `openrouter ${withoutSegment(root, VERSION.segment)}${Object.keys(routing).length > 0 ? ` ${canonicalJson(routing)}` : ''}`,
  });
}

/**
 * 402 means credits or a key limit are exhausted: quota, never retried. The exception is the in-flight
 * budget (`metadata.limit_source: openrouter_in_flight_budget`), which frees up as calls finish.
 */
export function openRouterErrorKind(status: number, body: unknown): 'quota' | 'transient' | undefined {
  if (status !== 402) return undefined;
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const metadata = error && isRecord(error.metadata) ? error.metadata : undefined;
  return metadata?.limit_source === 'openrouter_in_flight_budget' ? 'transient' : 'quota';
}

function readOptions(value: unknown, id: string): OpenRouterOptions {
  if (value === undefined) return {};
  const where = `provider_options of ${id}`;
  if (!isRecord(value)) throw invalid(where, 'an object', value);
  const unknown = Object.keys(value).filter((name) => !OPTION_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new UserError(
      `unknown ${where}: ${unknown.join(', ')}`,
      undefined,
      `use ${OPTION_NAMES.join(', ')}; other request fields go in the target's config`,
    );
  }
  const { referer, title, provider, models } = value;
  if (referer !== undefined && typeof referer !== 'string')
    throw invalid(`${where}.referer`, 'a URL', referer);
  if (title !== undefined && typeof title !== 'string') throw invalid(`${where}.title`, 'a string', title);
  if (provider !== undefined && !isRecord(provider)) {
    throw invalid(`${where}.provider`, 'an object such as { order: [anthropic] }', provider);
  }
  const modelList =
    models === undefined || (Array.isArray(models) && models.every((m) => typeof m === 'string'));
  if (!modelList) throw invalid(`${where}.models`, 'a list of model names', models);
  return {
    ...(referer !== undefined ? { referer } : {}),
    ...(title !== undefined ? { title } : {}),
    ...(provider !== undefined ? { provider } : {}),
    ...(models !== undefined ? { models: models as string[] } : {}),
  };
}

function invalid(where: string, expected: string, value: unknown): UserError {
  return new UserError(
    `Expected ${where} to be ${expected}, got \`${JSON.stringify(value)}\` (${typeof value})`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
