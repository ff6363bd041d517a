/**
 * Validates an OpenAI Responses API request (`POST /v1/responses`) the way OpenAI does and extracts what
 * the mock needs. Like the real API it refuses parameters it does not know (`Unknown parameter: 'seed'.`)
 * and function tools written in the Chat Completions shape (nested under `function`).
 */
import type { OpenAiError } from './openai-errors.js';
import { UNPARSABLE } from './openai-request.js';

/** Top-level fields of `ResponseCreateParams` (openai-node, src/resources/responses/responses.ts). */
const KNOWN_FIELDS = new Set([
  'background',
  'context_management',
  'conversation',
  'include',
  'input',
  'instructions',
  'max_output_tokens',
  'max_tool_calls',
  'metadata',
  'model',
  'moderation',
  'parallel_tool_calls',
  'previous_response_id',
  'prompt',
  'prompt_cache_key',
  'prompt_cache_retention',
  'reasoning',
  'safety_identifier',
  'service_tier',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'text',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'truncation',
  'user',
]);
const ROLES = new Set(['user', 'assistant', 'system', 'developer']);
/** OpenAI's smallest `max_output_tokens`. */
export const MIN_OUTPUT_TOKENS = 16;

export interface FunctionTool {
  name: string;
  parameters: unknown;
}

/** What the mock uses from a valid request. */
export interface ResponsesRequest {
  model: string;
  /** Text of the last user message (input_text parts joined by newlines); a string input is one. */
  lastUserText: string;
  /** Characters of the instructions and every message, for `input_tokens`. */
  promptChars: number;
  maxOutputTokens: number | undefined;
  stream: boolean;
  /** `text.format` asks for JSON (`json_schema` or `json_object`). */
  json: boolean;
  /** Reasoning asked for (an effort other than `none`), and whether with a summary. */
  reasoning: { summary: boolean } | undefined;
  /** The function tool `tool_choice` forces (`required`, or `{ type: function, name }`). */
  forcedTool: FunctionTool | undefined;
}

export type ResponsesParse = { ok: true; request: ResponsesRequest } | { ok: false; error: OpenAiError };

class Invalid {
  constructor(readonly error: OpenAiError) {}
}

export function parseResponsesRequest(body: unknown): ResponsesParse {
  try {
    return { ok: true, request: parse(body) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.error };
    throw error;
  }
}

function parse(body: unknown): ResponsesRequest {
  if (body === undefined) throw invalid(UNPARSABLE, null, null);
  if (!isObject(body)) throw invalid('Invalid type for body: expected an object.', null, 'invalid_type');
  for (const name of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(name)) throw invalid(`Unknown parameter: '${name}'.`, name, 'unknown_parameter');
  }
  const { model } = body;
  if (typeof model !== 'string' || model === '') throw missing('model');
  const instructions = typeof body.instructions === 'string' ? body.instructions : '';
  const { lastUserText, promptChars } = readInput(body.input);
  range(body, 'temperature', 0, 2);
  range(body, 'top_p', 0, 1);
  const maxOutputTokens = body.max_output_tokens ?? undefined;
  if (maxOutputTokens !== undefined) {
    if (typeof maxOutputTokens !== 'number' || !Number.isInteger(maxOutputTokens)) {
      throw invalid(
        "Invalid type for 'max_output_tokens': expected an integer.",
        'max_output_tokens',
        'invalid_type',
      );
    }
    if (maxOutputTokens < MIN_OUTPUT_TOKENS) {
      const message = `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= ${MIN_OUTPUT_TOKENS}, but got ${maxOutputTokens} instead.`;
      throw invalid(message, 'max_output_tokens', 'integer_below_min_value');
    }
  }
  const stream = body.stream === true;
  if (body.stream_options !== undefined && body.stream_options !== null && !stream) {
    throw invalid(
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
      null,
    );
  }
  const tools = readTools(body.tools);
  return {
    model,
    lastUserText,
    promptChars: promptChars + instructions.length,
    maxOutputTokens,
    stream,
    json: wantsJson(body.text),
    reasoning: readReasoning(body.reasoning),
    forcedTool: forcedTool(body.tool_choice, tools),
  };
}

function readInput(input: unknown): { lastUserText: string; promptChars: number } {
  if (input === undefined || input === null) return { lastUserText: '', promptChars: 0 };
  if (typeof input === 'string') return { lastUserText: input, promptChars: input.length };
  if (!Array.isArray(input)) throw wrongType('input', 'a string or an array', input);
  let lastUserText = '';
  let promptChars = 0;
  input.forEach((item: unknown, index) => {
    const param = `input[${index}]`;
    if (!isObject(item)) throw wrongType(param, 'an object', item);
    // Function call outputs, reasoning items and the like carry no role.
    if (item.type !== undefined && item.type !== 'message') return;
    if (typeof item.role !== 'string' || !ROLES.has(item.role)) {
      const message = `Invalid value: '${String(item.role)}'. Supported values are: 'user', 'assistant', 'system', and 'developer'.`;
      throw invalid(message, `${param}.role`, 'invalid_value');
    }
    const text = contentText(item.content, `${param}.content`);
    promptChars += text.length;
    if (item.role === 'user') lastUserText = text;
  });
  return { lastUserText, promptChars };
}

function contentText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw wrongType(param, 'a string or an array', content);
  return content
    .map((part: unknown) =>
      isObject(part) &&
      (part.type === 'input_text' || part.type === 'output_text') &&
      typeof part.text === 'string'
        ? part.text
        : '',
    )
    .filter(Boolean)
    .join('\n');
}

function readTools(tools: unknown): FunctionTool[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw wrongType('tools', 'an array', tools);
  const functions: FunctionTool[] = [];
  tools.forEach((tool: unknown, index) => {
    if (!isObject(tool)) throw wrongType(`tools[${index}]`, 'an object', tool);
    if (tool.type !== 'function') return;
    // The Chat Completions shape nests these under `function`; the Responses API wants them flat.
    if (typeof tool.name !== 'string') throw missing(`tools[${index}].name`);
    functions.push({ name: tool.name, parameters: tool.parameters });
  });
  return functions;
}

function forcedTool(choice: unknown, tools: FunctionTool[]): FunctionTool | undefined {
  if (choice === 'required') return tools[0];
  if (!isObject(choice) || choice.type !== 'function') return undefined;
  if (typeof choice.name !== 'string') throw missing('tool_choice.name');
  const tool = tools.find((candidate) => candidate.name === choice.name);
  if (!tool) {
    const message = `Tool choice '${choice.name}' not found in 'tools' parameter.`;
    throw invalid(message, 'tool_choice', null);
  }
  return tool;
}

function wantsJson(text: unknown): boolean {
  if (!isObject(text) || !isObject(text.format)) return false;
  const { format } = text;
  if (format.type === 'json_schema') {
    if (typeof format.name !== 'string') throw missing('text.format.name');
    if (!isObject(format.schema)) throw missing('text.format.schema');
    return true;
  }
  return format.type === 'json_object';
}

function readReasoning(reasoning: unknown): { summary: boolean } | undefined {
  if (!isObject(reasoning) || reasoning.effort === 'none') return undefined;
  const summary = reasoning.summary ?? reasoning.generate_summary;
  return { summary: typeof summary === 'string' && summary !== 'none' };
}

function range(body: Record<string, unknown>, name: string, min: number, max: number): void {
  const value = body[name];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(name, 'a decimal', value);
  if (value < min || value > max) {
    const message = `Invalid '${name}': decimal out of range. Expected a value between ${min} and ${max}, but got ${value} instead.`;
    throw invalid(message, name, value < min ? 'decimal_below_min_value' : 'decimal_above_max_value');
  }
}

function invalid(message: string, param: string | null, code: string | null): Invalid {
  return new Invalid({ message, type: 'invalid_request_error', param, code });
}

function missing(param: string): Invalid {
  return invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function wrongType(param: string, expected: string, value: unknown): Invalid {
  const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
  return invalid(
    `Invalid type for '${param}': expected ${expected}, but got ${got} instead.`,
    param,
    'invalid_type',
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
