import { z } from 'zod';
import { ProviderError } from '../errors.js';
import type { Usage } from '../types.js';
import { classifyStatus, postJson, redact, retryAfterMs } from './http.js';
import type { Provider, ProviderRequest, ProviderResponse } from './provider.js';

/** Only the fields we read; everything else in the response may change freely. */
const responseSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          refusal: z.string().nullable().optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  // Loose: `Usage.raw` keeps the usage object exactly as received (total_tokens, audio tokens…).
  usage: z
    .looseObject({
      prompt_tokens: z.number().optional(),
      completion_tokens: z.number().optional(),
      prompt_tokens_details: z.looseObject({ cached_tokens: z.number().optional() }).nullable().optional(),
      completion_tokens_details: z
        .looseObject({ reasoning_tokens: z.number().optional() })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
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
  baseUrl: string;
  apiKey: string | undefined;
  /** OpenAI proper wants `max_completion_tokens`; most compatible servers only know `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  headers: Record<string, string>;
  pricingProvider?: string;
}

export function parseUsage(raw: z.infer<typeof responseSchema>['usage']): Usage {
  if (!raw) return {};
  return {
    ...(raw.prompt_tokens !== undefined ? { inputTokens: raw.prompt_tokens } : {}),
    ...(raw.completion_tokens !== undefined ? { outputTokens: raw.completion_tokens } : {}),
    ...(raw.prompt_tokens_details?.cached_tokens !== undefined
      ? { cachedInputTokens: raw.prompt_tokens_details.cached_tokens }
      : {}),
    ...(raw.completion_tokens_details?.reasoning_tokens !== undefined
      ? { reasoningTokens: raw.completion_tokens_details.reasoning_tokens }
      : {}),
    raw,
  };
}

function errorFromResponse(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
  label: string,
  secret?: string,
): ProviderError {
  const parsed = errorSchema.safeParse(body);
  const detail = parsed.success ? parsed.data.error : undefined;
  const code = typeof detail?.code === 'string' ? detail.code : undefined;
  let kind = classifyStatus(status);
  if (status === 429 && (QUOTA_CODES.has(code ?? '') || QUOTA_CODES.has(detail?.type ?? ''))) kind = 'quota';
  const text = detail?.message ?? (typeof body === 'string' ? body.slice(0, 200) : 'no error message');
  const retryAfter = retryAfterMs(headers);
  return new ProviderError(
    kind,
    redact(`${label}: HTTP ${status}${code ? ` ${code}` : ''}: ${text}`, [secret]),
    {
      status,
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    },
  );
}

/** The OpenAI Chat Completions dialect, shared by OpenAI and every compatible server. */
export function createOpenAiChatProvider(options: OpenAiChatOptions): Provider {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const label = options.id;
  return {
    id: options.id,
    model: options.model,
    ...(options.pricingProvider ? { pricingProvider: options.pricingProvider } : {}),
    cacheScope: () => `openai-chat ${options.baseUrl}`,
    async call(request: ProviderRequest): Promise<ProviderResponse> {
      const { max_tokens: maxTokens, ...rest } = request.config;
      const body: Record<string, unknown> = { ...rest, model: options.model, messages: request.messages };
      if (maxTokens !== undefined) body[options.maxTokensField] = maxTokens;
      const response = await postJson(url, body, headers, request.signal, label);
      if (response.status < 200 || response.status >= 300) {
        throw errorFromResponse(response.status, response.body, response.headers, label, options.apiKey);
      }
      const parsed = responseSchema.safeParse(response.body);
      if (!parsed.success) {
        throw new ProviderError(
          'transient',
          `${label}: malformed response: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`,
          {
            status: response.status,
          },
        );
      }
      const choice = parsed.data.choices[0]!;
      return {
        output: choice.message.content ?? choice.message.refusal ?? '',
        usage: parseUsage(parsed.data.usage),
        ...(parsed.data.model ? { model: parsed.data.model } : {}),
        ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
      };
    },
  };
}
