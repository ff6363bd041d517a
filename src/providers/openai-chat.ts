import * as z from 'zod';
import { ProviderError, type ProviderErrorKind } from '../errors.js';
import type { Usage } from '../types.js';
import { endpoint } from './base-url.js';
import { ConfigGate, type ConfigKeys } from './config-keys.js';
import { classifyStatus, type JsonResponse, postJson, redact, retryAfterMs } from './http.js';
import { readChatStream } from './openai-chat-stream.js';
import {
  type EmbedRequest,
  type EmbedResponse,
  type Provider,
  type ProviderRequest,
  type ProviderResponse,
  toolCallOutput,
} from './provider.js';
import { openAiRateLimit } from './rate-limit-headers.js';
import { postStream, sseEvents } from './stream.js';

// Loose: `Usage.raw` keeps the usage object exactly as received (total_tokens, audio tokens, cost…).
const usageSchema = z.looseObject({
  prompt_tokens: z.number().optional(),
  completion_tokens: z.number().optional(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().optional() }).nullable().optional(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().optional() }).nullable().optional(),
});

/** Only the fields we read; everything else in the response may change freely. */
const responseSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          refusal: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().optional(),
                function: z.object({ name: z.string(), arguments: z.string() }),
              }),
            )
            .nullable()
            .optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: usageSchema.nullable().optional(),
});

const embeddingsSchema = z.object({
  model: z.string().optional(),
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  usage: usageSchema.nullable().optional(),
});

const errorSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().nullable().optional(),
    code: z.unknown().optional(),
  }),
});

const QUOTA_CODES = new Set([
  'insufficient_quota',
  'credit_balance_exhausted',
  'organization_spend_limit_exceeded',
  'project_spend_limit_exceeded',
  'organization_usage_limit_exceeded',
]);

export interface OpenAiChatOptions {
  id: string;
  model: string;
  /** The endpoint root, version included (see `apiRoot`): paths are appended to it. */
  baseUrl: string;
  apiKey: string | undefined;
  /** OpenAI proper wants `max_completion_tokens`; most compatible servers only know `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  headers: Record<string, string>;
  pricingProvider?: string;
  /** Appended to `baseUrl`. @default '/chat/completions' */
  path?: string;
  /** Appended to `baseUrl` for `embed`. @default '/embeddings' */
  embeddingsPath?: string;
  /** Stream the answer over SSE, which records `ttftMs`. @default false */
  stream?: boolean;
  /** Fields added to every request body (e.g. OpenRouter's routing and usage accounting). */
  extraBody?: Record<string, unknown>;
  /** The cost in USD the server reports in its usage object, when it reports one (OpenRouter). */
  reportedCostUsd?: (rawUsage: Record<string, unknown>) => number | undefined;
  /** Refines the kind of an HTTP error (e.g. OpenRouter's 402); undefined keeps the default. */
  errorKind?: (status: number, body: unknown) => ProviderErrorKind | undefined;
  /** @default `openai-chat ${baseUrl}` */
  cacheScope?: string;
  /** The config keys the server documents; undefined sends every key (servers with open parameter sets). */
  configKeys?: ConfigKeys;
  /** The target's config, refused at construction when it has keys outside `configKeys`. */
  config?: ProviderRequest['config'];
}

export function parseUsage(raw: z.infer<typeof usageSchema> | null | undefined): Usage {
  if (!raw) return {};
  // Field by field rather than spread: this runs once per call.
  const usage: Usage = {};
  if (raw.prompt_tokens !== undefined) usage.inputTokens = raw.prompt_tokens;
  if (raw.completion_tokens !== undefined) usage.outputTokens = raw.completion_tokens;
  const cached = raw.prompt_tokens_details?.cached_tokens;
  if (cached !== undefined) usage.cachedInputTokens = cached;
  const reasoning = raw.completion_tokens_details?.reasoning_tokens;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  usage.raw = raw;
  return usage;
}

/** The ProviderError for an OpenAI-style error answer (`{ error: { message, type, code } }`); 429 quota codes are `quota`. */
export function errorFromResponse(
  { status, body, headers }: JsonResponse,
  label: string,
  secret?: string,
  refineKind?: OpenAiChatOptions['errorKind'],
): ProviderError {
  const parsed = errorSchema.safeParse(body);
  const detail = parsed.success ? parsed.data.error : undefined;
  const code = typeof detail?.code === 'string' ? detail.code : undefined;
  let kind = classifyStatus(status);
  if (status === 429 && (QUOTA_CODES.has(code ?? '') || QUOTA_CODES.has(detail?.type ?? ''))) kind = 'quota';
  kind = refineKind?.(status, body) ?? kind;
  const text = detail?.message ?? (typeof body === 'string' ? body.slice(0, 200) : 'no error message');
  const retryAfter = retryAfterMs(headers);
  const rateLimit = kind === 'rate_limit' ? openAiRateLimit(headers) : undefined;
  return new ProviderError(
    kind,
    redact(`${label}: HTTP ${status}${code ? ` ${code}` : ''}: ${text}`, [secret]),
    {
      status,
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
      ...(rateLimit ? { rateLimit } : {}),
    },
  );
}

type ChatResponse = z.infer<typeof responseSchema>;

function parseResponse(body: unknown, status: number, label: string): ChatResponse {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) {
    throw new ProviderError(
      'transient',
      `${label}: malformed response: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`,
      { status },
    );
  }
  return parsed.data;
}

/** The OpenAI Chat Completions dialect, shared by OpenAI and every compatible server. */
export function createOpenAiChatProvider(options: OpenAiChatOptions): Provider {
  const gate = options.configKeys ? new ConfigGate(options.id, options.configKeys) : undefined;
  gate?.prepare(options.config);
  const url = endpoint(options.baseUrl, options.path ?? '/chat/completions');
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const label = options.id;
  const fail = (response: JsonResponse) =>
    errorFromResponse(response, label, options.apiKey, options.errorKind);
  const reportedCost = (usage: Usage): number | undefined => {
    const raw = usage.raw as Record<string, unknown> | undefined;
    return raw && options.reportedCostUsd ? options.reportedCostUsd(raw) : undefined;
  };
  const withCost = (usage: Usage): Pick<ProviderResponse, 'usage' | 'costUsd'> => {
    const costUsd = reportedCost(usage);
    return { usage, ...(costUsd !== undefined ? { costUsd } : {}) };
  };

  async function callJson(body: Record<string, unknown>, signal: AbortSignal): Promise<ProviderResponse> {
    const response = await postJson(url, body, headers, signal, label);
    if (response.status < 200 || response.status >= 300) throw fail(response);
    const data = parseResponse(response.body, response.status, label);
    const choice = data.choices[0]!;
    const toolCalls = choice.message.tool_calls?.length
      ? choice.message.tool_calls.map((call) => ({
          ...(call.id ? { id: call.id } : {}),
          name: call.function.name,
          arguments: call.function.arguments,
        }))
      : undefined;
    const rateLimit = openAiRateLimit(response.headers);
    const usage = parseUsage(data.usage);
    const result: ProviderResponse = {
      output:
        choice.message.content || choice.message.refusal || (toolCalls ? toolCallOutput(toolCalls) : ''),
      usage,
    };
    if (toolCalls) result.toolCalls = toolCalls;
    if (rateLimit) result.rateLimit = rateLimit;
    const costUsd = reportedCost(usage);
    if (costUsd !== undefined) result.costUsd = costUsd;
    if (data.model) result.model = data.model;
    if (choice.finish_reason) result.finishReason = choice.finish_reason;
    return result;
  }

  async function callStream(body: Record<string, unknown>, signal: AbortSignal): Promise<ProviderResponse> {
    const startedAt = performance.now();
    const streamBody = { ...body, stream: true, stream_options: { include_usage: true } };
    const response = await postStream(url, streamBody, headers, signal, label);
    if (!response.ok) throw fail(response.response);
    const result = await readChatStream(sseEvents(response.chunks), {
      label,
      startedAt,
      secret: options.apiKey,
    });
    const rateLimit = openAiRateLimit(response.headers);
    const parsed = usageSchema.safeParse(result.rawUsage);
    // No usage chunk (or one that does not parse) leaves the counts undefined: "not reported".
    const usage = parsed.success ? parseUsage(parsed.data) : result.rawUsage ? { raw: result.rawUsage } : {};
    return {
      output: result.output,
      ...withCost(usage),
      ...(result.model ? { model: result.model } : {}),
      ...(result.finishReason ? { finishReason: result.finishReason } : {}),
      ...(result.ttftMs !== undefined ? { ttftMs: result.ttftMs } : {}),
      ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
      ...(rateLimit ? { rateLimit } : {}),
    };
  }

  const embeddingsUrl = endpoint(options.baseUrl, options.embeddingsPath ?? '/embeddings');

  async function embed(request: EmbedRequest): Promise<EmbedResponse> {
    // Floats, not the SDK's default base64: the body stays readable in journals and caches.
    const body = { model: options.model, input: request.inputs, encoding_format: 'float' };
    const response = await postJson(embeddingsUrl, body, headers, request.signal, label);
    if (response.status < 200 || response.status >= 300) throw fail(response);
    const parsed = embeddingsSchema.safeParse(response.body);
    const count = parsed.success ? parsed.data.data.length : 0;
    if (!parsed.success || count !== request.inputs.length) {
      const problem = parsed.success
        ? `${count} embeddings for ${request.inputs.length} inputs`
        : (parsed.error.issues[0]?.message ?? 'unexpected shape');
      throw new ProviderError('transient', `${label}: malformed embeddings response: ${problem}`, {
        status: response.status,
      });
    }
    const vectors = [...parsed.data.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
    const rateLimit = openAiRateLimit(response.headers);
    const usage = parseUsage(parsed.data.usage);
    // Embeddings produce no output tokens; saying 0 keeps pricing from treating them as unknown.
    return {
      vectors,
      ...withCost(usage.inputTokens !== undefined ? { ...usage, outputTokens: 0 } : usage),
      ...(parsed.data.model ? { model: parsed.data.model } : {}),
      ...(rateLimit ? { rateLimit } : {}),
    };
  }

  /** The request body: the config (less what the transport decides), extra fields, model, messages, max tokens. */
  function requestBody(
    config: ProviderRequest['config'],
    messages: ProviderRequest['messages'],
  ): Record<string, unknown> {
    // The target's `stream` option decides the transport, never a `stream` key in the config.
    const { max_tokens: maxTokens, stream: _stream, stream_options: _options, ...rest } = config;
    const body: Record<string, unknown> = { ...rest, ...options.extraBody, model: options.model, messages };
    if (maxTokens !== undefined) body[options.maxTokensField] = maxTokens;
    return body;
  }

  return {
    id: options.id,
    model: options.model,
    ...(options.pricingProvider ? { pricingProvider: options.pricingProvider } : {}),
    embed,
    cacheScope: () => options.cacheScope ?? `openai-chat ${options.baseUrl}`,
    call(request: ProviderRequest): Promise<ProviderResponse> {
      try {
        gate?.check(request.config);
      } catch (error) {
        return Promise.reject(error);
      }
      const body = requestBody(request.config, request.messages);
      return options.stream ? callStream(body, request.signal) : callJson(body, request.signal);
    },
  };
}
