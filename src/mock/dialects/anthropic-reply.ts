/** Messages API bodies: the JSON message and the SSE event stream, in Anthropic's exact shapes. */
import { answer, estimateTokens, splitTokens, truncateToTokens } from '../answer.js';
import type { MockReply, MockRequest } from '../dialect.js';
import { requestedReply, type StreamFault } from '../stream-faults.js';
import { chooseToolCalls } from '../tools.js';
import type { MessagesRequest } from './anthropic-request.js';

type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
  /** Who called: the model itself (not code execution), which the SDK's types require. */
  caller: { type: 'direct' };
}

interface Message {
  id: string;
  model: string;
  text: string;
  /** When not empty, the content is these blocks instead of text, and `stop_reason` is `tool_use`. */
  toolUses: ToolUseBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  inputTokens: number;
  outputTokens: number;
}

/** Answers a validated request, as one JSON body or as SSE events (`fault` only affects streams). */
export function messagesReply(
  request: MockRequest,
  parsed: MessagesRequest,
  fault: StreamFault | undefined,
): MockReply {
  const message = compose(request, parsed);
  const tokens = message.inputTokens + message.outputTokens;
  const headers = { 'request-id': request.requestId };
  if (parsed.stream) {
    return {
      status: 200,
      headers: {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      },
      body: streamEvents(message, fault),
      tokens,
    };
  }
  return {
    status: 200,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(messageBody(message)),
    tokens,
  };
}

// Generation stops at the first stop sequence or at max_tokens, whichever comes first.
function compose(request: MockRequest, parsed: MessagesRequest): Message {
  const id = `msg_mock${request.sequence.toString(16).padStart(16, '0')}`;
  const calls = chooseToolCalls(parsed.tools, { text: parsed.lastUserText, toolResult: parsed.toolResult });
  if (calls.length > 0) {
    const toolUses = calls.map(
      (call, index): ToolUseBlock => ({
        type: 'tool_use',
        id: `toolu_mock${request.sequence.toString(16).padStart(12, '0')}x${index}`,
        name: call.name,
        input: call.arguments,
        caller: { type: 'direct' },
      }),
    );
    const inputChars = toolUses.reduce((sum, block) => sum + JSON.stringify(block.input).length, 0);
    return {
      id,
      model: parsed.model,
      text: '',
      toolUses,
      stopReason: 'tool_use',
      stopSequence: null,
      inputTokens: estimateTokens(parsed.promptChars),
      outputTokens: estimateTokens(inputChars),
    };
  }
  let text = answer(parsed.lastUserText, { json: parsed.json, reply: requestedReply(request.headers) });
  let stopReason: StopReason = 'end_turn';
  let stopSequence: string | null = null;
  for (const sequence of parsed.stopSequences) {
    const at = sequence === '' ? -1 : text.indexOf(sequence);
    if (at < 0) continue;
    text = text.slice(0, at);
    stopReason = 'stop_sequence';
    stopSequence = sequence;
  }
  const limited = truncateToTokens(text, parsed.maxTokens);
  if (limited.truncated) {
    text = limited.text;
    stopReason = 'max_tokens';
    stopSequence = null;
  }
  return {
    id,
    model: parsed.model,
    text,
    toolUses: [],
    stopReason,
    stopSequence,
    inputTokens: estimateTokens(parsed.promptChars),
    outputTokens: estimateTokens(text.length),
  };
}

/**
 * The Message object with every field the API reference lists, `null` where the mock has nothing to
 * report (no container, no refusal details, no server tools), as the official SDK's types expect.
 */
function messageBody(message: Message): unknown {
  return {
    id: message.id,
    type: 'message',
    role: 'assistant',
    model: message.model,
    content:
      message.toolUses.length > 0
        ? message.toolUses
        : [{ type: 'text', text: message.text, citations: null }],
    stop_reason: message.stopReason,
    stop_sequence: message.stopSequence,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: usage(message.inputTokens, message.outputTokens),
  };
}

function usage(inputTokens: number, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: 'standard',
    inference_geo: null,
    speed: null,
  };
}

function sse(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

// Input usage comes first in message_start; message_delta carries the cumulative output count.
function streamEvents(message: Message, fault: StreamFault | undefined): string[] {
  const start = {
    id: message.id,
    type: 'message',
    role: 'assistant',
    content: [],
    model: message.model,
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: usage(message.inputTokens, 1),
  };
  const blocks = message.toolUses.length > 0 ? message.toolUses.map(toolUseBlock) : [textBlock(message.text)];
  const events = [
    sse('message_start', { type: 'message_start', message: start }),
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: blocks[0]!.start }),
    sse('ping', { type: 'ping' }),
  ];
  // Block after block: each block's deltas, its stop, then the next block's start.
  const deltas = blocks.flatMap((block, index) => [
    ...(index === 0
      ? []
      : [sse('content_block_start', { type: 'content_block_start', index, content_block: block.start })]),
    ...block.deltas.map((delta) => sse('content_block_delta', { type: 'content_block_delta', index, delta })),
    ...(index === blocks.length - 1
      ? []
      : [sse('content_block_stop', { type: 'content_block_stop', index })]),
  ]);
  if (fault === 'error') {
    // The status stays 200; the error arrives as an event after the first delta and ends the stream.
    events.push(...deltas.slice(0, 1), OVERLOADED_EVENT);
    return events;
  }
  // One garbled event after the first delta (first of all when the answer is empty); the rest comes whole.
  if (fault === 'malformed') deltas.splice(1, 0, MALFORMED_EVENT);
  for (const delta of deltas) events.push(delta);
  // Truncated: the content arrives, the closing events never do.
  if (fault === 'truncate') return events;
  events.push(
    sse('content_block_stop', { type: 'content_block_stop', index: blocks.length - 1 }),
    sse('message_delta', {
      type: 'message_delta',
      delta: {
        stop_reason: message.stopReason,
        stop_sequence: message.stopSequence,
        stop_details: null,
        container: null,
      },
      // Cumulative counts, input included, as the API sends them at the end of a stream.
      usage: {
        input_tokens: message.inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: message.outputTokens,
        output_tokens_details: null,
        server_tool_use: null,
      },
    }),
    sse('message_stop', { type: 'message_stop' }),
  );
  return events;
}

interface StreamedBlock {
  start: unknown;
  deltas: unknown[];
}

function textBlock(text: string): StreamedBlock {
  return {
    start: { type: 'text', text: '', citations: null },
    deltas: splitTokens(text).map((piece) => ({ type: 'text_delta', text: piece })),
  };
}

// The input arrives as JSON text in pieces; the block starts with an empty input object.
function toolUseBlock(block: ToolUseBlock): StreamedBlock {
  const json = JSON.stringify(block.input);
  return {
    start: { type: 'tool_use', id: block.id, name: block.name, input: {}, caller: block.caller },
    deltas: ['', ...splitTokens(json)].map((piece) => ({ type: 'input_json_delta', partial_json: piece })),
  };
}

// A content_block_delta cut short, as a proxy that mangles one event would deliver it.
const MALFORMED_EVENT =
  'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {\n\n';

// As the SDK's fixtures and aibridge's `stream_error` show it.
const OVERLOADED_EVENT = sse('error', {
  type: 'error',
  error: { type: 'overloaded_error', message: 'Overloaded' },
});
