/** Reads an Anthropic Messages SSE stream into one response. */
import type { EventSourceMessage } from 'eventsource-parser';
import * as z from 'zod';
import { ProviderError } from '../errors.js';
import { type AnthropicUsage, errorFromStreamEvent, parseUsage, usageSchema } from './anthropic-wire.js';
import { type ProviderResponse, type ToolCall, toolCallOutput } from './provider.js';
import { truncatedStream } from './stream.js';

const startSchema = z.object({
  message: z.object({ model: z.string().optional(), usage: usageSchema.nullable().optional() }),
});
const blockStartSchema = z.object({
  index: z.number(),
  content_block: z.looseObject({
    type: z.string(),
    id: z.string().optional(),
    name: z.string().optional(),
    input: z.unknown().optional(),
  }),
});
const blockDeltaSchema = z.object({
  index: z.number().optional(),
  delta: z.object({
    type: z.string(),
    text: z.string().optional(),
    partial_json: z.string().optional(),
  }),
});
const messageDeltaSchema = z.object({
  delta: z.object({ stop_reason: z.string().nullable().optional() }).optional(),
  usage: usageSchema.nullable().optional(),
});

/** A `tool_use` block being streamed: its input arrives as `input_json_delta` fragments. */
interface ToolBlock {
  call: ToolCall;
  /** The block's `input` at start (`{}`), used when no fragment follows. */
  initial: unknown;
  json: string;
}

/**
 * Collects text deltas, tool-use blocks (input assembled from `input_json_delta` fragments by block
 * index), the model, the stop reason and usage (input from `message_start`, cumulative
 * counts from `message_delta`, which replace rather than add). `startedAt` is the `performance.now()` of
 * the request, for `ttftMs`. Ends at `message_stop`; EOF before it is a truncated (transient) stream.
 */
export async function readMessageStream(
  events: AsyncIterable<EventSourceMessage>,
  label: string,
  startedAt: number,
  secret: string,
): Promise<ProviderResponse> {
  let output = '';
  let usage: AnthropicUsage | undefined;
  let model: string | undefined;
  let finishReason: string | undefined;
  let ttftMs: number | undefined;
  const tools = new Map<number, ToolBlock>();
  for await (const event of events) {
    const data = parseData(event, label);
    const type = typeof data.type === 'string' ? data.type : event.event;
    switch (type) {
      case 'message_start': {
        const start = parse(startSchema, data, type, label);
        model = start.message.model ?? model;
        usage = { ...start.message.usage };
        break;
      }
      case 'content_block_start': {
        const { index, content_block: block } = parse(blockStartSchema, data, type, label);
        if (block.type !== 'tool_use' || block.name === undefined) break;
        const call: ToolCall = { ...(block.id ? { id: block.id } : {}), name: block.name, arguments: '' };
        tools.set(index, { call, initial: block.input ?? {}, json: '' });
        break;
      }
      case 'content_block_delta': {
        const { index, delta } = parse(blockDeltaSchema, data, type, label);
        if (delta.type === 'input_json_delta') {
          const tool = index === undefined ? undefined : tools.get(index);
          if (tool) tool.json += delta.partial_json ?? '';
          break;
        }
        // Thinking, signature and citation deltas are not part of the text output.
        if (delta.type !== 'text_delta') break;
        ttftMs ??= performance.now() - startedAt;
        output += delta.text ?? '';
        break;
      }
      case 'message_delta': {
        const delta = parse(messageDeltaSchema, data, type, label);
        finishReason = delta.delta?.stop_reason ?? finishReason;
        usage = { ...usage, ...withoutNulls(delta.usage ?? {}) };
        break;
      }
      case 'error':
        throw errorFromStreamEvent(data, label, secret);
      case 'message_stop': {
        const toolCalls = [...tools.values()].map(({ call, initial, json }) => ({
          ...call,
          arguments: json || JSON.stringify(initial),
        }));
        return {
          output: output || (toolCalls.length > 0 ? toolCallOutput(toolCalls) : ''),
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
          usage: parseUsage(usage),
          ...(model ? { model } : {}),
          ...(finishReason ? { finishReason } : {}),
          ...(ttftMs !== undefined ? { ttftMs } : {}),
        };
      }
      default:
      // ping, content_block_stop and event types added later carry nothing we use.
    }
  }
  throw truncatedStream(label, 'message_stop');
}

function parseData(event: EventSourceMessage, label: string): Record<string, unknown> {
  try {
    const data: unknown = JSON.parse(event.data);
    if (typeof data === 'object' && data !== null && !Array.isArray(data))
      return data as Record<string, unknown>;
  } catch {
    // Reported below with the offending text.
  }
  throw new ProviderError('transient', `${label}: malformed stream event: ${event.data.slice(0, 120)}`);
}

function parse<T>(schema: z.ZodType<T>, data: unknown, type: string, label: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  throw new ProviderError(
    'transient',
    `${label}: malformed ${type} event${where ? ` at ${where}` : ''}: ${issue?.message ?? 'unexpected shape'}`,
  );
}

function withoutNulls(usage: AnthropicUsage): AnthropicUsage {
  return Object.fromEntries(
    Object.entries(usage).filter(([, value]) => value !== null && value !== undefined),
  );
}
