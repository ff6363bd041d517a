/**
 * Responses API bodies: the `response` object and its named SSE events (`response.created` …
 * `response.completed`, each with `type` and `sequence_number`), in OpenAI's shapes. A forced tool choice
 * answers with a `function_call` item; asked-for reasoning adds a `reasoning` item and reasoning tokens.
 */
import { answer, estimateTokens, splitTokens, truncateToTokens } from '../answer.js';
import type { MockReply, MockRequest } from '../dialect.js';
import { requestedReply, type StreamFault } from '../stream-faults.js';
import type { FunctionTool, ResponsesRequest } from './openai-responses-request.js';

/** The mock's reasoning summary text and its count of reasoning tokens. */
export const REASONING_SUMMARY = 'Worked it out step by step.';
export const REASONING_TOKENS = 8;

interface Composed {
  id: string;
  createdAt: number;
  model: string;
  /** The answer text; undefined when the answer is a function call. */
  text: string | undefined;
  call: { callId: string; name: string; arguments: string } | undefined;
  reasoning: { summary: boolean } | undefined;
  incomplete: boolean;
  inputTokens: number;
  outputTokens: number;
}

export function responsesReply(
  request: MockRequest,
  parsed: ResponsesRequest,
  fault: StreamFault | undefined,
): MockReply {
  const composed = compose(request, parsed);
  const tokens = composed.inputTokens + composed.outputTokens;
  if (parsed.stream) {
    return {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
      body: streamEvents(composed, fault),
      tokens,
    };
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(responseObject(composed, 'final')),
    tokens,
  };
}

function compose(request: MockRequest, parsed: ResponsesRequest): Composed {
  const id = request.sequence.toString(16).padStart(16, '0');
  const reasoningTokens = parsed.reasoning ? REASONING_TOKENS : 0;
  const base = {
    id,
    createdAt: Math.floor(Date.now() / 1000),
    model: parsed.model,
    reasoning: parsed.reasoning,
    inputTokens: estimateTokens(parsed.promptChars),
  };
  if (parsed.forcedTool) {
    const args = JSON.stringify(sampleArguments(parsed.forcedTool));
    return {
      ...base,
      text: undefined,
      call: { callId: `call_mock${id}`, name: parsed.forcedTool.name, arguments: args },
      incomplete: false,
      outputTokens: estimateTokens(args.length) + reasoningTokens,
    };
  }
  const full = answer(parsed.lastUserText, { json: parsed.json, reply: requestedReply(request.headers) });
  // Reasoning tokens count against max_output_tokens, as OpenAI's do.
  const budget = parsed.maxOutputTokens === undefined ? undefined : parsed.maxOutputTokens - reasoningTokens;
  const { text, truncated } =
    budget === undefined ? { text: full, truncated: false } : truncateToTokens(full, Math.max(budget, 0));
  return {
    ...base,
    text,
    call: undefined,
    incomplete: truncated,
    outputTokens: estimateTokens(text.length) + reasoningTokens,
  };
}

/** A minimal instance of a tool's JSON Schema parameters: required properties with placeholder values. */
function sampleArguments(tool: FunctionTool): Record<string, unknown> {
  return sampleObject(tool.parameters);
}

function sampleObject(schema: unknown): Record<string, unknown> {
  const value = schema as { properties?: Record<string, unknown>; required?: unknown } | undefined;
  const required = Array.isArray(value?.required) ? (value.required as string[]) : [];
  return Object.fromEntries(required.map((name) => [name, sample(value?.properties?.[name])]));
}

function sample(schema: unknown): unknown {
  const value = (schema ?? {}) as { type?: unknown; enum?: unknown };
  if (Array.isArray(value.enum) && value.enum.length > 0) return value.enum[0];
  switch (value.type) {
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return sampleObject(schema);
    default:
      return 'mock';
  }
}

type Stage = 'start' | 'final';

function outputItems(composed: Composed): unknown[] {
  const items: unknown[] = [];
  if (composed.reasoning) items.push(reasoningItem(composed));
  if (composed.call) items.push(functionCallItem(composed, 'completed'));
  if (composed.text !== undefined) items.push(messageItem(composed, composed.text, 'completed'));
  return items;
}

function reasoningItem(composed: Composed): unknown {
  return {
    id: `rs_mock${composed.id}`,
    type: 'reasoning',
    summary: composed.reasoning?.summary ? [{ type: 'summary_text', text: REASONING_SUMMARY }] : [],
  };
}

function messageItem(composed: Composed, text: string, status: string): unknown {
  return {
    id: `msg_mock${composed.id}`,
    type: 'message',
    status,
    role: 'assistant',
    content: status === 'in_progress' ? [] : [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

function functionCallItem(composed: Composed, status: string): unknown {
  const call = composed.call!;
  return {
    id: `fc_mock${composed.id}`,
    type: 'function_call',
    status,
    call_id: call.callId,
    name: call.name,
    arguments: status === 'in_progress' ? '' : call.arguments,
  };
}

function responseObject(composed: Composed, stage: Stage): unknown {
  const status = stage === 'start' ? 'in_progress' : composed.incomplete ? 'incomplete' : 'completed';
  const reasoningTokens = composed.reasoning ? REASONING_TOKENS : 0;
  return {
    id: `resp_mock${composed.id}`,
    object: 'response',
    created_at: composed.createdAt,
    status,
    error: null,
    incomplete_details: stage === 'final' && composed.incomplete ? { reason: 'max_output_tokens' } : null,
    model: composed.model,
    output: stage === 'start' ? [] : outputItems(composed),
    parallel_tool_calls: true,
    usage:
      stage === 'start'
        ? null
        : {
            input_tokens: composed.inputTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: composed.outputTokens,
            output_tokens_details: { reasoning_tokens: reasoningTokens },
            total_tokens: composed.inputTokens + composed.outputTokens,
          },
  };
}

const STREAM_ERROR = {
  code: 'server_error',
  message: 'The server had an error while processing your request.',
  param: null,
};

/**
 * The named events of a streamed response, each `event: <type>` with `data` carrying `type` and
 * `sequence_number`. An in-band `error` event replaces the rest after the first delta when asked for.
 */
function streamEvents(composed: Composed, fault: StreamFault | undefined): string[] {
  let sequence = 0;
  const events: string[] = [];
  const emit = (type: string, data: Record<string, unknown>) =>
    events.push(
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`,
    );
  /** Emits the deltas; false when the stream broke off with an error after the first. */
  const deltas = (type: string, pieces: string[], at: Record<string, unknown>): boolean => {
    for (const [position, piece] of pieces.entries()) {
      emit(type, { ...at, delta: piece });
      if (fault === 'error' && position === 0) {
        emit('error', STREAM_ERROR);
        return false;
      }
    }
    return true;
  };
  emit('response.created', { response: responseObject(composed, 'start') });
  emit('response.in_progress', { response: responseObject(composed, 'start') });
  let index = 0;
  if (composed.reasoning) {
    emit('response.output_item.added', { output_index: index, item: reasoningItem(composed) });
    emit('response.output_item.done', { output_index: index, item: reasoningItem(composed) });
    index++;
  }
  const firstContent = events.length;
  if (composed.call) {
    const at = { item_id: `fc_mock${composed.id}`, output_index: index };
    const args = composed.call.arguments;
    emit('response.output_item.added', {
      output_index: index,
      item: functionCallItem(composed, 'in_progress'),
    });
    if (!deltas('response.function_call_arguments.delta', splitTokens(args), at)) return events;
    emit('response.function_call_arguments.done', { ...at, arguments: args });
    emit('response.output_item.done', { output_index: index, item: functionCallItem(composed, 'completed') });
  }
  if (composed.text !== undefined) {
    const text = composed.text;
    const at = { item_id: `msg_mock${composed.id}`, output_index: index, content_index: 0 };
    emit('response.output_item.added', {
      output_index: index,
      item: messageItem(composed, text, 'in_progress'),
    });
    emit('response.content_part.added', { ...at, part: { type: 'output_text', text: '', annotations: [] } });
    if (!deltas('response.output_text.delta', splitTokens(text), { ...at, logprobs: [] })) return events;
    emit('response.output_text.done', { ...at, text, logprobs: [] });
    emit('response.content_part.done', { ...at, part: { type: 'output_text', text, annotations: [] } });
    emit('response.output_item.done', {
      output_index: index,
      item: messageItem(composed, text, 'completed'),
    });
  }
  // One garbled event after the first content event; the rest comes whole.
  if (fault === 'malformed')
    events.splice(Math.min(firstContent + 2, events.length), 0, 'data: {"type": "response.\n\n');
  if (fault === 'truncate') return events;
  const final = composed.incomplete ? 'response.incomplete' : 'response.completed';
  emit(final, { response: responseObject(composed, 'final') });
  return events;
}
