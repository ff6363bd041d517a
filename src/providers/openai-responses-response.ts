/**
 * Reads OpenAI Responses API answers: one `response` object, or the named SSE events of a streamed one
 * (`response.output_text.delta` … `response.completed | response.incomplete | response.failed`).
 */
import type { EventSourceMessage } from 'eventsource-parser';
import * as z from 'zod';
import { ProviderError, type ProviderErrorKind } from '../errors.js';
import type { Usage } from '../types.js';
import { redact } from './http.js';
import { type ProviderResponse, type ToolCall, toolCallOutput } from './provider.js';
import { truncatedStream } from './stream.js';

// Loose: `Usage.raw` keeps the object as received (total_tokens, future details…).
const usageSchema = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  input_tokens_details: z.looseObject({ cached_tokens: z.number().optional() }).nullable().optional(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().optional() }).nullable().optional(),
});

const itemSchema = z.looseObject({
  type: z.string(),
  // message
  content: z
    .array(z.looseObject({ type: z.string(), text: z.string().optional(), refusal: z.string().optional() }))
    .optional(),
  // function_call
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
});
type OutputItem = z.infer<typeof itemSchema>;

const failureSchema = z
  .object({ code: z.string().nullable().optional(), message: z.string().nullable().optional() })
  .nullable()
  .optional();

/** Only the fields we read. */
const responseSchema = z.object({
  model: z.string().optional(),
  status: z.string().optional(),
  error: failureSchema,
  incomplete_details: z.object({ reason: z.string().nullable().optional() }).nullable().optional(),
  output: z.array(itemSchema).optional(),
  usage: usageSchema.nullable().optional(),
});
type ResponseObject = z.infer<typeof responseSchema>;

/** Normalised usage: input includes cached tokens, output includes reasoning tokens (as OpenAI bills them). */
export function parseResponsesUsage(raw: z.infer<typeof usageSchema> | null | undefined): Usage {
  if (!raw) return {};
  const cached = raw.input_tokens_details?.cached_tokens;
  const reasoning = raw.output_tokens_details?.reasoning_tokens;
  return {
    ...(raw.input_tokens !== undefined ? { inputTokens: raw.input_tokens } : {}),
    ...(raw.output_tokens !== undefined ? { outputTokens: raw.output_tokens } : {}),
    ...(cached !== undefined ? { cachedInputTokens: cached } : {}),
    ...(reasoning !== undefined ? { reasoningTokens: reasoning } : {}),
    raw,
  };
}

/** Text of the message items (refusals when there is no text), and the function calls, in output order. */
function readOutput(items: readonly OutputItem[]): { text: string; refusal: string; toolCalls: ToolCall[] } {
  let text = '';
  let refusal = '';
  const toolCalls: ToolCall[] = [];
  for (const item of items) {
    if (item.type === 'message') {
      for (const part of item.content ?? []) {
        if (part.type === 'output_text') text += part.text ?? '';
        else if (part.type === 'refusal') refusal += part.refusal ?? '';
      }
    } else if (item.type === 'function_call' && item.name !== undefined) {
      toolCalls.push({
        ...(item.call_id ? { id: item.call_id } : {}),
        name: item.name,
        arguments: item.arguments ?? '',
      });
    }
    // Reasoning summaries, web searches and other built-in tool items are not the answer.
  }
  return { text, refusal, toolCalls };
}

/**
 * Why the response ended: the incomplete reason (`max_output_tokens`, `content_filter`) or the status
 * (`completed`).
 */
function finishReasonOf(response: ResponseObject): string | undefined {
  return response.incomplete_details?.reason ?? response.status;
}

function toProviderResponse(response: ResponseObject, items: readonly OutputItem[]): ProviderResponse {
  const { text, refusal, toolCalls } = readOutput(items);
  const finishReason = finishReasonOf(response);
  return {
    output: text || refusal || (toolCalls.length > 0 ? toolCallOutput(toolCalls) : ''),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    usage: parseResponsesUsage(response.usage),
    ...(response.model ? { model: response.model } : {}),
    ...(finishReason ? { finishReason } : {}),
  };
}

/** A `failed` response or an `error` event: rate limits and server errors may pass; the rest will not. */
function failure(
  error: z.infer<typeof failureSchema>,
  label: string,
  secret: string | undefined,
  status?: number,
): ProviderError {
  const code = error?.code ?? undefined;
  let kind: ProviderErrorKind = 'permanent';
  if (code === 'rate_limit_exceeded') kind = 'rate_limit';
  else if (code === undefined || code === 'server_error' || code.endsWith('_timeout')) kind = 'transient';
  const message = `${label}: response failed${code ? ` (${code})` : ''}: ${error?.message ?? 'no error message'}`;
  return new ProviderError(kind, redact(message, [secret]), status === undefined ? {} : { status });
}

function parse(body: unknown, label: string, status?: number): ResponseObject {
  const parsed = responseSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ProviderError(
    'transient',
    `${label}: malformed response: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'unexpected shape'}`,
    status === undefined ? {} : { status },
  );
}

/** A complete (non-streamed) answer; a `failed` one is an error even though the HTTP status was 200. */
export function readResponse(
  body: unknown,
  label: string,
  status: number,
  secret: string | undefined,
): ProviderResponse {
  const response = parse(body, label, status);
  if (response.status === 'failed') throw failure(response.error, label, secret, status);
  return toProviderResponse(response, response.output ?? []);
}

const eventSchema = z.looseObject({
  type: z.string(),
  delta: z.string().optional(),
  output_index: z.number().optional(),
  item: itemSchema.optional(),
  response: z.unknown().optional(),
  code: z.string().nullable().optional(),
  message: z.string().nullable().optional(),
});

/**
 * Consumes the named events. The final `response.completed` (or `.incomplete`) carries the whole response
 * with its usage; items finished along the way (`response.output_item.done`) and text deltas stand in when
 * a server's final event repeats no output. `response.failed` and `error` events are classified failures;
 * EOF before a final event is a truncated (transient) stream. `startedAt` is the request's
 * `performance.now()`, for `ttftMs`.
 */
export async function readResponseStream(
  events: AsyncIterable<EventSourceMessage>,
  label: string,
  startedAt: number,
  secret: string | undefined,
): Promise<ProviderResponse> {
  let ttftMs: number | undefined;
  let deltaText = '';
  const doneItems: OutputItem[] = [];
  for await (const message of events) {
    const event = parseEvent(message, label);
    switch (event.type) {
      case 'response.output_text.delta':
        if (event.delta) ttftMs ??= performance.now() - startedAt;
        deltaText += event.delta ?? '';
        break;
      case 'response.output_item.done':
        if (event.item) doneItems.push(event.item);
        break;
      case 'response.completed':
      case 'response.incomplete': {
        const response = parse(event.response, label);
        const items = response.output?.length ? response.output : streamedItems(doneItems, deltaText);
        const result = toProviderResponse(response, items);
        return ttftMs === undefined ? result : { ...result, ttftMs };
      }
      case 'response.failed':
        throw failure(parse(event.response, label).error, label, secret);
      case 'error':
        throw failure({ code: event.code ?? null, message: event.message ?? null }, label, secret);
      default:
      // response.created, .in_progress, content parts, argument deltas, reasoning summaries: nothing we need.
    }
  }
  throw truncatedStream(label, 'response.completed');
}

/** The output as streamed: the finished items, or the text deltas when no message item was finished. */
function streamedItems(done: OutputItem[], text: string): OutputItem[] {
  if (done.some((item) => item.type === 'message') || !text) return done;
  return [{ type: 'message', content: [{ type: 'output_text', text }] }, ...done];
}

function parseEvent(message: EventSourceMessage, label: string): z.infer<typeof eventSchema> {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    throw new ProviderError('transient', `${label}: malformed stream event: ${message.data.slice(0, 120)}`);
  }
  const parsed = eventSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  // Some servers name the event only in the SSE `event:` field.
  if (message.event && typeof data === 'object' && data !== null) {
    const named = eventSchema.safeParse({ ...data, type: message.event });
    if (named.success) return named.data;
  }
  throw new ProviderError('transient', `${label}: malformed stream event: ${message.data.slice(0, 120)}`);
}
