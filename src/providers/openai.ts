import { MissingKeyError } from './missing-key.js';
import { createOpenAiChatProvider } from './openai-chat.js';
import type { Provider, ProviderContext } from './provider.js';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** `openai:<model>`: OpenAI Chat Completions. Key from OPENAI_API_KEY (or `api_key_env`). */
export function createOpenAiProvider(context: ProviderContext): Provider {
  const keyEnv = (context.options.api_key_env as string | undefined) ?? 'OPENAI_API_KEY';
  const apiKey = context.env[keyEnv];
  if (!apiKey) {
    throw new MissingKeyError(keyEnv, `openai:${context.rest}`);
  }
  return createOpenAiChatProvider({
    id: `openai:${context.rest}`,
    model: context.rest,
    baseUrl:
      (context.options.base_url as string | undefined) ?? context.env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL,
    apiKey,
    maxTokensField: 'max_completion_tokens',
    headers: (context.options.headers as Record<string, string> | undefined) ?? {},
    stream: context.options.stream === true,
    pricingProvider: 'openai',
  });
}
