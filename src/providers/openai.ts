import { UserError } from '../errors.js';
import { apiRoot } from './base-url.js';
import type { ConfigKeys } from './config-keys.js';
import { MissingKeyError } from './missing-key.js';
import { createOpenAiChatProvider } from './openai-chat.js';
import { createOpenAiResponsesProvider } from './openai-responses.js';
import type { Provider, ProviderContext } from './provider.js';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const RESPONSES_PREFIX = 'responses:';

/** The endpoint root of every OpenAI-style base URL: `…/v1` as given, a bare origin gets `/v1`. */
export const OPENAI_VERSION = { segment: '/v1', prefixIsRoot: true } as const;

/** Chat Completions request fields (openai-node `ChatCompletionCreateParamsBase`) less model and messages. */
export const CHAT_COMPLETIONS_KEYS: ConfigKeys = {
  api: 'OpenAI Chat Completions',
  accepted: new Set([
    'temperature',
    'max_tokens',
    'max_completion_tokens',
    'top_p',
    'seed',
    'stop',
    'audio',
    'frequency_penalty',
    'function_call',
    'functions',
    'logit_bias',
    'logprobs',
    'metadata',
    'modalities',
    'n',
    'parallel_tool_calls',
    'prediction',
    'presence_penalty',
    'prompt_cache_key',
    'prompt_cache_retention',
    'reasoning_effort',
    'response_format',
    'safety_identifier',
    'service_tier',
    'store',
    // The target's `stream` option decides the transport; these two are accepted and not sent.
    'stream',
    'stream_options',
    'tool_choice',
    'tools',
    'top_logprobs',
    'user',
    'verbosity',
    'web_search_options',
  ]),
};

/**
 * `openai:<model>`: OpenAI Chat Completions; `openai:responses:<model>`: the Responses API. Key from
 * OPENAI_API_KEY (or `api_key_env`), endpoint root from `base_url`, else OPENAI_BASE_URL, else the OpenAI API.
 */
export function createOpenAiProvider(context: ProviderContext): Provider {
  const id = `openai:${context.rest}`;
  const responses = context.rest.startsWith(RESPONSES_PREFIX);
  const model = responses ? context.rest.slice(RESPONSES_PREFIX.length) : context.rest;
  if (!model) {
    throw new UserError(
      `provider id "${id}" is missing a model name`,
      undefined,
      'write openai:responses:<model>, e.g. openai:responses:gpt-4.1-mini',
    );
  }
  const keyEnv = (context.options.api_key_env as string | undefined) ?? 'OPENAI_API_KEY';
  const apiKey = context.env[keyEnv];
  if (!apiKey) {
    throw new MissingKeyError(keyEnv, id);
  }
  const base =
    (context.options.base_url as string | undefined) ?? context.env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL;
  const common = {
    id,
    model,
    baseUrl: apiRoot(base, OPENAI_VERSION, id),
    apiKey,
    headers: (context.options.headers as Record<string, string> | undefined) ?? {},
    stream: context.options.stream === true,
    ...(context.config ? { config: context.config } : {}),
  };
  if (responses) return createOpenAiResponsesProvider(common);
  return createOpenAiChatProvider({
    ...common,
    maxTokensField: 'max_completion_tokens',
    pricingProvider: 'openai',
    configKeys: CHAT_COMPLETIONS_KEYS,
  });
}
