/** Builds an Anthropic Messages request body from the platform's messages and generation config. */
import type { ConfigKeys } from './config-keys.js';
import type { ProviderRequest } from './provider.js';

/** Anthropic requires `max_tokens`; used when the target's config has none. */
export const DEFAULT_MAX_TOKENS = 1024;

/**
 * Messages request fields (anthropic-sdk-typescript `MessageCreateParamsBase`) less model and messages,
 * plus the platform's `stop` (sent as `stop_sequences`).
 */
export const MESSAGES_KEYS: ConfigKeys = {
  api: 'Anthropic Messages',
  accepted: new Set([
    'temperature',
    'max_tokens',
    'top_p',
    'top_k',
    'stop',
    'stop_sequences',
    'system',
    'metadata',
    'thinking',
    'tools',
    'tool_choice',
    'output_config',
    'service_tier',
    'container',
    'inference_geo',
    'cache_control',
    // The target's `stream` option decides the transport; accepted and not sent.
    'stream',
  ]),
  reasons: {
    seed: 'Anthropic has no seed',
    response_format: 'structured output is `output_config: { format: … }`',
    max_completion_tokens: 'use max_tokens',
  },
};

/**
 * The request body: system messages joined into the top-level `system`, `stop` renamed to
 * `stop_sequences`, `max_tokens` defaulted; other config keys pass through unchanged.
 */
export function messagesBody(
  model: string,
  request: Pick<ProviderRequest, 'messages' | 'config'>,
  stream: boolean,
): Record<string, unknown> {
  const { max_tokens: maxTokens, stop, ...rest } = request.config;
  const system = request.messages.filter((message) => message.role === 'system');
  const body: Record<string, unknown> = {
    ...rest,
    model,
    max_tokens: maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: request.messages
      .filter((message) => message.role !== 'system')
      .map(({ role, content }) => ({ role, content })),
  };
  if (system.length > 0) body.system = system.map((message) => message.content).join('\n\n');
  if (stop !== undefined) body.stop_sequences = typeof stop === 'string' ? [stop] : stop;
  // The transport decides how the answer is read, so a `stream` key in the config never reaches the wire.
  if (stream) body.stream = true;
  else delete body.stream;
  return body;
}
