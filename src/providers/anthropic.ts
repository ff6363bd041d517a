import * as z from 'zod';
import { ProviderError } from '../errors.js';
import { MESSAGES_KEYS, messagesBody } from './anthropic-request.js';
import { readMessageStream } from './anthropic-stream.js';
import { errorFromResponse, parseUsage, usageSchema } from './anthropic-wire.js';
import { apiRoot, endpoint, withoutSegment } from './base-url.js';
import { ConfigGate } from './config-keys.js';
import { postJson } from './http.js';
import { MissingKeyError } from './missing-key.js';
import {
  type Provider,
  type ProviderContext,
  type ProviderRequest,
  type ProviderResponse,
  type ToolCall,
  toolCallOutput,
} from './provider.js';
import { anthropicRateLimit } from './rate-limit-headers.js';
import { postStream, sseEvents } from './stream.js';

const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** The SDKs' base URL has no version (`https://api.anthropic.com`); one ending in `/v1` is taken too. */
const VERSION = { segment: '/v1' } as const;
/** The API version every request pins (the official SDKs hard-code the same one). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Only the fields we read. */
const messageSchema = z.object({
  model: z.string().optional(),
  content: z.array(
    z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      id: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullable().optional(),
  usage: usageSchema.nullable().optional(),
});

/**
 * `anthropic:<model>`: the Anthropic Messages API. Key from ANTHROPIC_API_KEY (or `api_key_env`), base
 * URL from `base_url` or ANTHROPIC_BASE_URL (with or without `/v1`); `stream: true` streams over SSE.
 */
export function createAnthropicProvider(context: ProviderContext): Provider {
  const id = `anthropic:${context.rest}`;
  const keyEnv = (context.options.api_key_env as string | undefined) ?? 'ANTHROPIC_API_KEY';
  const apiKey = context.env[keyEnv];
  if (!apiKey) {
    throw new MissingKeyError(keyEnv, id);
  }
  const gate = new ConfigGate(id, MESSAGES_KEYS);
  gate.prepare(context.config);
  const root = apiRoot(
    (context.options.base_url as string | undefined) ?? context.env.ANTHROPIC_BASE_URL ?? DEFAULT_BASE_URL,
    VERSION,
    id,
  );
  const url = endpoint(root, '/messages');
  const stream = context.options.stream === true;
  // Target headers may pin another API version or add `anthropic-beta`; the key is always ours.
  const headers: Record<string, string> = {
    'anthropic-version': ANTHROPIC_VERSION,
    ...((context.options.headers as Record<string, string> | undefined) ?? {}),
    'x-api-key': apiKey,
  };
  return {
    id,
    model: context.rest,
    pricingProvider: 'anthropic',
    cacheScope: () => `anthropic ${withoutSegment(root, VERSION.segment)}`,
    async call(request: ProviderRequest): Promise<ProviderResponse> {
      gate.check(request.config);
      const body = messagesBody(context.rest, request, stream);
      if (stream) {
        const startedAt = performance.now();
        const response = await postStream(url, body, headers, request.signal, id);
        if (!response.ok) {
          const { status, body: errorBody, headers: errorHeaders } = response.response;
          throw errorFromResponse(status, errorBody, errorHeaders, id, apiKey);
        }
        return withLimits(
          await readMessageStream(sseEvents(response.chunks), id, startedAt, apiKey),
          response.headers,
        );
      }
      const response = await postJson(url, body, headers, request.signal, id);
      if (response.status < 200 || response.status >= 300) {
        throw errorFromResponse(response.status, response.body, response.headers, id, apiKey);
      }
      return withLimits(parseMessage(response.body, response.status, id), response.headers);
    },
  };
}

/** Adds the `anthropic-ratelimit-*` headers, so the lane limiter can follow them. */
function withLimits(
  response: ProviderResponse,
  headers: Record<string, string | string[] | undefined>,
): ProviderResponse {
  const rateLimit = anthropicRateLimit(headers);
  return rateLimit ? { ...response, rateLimit } : response;
}

function parseMessage(body: unknown, status: number, label: string): ProviderResponse {
  const parsed = messageSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]?.message ?? 'unexpected shape';
    throw new ProviderError('transient', `${label}: malformed response: ${issue}`, { status });
  }
  const message = parsed.data;
  // Text blocks split at citations mid-sentence, so they are joined as they are.
  const text = message.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text ?? '')
    .join('');
  const toolCalls: ToolCall[] = message.content
    .filter((block) => block.type === 'tool_use' && block.name !== undefined)
    .map((block) => ({
      ...(block.id ? { id: block.id } : {}),
      name: block.name!,
      arguments: JSON.stringify(block.input ?? {}),
    }));
  return {
    output: text || (toolCalls.length > 0 ? toolCallOutput(toolCalls) : ''),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    usage: parseUsage(message.usage ?? undefined),
    ...(message.model ? { model: message.model } : {}),
    ...(message.stop_reason ? { finishReason: message.stop_reason } : {}),
  };
}
