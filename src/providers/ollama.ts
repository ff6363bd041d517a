import * as z from 'zod';
import { ProviderError } from '../errors.js';
import type { Usage } from '../types.js';
import { apiRoot, endpoint, withoutSegment } from './base-url.js';
import { classifyStatus, type JsonResponse, postJson, redact, retryAfterMs } from './http.js';
import { MissingKeyError } from './missing-key.js';
import {
  type EmbedRequest,
  type EmbedResponse,
  type Provider,
  type ProviderContext,
  type ProviderRequest,
  type ProviderResponse,
  type ToolCall,
  toolCallOutput,
} from './provider.js';
import { ndjsonLines, postStream, truncatedStream } from './stream.js';

const DEFAULT_HOST = 'http://127.0.0.1:11434';
const DEFAULT_PORT = '11434';
/**
 * Config keys that are top-level `/api/chat` fields (Ollama's docs/openapi.yaml `ChatRequest`); every
 * other key is a model option, which Ollama's `ModelOptions` leaves open (`additionalProperties: true`).
 */
const TOP_LEVEL_KEYS = new Set(['format', 'keep_alive', 'think', 'tools', 'logprobs', 'top_logprobs']);
/** The native API lives under `/api`; a base naming it, or Ollama's OpenAI-compatible `/v1`, means the same server. */
const VERSION = { segment: '/api' } as const;
const USAGE_LIMIT = /\busage limit\b/i;
/** The metrics Ollama reports on its final object, kept as the raw usage. */
const METRIC_KEYS = [
  'prompt_eval_count',
  'prompt_eval_duration',
  'eval_count',
  'eval_duration',
  'total_duration',
  'load_duration',
] as const;

/** Only the fields we read, from the one non-streamed object or one NDJSON line. */
const messageSchema = z.object({
  model: z.string().optional(),
  message: z
    .object({
      content: z.string().nullable().optional(),
      tool_calls: z
        .array(z.object({ function: z.object({ name: z.string(), arguments: z.unknown().optional() }) }))
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
  done: z.boolean().optional(),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
  error: z.unknown().optional(),
});
type OllamaMessage = z.infer<typeof messageSchema>;

/** `/api/embed`: one vector per input, in order; the count of input tokens when Ollama reports it. */
const embedSchema = z.object({
  model: z.string().optional(),
  embeddings: z.array(z.array(z.number())),
  prompt_eval_count: z.number().optional(),
});

/**
 * `ollama:<model>`: Ollama's native `/api/chat`. Host from `base_url`, else OLLAMA_HOST, else
 * 127.0.0.1:11434 (written with or without `/api`, or as the `/v1` OpenAI-compatible URL of the same
 * server). Local, so the cost is 0; `api_key_env` is only for servers behind an auth proxy.
 */
export function createOllamaProvider(context: ProviderContext): Provider {
  const id = `ollama:${context.rest}`;
  const host = ollamaBaseUrl((context.options.base_url as string | undefined) ?? context.env.OLLAMA_HOST);
  const root = apiRoot(host.replace(/\/v1\/?(?=$|[?#])/, ''), VERSION, id);
  const baseUrl = withoutSegment(root, VERSION.segment);
  const keyEnv = context.options.api_key_env as string | undefined;
  const apiKey = keyEnv ? context.env[keyEnv] : undefined;
  if (keyEnv && !apiKey) {
    throw new MissingKeyError(keyEnv, id, `set ${keyEnv} or remove api_key_env`);
  }
  const headers: Record<string, string> = { ...((context.options.headers as Record<string, string>) ?? {}) };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const url = endpoint(root, '/chat');
  const stream = context.options.stream === true;
  const fail = (message: string) => new ProviderError('transient', redact(`${id}: ${message}`, [apiKey]));

  async function callOnce(body: Record<string, unknown>, signal: AbortSignal): Promise<ProviderResponse> {
    const response = await postJson(context.http, url, body, headers, signal, id);
    if (response.status < 200 || response.status >= 300)
      throw errorFromResponse(response, id, context.rest, apiKey);
    const parsed = messageSchema.safeParse(response.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]?.message ?? 'unexpected shape';
      throw new ProviderError('transient', `${id}: malformed response: ${issue}`, {
        status: response.status,
      });
    }
    if (parsed.data.error !== undefined) throw fail(`error: ${String(parsed.data.error)}`);
    const data = parsed.data;
    return toResponse(data, data.message?.content ?? '', response.body, toolCallsOf(data));
  }

  async function callStreaming(
    body: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<ProviderResponse> {
    const startedAt = performance.now();
    const response = await postStream(context.http, url, body, headers, signal, id, 'application/x-ndjson');
    if (!response.ok) throw errorFromResponse(response.response, id, context.rest, apiKey);
    let output = '';
    let ttftMs: number | undefined;
    const toolCalls: ToolCall[] = [];
    for await (const line of ndjsonLines(response.chunks, id)) {
      const parsed = messageSchema.safeParse(line);
      if (!parsed.success) throw fail(`malformed stream line: ${JSON.stringify(line).slice(0, 120)}`);
      if (parsed.data.error !== undefined) throw fail(`stream error: ${String(parsed.data.error)}`);
      const piece = parsed.data.message?.content ?? '';
      if (piece && ttftMs === undefined) ttftMs = performance.now() - startedAt;
      output += piece;
      for (const call of toolCallsOf(parsed.data)) toolCalls.push(call);
      if (parsed.data.done === true) {
        return {
          ...toResponse(parsed.data, output, line, toolCalls),
          ...(ttftMs !== undefined ? { ttftMs } : {}),
        };
      }
    }
    throw truncatedStream(id, 'done:true');
  }

  async function embed(request: EmbedRequest): Promise<EmbedResponse> {
    const body = { model: context.rest, input: request.inputs };
    const response = await postJson(
      context.http,
      endpoint(root, '/embed'),
      body,
      headers,
      request.signal,
      id,
    );
    if (response.status < 200 || response.status >= 300)
      throw errorFromResponse(response, id, context.rest, apiKey);
    const parsed = embedSchema.safeParse(response.body);
    const count = parsed.success ? parsed.data.embeddings.length : 0;
    if (!parsed.success || count !== request.inputs.length) {
      const problem = parsed.success
        ? `${count} embeddings for ${request.inputs.length} inputs`
        : (parsed.error.issues[0]?.message ?? 'unexpected shape');
      throw new ProviderError('transient', `${id}: malformed embed response: ${problem}`, {
        status: response.status,
      });
    }
    const { embeddings, prompt_eval_count: inputTokens, model } = parsed.data;
    return {
      vectors: embeddings,
      usage: {
        ...(inputTokens !== undefined ? { inputTokens, outputTokens: 0 } : {}),
        raw: inputTokens !== undefined ? { prompt_eval_count: inputTokens } : {},
      },
      ...(model ? { model } : {}),
      costUsd: 0,
    };
  }

  return {
    id,
    model: context.rest,
    embed,
    cacheScope: () => `ollama ${baseUrl}`,
    call(request: ProviderRequest): Promise<ProviderResponse> {
      const body = requestBody(context.rest, request, stream);
      return stream ? callStreaming(body, request.signal) : callOnce(body, request.signal);
    },
  };
}

/**
 * Normalises OLLAMA_HOST the way the Ollama CLI reads it: `host:port` or a bare host gets `http://`,
 * and a missing port is 11434.
 */
export function ollamaBaseUrl(value: string | undefined): string {
  const text = value?.trim();
  if (!text) return DEFAULT_HOST;
  if (text.includes('://')) return text.replace(/\/+$/, '');
  const url = new URL(`http://${text}`);
  if (!url.port) url.port = DEFAULT_PORT;
  return url.toString().replace(/\/+$/, '');
}

function requestBody(model: string, request: ProviderRequest, stream: boolean): Record<string, unknown> {
  const { max_tokens: maxTokens, stream: _stream, options: given, ...config } = request.config;
  const topLevel: Record<string, unknown> = {};
  // An `options` object in the config is Ollama's own spelling: its entries are model options too.
  const options: Record<string, unknown> =
    typeof given === 'object' && given !== null ? { ...(given as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) (TOP_LEVEL_KEYS.has(key) ? topLevel : options)[key] = value;
  }
  if (maxTokens !== undefined) options.num_predict = maxTokens;
  // Ollama streams unless told otherwise, so `stream` is always explicit.
  return {
    model,
    messages: request.messages,
    stream,
    ...topLevel,
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

/** Tool calls of a message; Ollama sends `arguments` as an object, kept as its JSON text. */
function toolCallsOf(message: OllamaMessage): ToolCall[] {
  return (message.message?.tool_calls ?? []).map(({ function: call }) => ({
    name: call.name,
    arguments: JSON.stringify(call.arguments ?? {}),
  }));
}

function toResponse(
  final: OllamaMessage,
  output: string,
  source: unknown,
  toolCalls: ToolCall[],
): ProviderResponse {
  return {
    output: output || (toolCalls.length > 0 ? toolCallOutput(toolCalls) : ''),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    usage: usageOf(final, source),
    ...(final.model ? { model: final.model } : {}),
    ...(final.done_reason ? { finishReason: final.done_reason } : {}),
    costUsd: 0,
  };
}

// A missing prompt_eval_count (prompt served from Ollama's cache) is unknown, never 0.
function usageOf(final: OllamaMessage, source: unknown): Usage {
  const raw: Record<string, unknown> = {};
  if (typeof source === 'object' && source !== null) {
    for (const key of METRIC_KEYS) if (key in source) raw[key] = (source as Record<string, unknown>)[key];
  }
  return {
    ...(final.prompt_eval_count !== undefined ? { inputTokens: final.prompt_eval_count } : {}),
    ...(final.eval_count !== undefined ? { outputTokens: final.eval_count } : {}),
    raw,
  };
}

function errorFromResponse(
  response: JsonResponse,
  id: string,
  model: string,
  secret?: string,
): ProviderError {
  const { status, body, headers } = response;
  const detail =
    typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string'
      ? body.error
      : undefined;
  const text = detail ?? (typeof body === 'string' && body ? body.slice(0, 200) : 'no error message');
  let hint = '';
  if (status === 404) {
    // A JSON error names the model; Go's plain-text 404 means the URL is wrong.
    hint = detail
      ? ` (run \`ollama pull ${model}\` on the server)`
      : ' (check base_url: it should be the server root, e.g. http://127.0.0.1:11434)';
  }
  const retryAfter = retryAfterMs(headers);
  // Ollama Cloud answers a spent session/hourly/weekly allowance with 429 "…reached your … usage limit":
  // retrying before the window resets only burns attempts.
  const quota = status === 429 && detail !== undefined && USAGE_LIMIT.test(detail);
  return new ProviderError(
    quota ? 'quota' : classifyStatus(status),
    redact(`${id}: HTTP ${status}: ${text}${hint}`, [secret]),
    {
      status,
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    },
  );
}
