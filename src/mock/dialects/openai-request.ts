/**
 * Validates a Chat Completions request the way OpenAI does and extracts what the mock needs. Messages
 * and codes follow OpenAI's own 400 responses.
 */
import type { ToolChoice, ToolSpec, ToolUse } from '../tools.js';
import type { OpenAiError } from './openai-errors.js';

/** What the mock uses from a valid request. */
export interface ChatRequest {
  model: string;
  /** Text of the last `user` or `tool` message (text parts joined by newlines). */
  lastUserText: string;
  /** The last of those is a `tool` message (a tool result). */
  toolResult: boolean;
  /** Characters over all message contents, for `prompt_tokens`. */
  promptChars: number;
  /** `max_completion_tokens`, else `max_tokens`. */
  maxTokens: number | undefined;
  stream: boolean;
  includeUsage: boolean;
  /** `response_format` asks for JSON. */
  json: boolean;
  /** `tools`, `tool_choice` and `parallel_tool_calls`; undefined without tools. */
  tools: ToolUse | undefined;
}

export type ChatParse = { ok: true; request: ChatRequest } | { ok: false; error: OpenAiError };

const ROLES = new Set(['system', 'user', 'assistant', 'tool', 'developer']);
const PART_TYPES = new Set(['text', 'image_url', 'input_audio', 'file', 'refusal']);
/** OpenAI's message for a body that is not JSON. */
export const UNPARSABLE =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";

class Invalid {
  constructor(readonly error: OpenAiError) {}
}

export function parseChatRequest(body: unknown): ChatParse {
  try {
    return { ok: true, request: parse(body) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.error };
    throw error;
  }
}

function parse(body: unknown): ChatRequest {
  if (body === undefined) throw invalid(UNPARSABLE, null, null);
  if (!isObject(body)) throw wrongType('body', 'an object', body);
  const { model, messages } = body;
  if (model === undefined || model === null || model === '') {
    throw invalid('you must provide a model parameter', null, null);
  }
  if (typeof model !== 'string') throw wrongType('model', 'a string', model);
  const { lastUserText, toolResult, promptChars } = readMessages(messages);
  optionalRange(body, 'temperature', 0, 2);
  optionalRange(body, 'top_p', 0, 1);
  const maxTokens =
    optionalPositiveInteger(body, 'max_completion_tokens') ?? optionalPositiveInteger(body, 'max_tokens');
  const stream = optionalBoolean(body, 'stream') ?? false;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream) {
      throw invalid(
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        'stream_options',
        null,
      );
    }
    if (!isObject(streamOptions)) throw wrongType('stream_options', 'an object', streamOptions);
  }
  const includeUsage = isObject(streamOptions) && streamOptions.include_usage === true;
  const format = body.response_format;
  const json = isObject(format) && (format.type === 'json_object' || format.type === 'json_schema');
  const tools = readTools(body);
  return { model, lastUserText, toolResult, promptChars, maxTokens, stream, includeUsage, json, tools };
}

function readMessages(messages: unknown): { lastUserText: string; toolResult: boolean; promptChars: number } {
  if (messages === undefined || messages === null) throw missing('messages');
  if (!Array.isArray(messages)) throw wrongType('messages', 'an array of objects', messages);
  if (messages.length === 0) {
    const message =
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.";
    throw invalid(message, 'messages', 'empty_array');
  }
  let lastUserText = '';
  let toolResult = false;
  let promptChars = 0;
  messages.forEach((message: unknown, index) => {
    const param = `messages[${index}]`;
    if (!isObject(message)) throw wrongType(param, 'an object', message);
    const { role } = message;
    if (role === undefined) throw missing(`${param}.role`);
    if (typeof role !== 'string' || !ROLES.has(role)) {
      const supported = "'system', 'assistant', 'user', 'tool', and 'developer'";
      throw invalid(
        `Invalid value: '${String(role)}'. Supported values are: ${supported}.`,
        `${param}.role`,
        'invalid_value',
      );
    }
    if (role === 'tool' && typeof message.tool_call_id !== 'string') throw missing(`${param}.tool_call_id`);
    const text = contentText(message.content, `${param}.content`, role === 'assistant');
    promptChars += text.length;
    if (role === 'user' || role === 'tool') {
      lastUserText = text;
      toolResult = role === 'tool';
    }
  });
  return { lastUserText, toolResult, promptChars };
}

const TOOL_TYPES = new Set(['function', 'custom']);

/** Function tools are callable; custom (free-form) tools are accepted and never called. */
function readTools(body: Record<string, unknown>): ToolUse | undefined {
  const { tools, tool_choice: choice } = body;
  const specs: ToolSpec[] = [];
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) throw wrongType('tools', 'an array of objects', tools);
    tools.forEach((tool: unknown, index) => {
      const param = `tools[${index}]`;
      if (!isObject(tool)) throw wrongType(param, 'an object', tool);
      if (typeof tool.type !== 'string' || !TOOL_TYPES.has(tool.type)) {
        const message = `Invalid value: '${String(tool.type)}'. Supported values are: 'function' and 'custom'.`;
        throw invalid(message, `${param}.type`, 'invalid_value');
      }
      if (tool.type !== 'function') return;
      const fn = tool.function;
      if (!isObject(fn)) throw missing(`${param}.function`);
      if (typeof fn.name !== 'string' || fn.name === '') throw missing(`${param}.function.name`);
      specs.push({ name: fn.name, parameters: fn.parameters });
    });
  }
  if (choice === undefined || choice === null) {
    return specs.length > 0
      ? { tools: specs, choice: { mode: 'auto' }, parallel: parallel(body) }
      : undefined;
  }
  if (!Array.isArray(tools) || tools.length === 0) {
    const message =
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.";
    throw invalid(message, 'tool_choice', null);
  }
  return { tools: specs, choice: readToolChoice(choice, specs), parallel: parallel(body) };
}

function parallel(body: Record<string, unknown>): boolean {
  return (optionalBoolean(body, 'parallel_tool_calls') ?? true) === true;
}

function readToolChoice(choice: unknown, specs: readonly ToolSpec[]): ToolChoice {
  if (choice === 'none' || choice === 'auto' || choice === 'required') {
    return choice === 'none' ? { mode: 'none' } : { mode: choice };
  }
  if (typeof choice === 'string') {
    const message = `Invalid value: '${choice}'. Supported values are: 'none', 'auto', and 'required'.`;
    throw invalid(message, 'tool_choice', 'invalid_value');
  }
  if (!isObject(choice)) throw wrongType('tool_choice', 'one of a string or object', choice);
  if (choice.type === 'function') {
    const name = isObject(choice.function) ? choice.function.name : undefined;
    if (typeof name !== 'string') throw missing('tool_choice.function.name');
    requireTool(name, specs, 'tool_choice.function.name');
    return { mode: 'forced', name };
  }
  if (choice.type === 'allowed_tools' && isObject(choice.allowed_tools)) {
    const { mode, tools } = choice.allowed_tools;
    if (mode !== 'auto' && mode !== 'required') {
      const message = `Invalid value: '${String(mode)}'. Supported values are: 'auto' and 'required'.`;
      throw invalid(message, 'tool_choice.allowed_tools.mode', 'invalid_value');
    }
    if (!Array.isArray(tools)) throw missing('tool_choice.allowed_tools.tools');
    const names = tools.map((tool: unknown) =>
      isObject(tool) && isObject(tool.function) && typeof tool.function.name === 'string'
        ? tool.function.name
        : '',
    );
    for (const name of names) requireTool(name, specs, 'tool_choice.allowed_tools.tools');
    return { mode, names };
  }
  // A forced custom tool: accepted, and the mock (which never calls custom tools) answers with text.
  if (choice.type === 'custom') return { mode: 'none' };
  const message = `Invalid value: '${String(choice.type)}'. Supported values are: 'function', 'allowed_tools', and 'custom'.`;
  throw invalid(message, 'tool_choice.type', 'invalid_value');
}

function requireTool(name: string, specs: readonly ToolSpec[], param: string): void {
  if (specs.some((spec) => spec.name === name)) return;
  const message = `Invalid value for '${param}': no function named '${name}' is among the 'tools'.`;
  throw invalid(message, param, 'invalid_value');
}

function contentText(content: unknown, param: string, optional: boolean): string {
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) {
    if (optional) return '';
    throw missing(param);
  }
  if (!Array.isArray(content)) throw wrongType(param, 'one of a string or array of objects', content);
  const texts: string[] = [];
  content.forEach((part: unknown, index) => {
    const partParam = `${param}[${index}]`;
    if (!isObject(part)) throw wrongType(partParam, 'an object', part);
    if (typeof part.type !== 'string' || !PART_TYPES.has(part.type)) {
      const supported = "'text', 'image_url', 'input_audio', 'file', and 'refusal'";
      const message = `Invalid value: '${String(part.type)}'. Supported values are: ${supported}.`;
      throw invalid(message, `${partParam}.type`, 'invalid_value');
    }
    if (part.type !== 'text') return;
    if (typeof part.text !== 'string') throw missing(`${partParam}.text`);
    texts.push(part.text);
  });
  return texts.join('\n');
}

function optionalRange(body: Record<string, unknown>, name: string, min: number, max: number): void {
  const value = body[name];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(name, 'a decimal', value);
  if (value < min) {
    const message = `Invalid '${name}': decimal below minimum value. Expected a value >= ${min}, but got ${value} instead.`;
    throw invalid(message, name, 'decimal_below_min_value');
  }
  if (value > max) {
    const message = `Invalid '${name}': decimal above maximum value. Expected a value <= ${max}, but got ${value} instead.`;
    throw invalid(message, name, 'decimal_above_max_value');
  }
}

function optionalPositiveInteger(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(name, 'an integer', value);
  if (value < 1) {
    const message = `Invalid '${name}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`;
    throw invalid(message, name, 'integer_below_min_value');
  }
  return value;
}

function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(name, 'a boolean', value);
  return value;
}

function invalid(message: string, param: string | null, code: string | null): Invalid {
  return new Invalid({ message, type: 'invalid_request_error', param, code });
}

function missing(param: string): Invalid {
  return invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function wrongType(param: string, expected: string, value: unknown): Invalid {
  const message = `Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`;
  return invalid(message, param, 'invalid_type');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
