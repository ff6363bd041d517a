/**
 * Builds an OpenAI Responses API request body (`POST /v1/responses`) from the platform's messages and
 * generation config. Chat Completions spellings a config may carry over (`response_format`,
 * `reasoning_effort`, tools nested under `function`) are rewritten into the Responses shapes, so one config
 * works for `openai:` and `openai:responses:` alike.
 */
import type { ChatMessage, GenerationConfig } from '../types.js';
import type { ConfigKeys } from './config-keys.js';

/**
 * Responses request fields (openai-node `ResponseCreateParamsBase`) less model, input and stream, plus
 * the platform's max_tokens and the Chat Completions spellings rewritten below.
 */
export const RESPONSES_KEYS: ConfigKeys = {
  api: 'the OpenAI Responses API',
  accepted: new Set([
    'temperature',
    'max_tokens',
    'max_output_tokens',
    'top_p',
    'response_format',
    'reasoning_effort',
    'context_management',
    'conversation',
    'include',
    'instructions',
    'max_tool_calls',
    'metadata',
    'parallel_tool_calls',
    'previous_response_id',
    'prompt',
    'prompt_cache_key',
    'prompt_cache_retention',
    'reasoning',
    'safety_identifier',
    'service_tier',
    'store',
    'text',
    'tool_choice',
    'tools',
    'top_logprobs',
    'truncation',
    'user',
    // The target's `stream` option decides the transport; accepted and not sent.
    'stream',
    'stream_options',
  ]),
  reasons: {
    seed: 'the Responses API has no seed',
    stop: 'the Responses API has no stop sequences',
    max_completion_tokens: 'use max_tokens, sent as max_output_tokens',
    background: 'a background response answers before it is done; Assay reads the answer in the same call',
  },
};

/**
 * The body: messages as `input` items (`{ role, content }`, system messages included in place), the
 * platform's max_tokens as `max_output_tokens`, Chat Completions spellings rewritten, `stream: true`
 * when streaming. Keys outside RESPONSES_KEYS are the ConfigGate's to refuse.
 */
export function responsesBody(
  model: string,
  messages: readonly ChatMessage[],
  config: GenerationConfig,
  stream: boolean,
): Record<string, unknown> {
  const {
    max_tokens: maxTokens,
    response_format: responseFormat,
    reasoning_effort: effort,
    tools,
    tool_choice: toolChoice,
    stream: _stream,
    stream_options: _streamOptions,
    ...rest
  } = config;
  const body: Record<string, unknown> = {
    ...rest,
    model,
    input: messages.map(({ role, content }) => ({ role, content })),
  };
  if (maxTokens !== undefined) body.max_output_tokens = maxTokens;
  if (responseFormat !== undefined)
    body.text = { ...asObject(rest.text), format: textFormat(responseFormat) };
  if (effort !== undefined) body.reasoning = { ...asObject(rest.reasoning), effort };
  if (Array.isArray(tools)) body.tools = tools.map(flatTool);
  else if (tools !== undefined) body.tools = tools;
  if (toolChoice !== undefined) body.tool_choice = flatToolChoice(toolChoice);
  if (stream) body.stream = true;
  return body;
}

/** Chat's `{ type: json_schema, json_schema: { name, schema, strict } }` is flat in `text.format`. */
function textFormat(format: unknown): unknown {
  const value = asObject(format);
  if (value.type !== 'json_schema' || typeof value.json_schema !== 'object' || value.json_schema === null)
    return format;
  return { type: 'json_schema', ...(value.json_schema as Record<string, unknown>) };
}

/** Chat's `{ type: function, function: { name, parameters… } }` is flat in Responses. */
function flatTool(tool: unknown): unknown {
  const value = asObject(tool);
  if (value.type !== 'function' || typeof value.function !== 'object' || value.function === null) return tool;
  return { type: 'function', ...(value.function as Record<string, unknown>) };
}

/** Chat's `{ type: function, function: { name } }` is `{ type: function, name }` in Responses. */
function flatToolChoice(choice: unknown): unknown {
  const value = asObject(choice);
  const inner = asObject(value.function);
  return value.type === 'function' && typeof inner.name === 'string'
    ? { type: 'function', name: inner.name }
    : choice;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
