/** Reads a streamed Chat Completions answer (SSE) into one response, classifying in-band failures. */
import type { EventSourceMessage } from 'eventsource-parser';
import * as z from 'zod';
import { ProviderError } from '../errors.js';
import { redact } from './http.js';
import { type ToolCall, toolCallOutput } from './provider.js';
import { truncatedStream } from './stream.js';

/** Only the fields we read from a chunk; `usage` stays loose so the raw object is kept whole. */
const chunkSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullable().optional(),
            refusal: z.string().nullable().optional(),
            tool_calls: z
              .array(
                z.object({
                  index: z.number(),
                  id: z.string().optional(),
                  function: z
                    .object({ name: z.string().optional(), arguments: z.string().optional() })
                    .optional(),
                }),
              )
              .nullable()
              .optional(),
          })
          .nullable()
          .optional(),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
  usage: z.looseObject({}).nullable().optional(),
  error: z.unknown().optional(),
});

export interface ChatStreamResult {
  output: string;
  /** The usage object of the final `choices: []` chunk, as received; undefined when none came. */
  rawUsage: Record<string, unknown> | undefined;
  model?: string;
  finishReason?: string;
  /** ms from `startedAt` to the first non-empty content delta. */
  ttftMs?: number;
  /** Tool calls assembled from their deltas (keyed by `index`). */
  toolCalls?: ToolCall[];
}

export interface ChatStreamContext {
  label: string;
  /** `performance.now()` when the request was sent. */
  startedAt: number;
  /** Removed from every message (servers sometimes echo the key). */
  secret: string | undefined;
}

/**
 * Consumes SSE events up to `[DONE]`. Chunks with an `error` key, `finish_reason: "error"`
 * (OpenRouter), `event: error`, malformed JSON and EOF without `[DONE]` are all transient: the
 * server failed after answering 200, and a new attempt may succeed.
 */
export async function readChatStream(
  events: AsyncIterable<EventSourceMessage>,
  context: ChatStreamContext,
): Promise<ChatStreamResult> {
  const { label, startedAt, secret } = context;
  const fail = (message: string) => new ProviderError('transient', redact(`${label}: ${message}`, [secret]));
  let content = '';
  let refusal = '';
  const result: Omit<ChatStreamResult, 'output'> = { rawUsage: undefined };
  const calls: ToolCall[] = [];
  for await (const event of events) {
    if (event.event === 'error') throw fail(`stream error: ${event.data.slice(0, 200)}`);
    if (event.data === '[DONE]') {
      if (calls.length > 0) result.toolCalls = calls.filter(Boolean);
      return {
        ...result,
        output: content || refusal || (calls.length ? toolCallOutput(calls.filter(Boolean)) : ''),
      };
    }
    const chunk = parseChunk(event.data);
    if (!chunk) throw fail(`malformed stream chunk: ${event.data.slice(0, 120)}`);
    if (chunk.error !== undefined && chunk.error !== null) {
      throw fail(`stream error: ${errorMessage(chunk.error)}`);
    }
    if (chunk.model) result.model = chunk.model;
    if (chunk.usage) result.rawUsage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const piece = choice.delta?.content ?? '';
    if (piece && result.ttftMs === undefined) result.ttftMs = performance.now() - startedAt;
    content += piece;
    refusal += choice.delta?.refusal ?? '';
    for (const delta of choice.delta?.tool_calls ?? []) {
      let call = calls[delta.index];
      if (!call) {
        call = { name: '', arguments: '' };
        calls[delta.index] = call;
      }
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name += delta.function.name;
      call.arguments += delta.function?.arguments ?? '';
    }
    if (choice.finish_reason === 'error') throw fail('stream ended with finish_reason "error"');
    if (choice.finish_reason) result.finishReason = choice.finish_reason;
  }
  throw truncatedStream(label, '[DONE]');
}

function parseChunk(data: string): z.infer<typeof chunkSchema> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = chunkSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (
    typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
  ) {
    const code =
      'code' in error && error.code !== null && error.code !== undefined ? ` (${String(error.code)})` : '';
    return `${error.message}${code}`;
  }
  return JSON.stringify(error).slice(0, 200);
}
