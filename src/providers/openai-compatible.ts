import { UserError } from '../errors.js';
import { apiRoot } from './base-url.js';
import { MissingKeyError } from './missing-key.js';
import { OPENAI_VERSION } from './openai.js';
import { createOpenAiChatProvider } from './openai-chat.js';
import type { Provider, ProviderContext } from './provider.js';

/**
 * `openai-compatible:<model>`: any server speaking Chat Completions (vLLM, llama.cpp, LM Studio,
 * Ollama's /v1, OpenRouter). Needs `base_url` (`/v1` is added to a bare host); the key is optional
 * (`api_key_env`). Every config key is sent: such servers take parameters of their own (top_k, min_p…).
 */
export function createOpenAiCompatibleProvider(context: ProviderContext): Provider {
  const baseUrl = context.options.base_url as string | undefined;
  if (!baseUrl) {
    throw new UserError(
      `openai-compatible:${context.rest} needs a base_url`,
      undefined,
      'add `base_url: http://localhost:8000/v1` (your server) to the target',
    );
  }
  const keyEnv = context.options.api_key_env as string | undefined;
  const apiKey = keyEnv ? context.env[keyEnv] : undefined;
  if (keyEnv && !apiKey) {
    throw new MissingKeyError(
      keyEnv,
      `openai-compatible:${context.rest}`,
      `set ${keyEnv} or remove api_key_env`,
    );
  }
  const id = `openai-compatible:${context.rest}`;
  return createOpenAiChatProvider({
    id,
    model: context.rest,
    baseUrl: apiRoot(baseUrl, OPENAI_VERSION, id),
    apiKey,
    maxTokensField: 'max_tokens',
    headers: (context.options.headers as Record<string, string> | undefined) ?? {},
    stream: context.options.stream === true,
  });
}
