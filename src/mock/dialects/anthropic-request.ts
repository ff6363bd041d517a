/**
 * Validates a Messages request the way Anthropic does (pydantic-style `field: message` texts, always
 * `invalid_request_error`) and extracts what the mock needs.
 */
import type { ToolChoice, ToolSpec, ToolUse } from '../tools.js';

/** What the mock uses from a valid request. */
export interface MessagesRequest {
  model: string;
  /** Text of the last `user` message (its text blocks and tool results joined by newlines). */
  lastUserText: string;
  /** That message returns a tool result. */
  toolResult: boolean;
  /** Characters of `system` and every message's text, for `input_tokens`. */
  promptChars: number;
  maxTokens: number;
  stream: boolean;
  stopSequences: string[];
  /** `output_config.format` asks for structured output. */
  json: boolean;
  /** `tools` and `tool_choice`; undefined without tools. */
  tools: ToolUse | undefined;
}

export type MessagesParse = { ok: true; request: MessagesRequest } | { ok: false; message: string };

const BLOCK_TYPES = [
  'text',
  'image',
  'document',
  'search_result',
  'thinking',
  'redacted_thinking',
  'tool_use',
  'tool_result',
  'server_tool_use',
  'web_search_tool_result',
];
// OpenAI parameters Anthropic rejects; a client that leaks them gets the same 400 the real API sends.
const FOREIGN_FIELDS = [
  'seed',
  'stop',
  'n',
  'frequency_penalty',
  'presence_penalty',
  'logprobs',
  'response_format',
  'max_completion_tokens',
  'stream_options',
];
const SYSTEM_ROLE =
  'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';

class Invalid {
  constructor(readonly message: string) {}
}

export function parseMessagesRequest(body: unknown, invalidJson: boolean): MessagesParse {
  try {
    return { ok: true, request: parse(body, invalidJson) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, message: error.message };
    throw error;
  }
}

function parse(body: unknown, invalidJson: boolean): MessagesRequest {
  if (invalidJson || body === undefined) {
    throw new Invalid('There was an issue with your request body: it is not valid JSON.');
  }
  if (!isObject(body)) throw new Invalid('Input should be a valid dictionary or object');
  const model = body.model;
  if (model === undefined) throw new Invalid('model: Field required');
  if (typeof model !== 'string' || model === '') throw new Invalid('model: Input should be a valid string');
  const maxTokens = body.max_tokens;
  if (maxTokens === undefined) throw new Invalid('max_tokens: Field required');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens)) {
    throw new Invalid('max_tokens: Input should be a valid integer');
  }
  if (maxTokens < 1) throw new Invalid('max_tokens: Input should be greater than or equal to 1');
  const { lastUserText, toolResult, messageChars } = readMessages(body.messages);
  const systemChars = readSystem(body.system);
  for (const field of FOREIGN_FIELDS) {
    if (field in body) throw new Invalid(`${field}: Extra inputs are not permitted`);
  }
  unitInterval(body, 'temperature');
  unitInterval(body, 'top_p');
  const stream = body.stream ?? false;
  if (typeof stream !== 'boolean') throw new Invalid('stream: Input should be a valid boolean');
  const stopSequences = body.stop_sequences ?? [];
  if (!Array.isArray(stopSequences) || !stopSequences.every((item) => typeof item === 'string')) {
    throw new Invalid('stop_sequences: Input should be a valid list of strings');
  }
  const outputConfig = body.output_config;
  const json = isObject(outputConfig) && isObject(outputConfig.format);
  return {
    model,
    lastUserText,
    toolResult,
    promptChars: systemChars + messageChars,
    maxTokens,
    stream,
    stopSequences: stopSequences as string[],
    json,
    tools: readTools(body.tools, body.tool_choice),
  };
}

function readMessages(messages: unknown): {
  lastUserText: string;
  toolResult: boolean;
  messageChars: number;
} {
  if (messages === undefined) throw new Invalid('messages: Field required');
  if (!Array.isArray(messages)) throw new Invalid('messages: Input should be a valid list');
  if (messages.length === 0) throw new Invalid('messages: at least one message is required');
  let lastUserText = '';
  let toolResult = false;
  let messageChars = 0;
  messages.forEach((message: unknown, index) => {
    const where = `messages.${index}`;
    if (!isObject(message)) throw new Invalid(`${where}: Input should be a valid dictionary`);
    const { role } = message;
    if (role === 'system') throw new Invalid(SYSTEM_ROLE);
    if (role !== 'user' && role !== 'assistant') {
      throw new Invalid(`${where}.role: Input should be 'user' or 'assistant'`);
    }
    const text = contentText(message.content, where, index === messages.length - 1 && role === 'assistant');
    messageChars += text.length;
    if (role === 'user') {
      lastUserText = text;
      toolResult = Array.isArray(message.content) && message.content.some(isToolResult);
    }
  });
  return { lastUserText, toolResult, messageChars };
}

function isToolResult(block: unknown): boolean {
  return isObject(block) && block.type === 'tool_result';
}

const CHOICE_TYPES = ['auto', 'any', 'tool', 'none'];

/** Client tools (with an `input_schema`) are callable; server tools (web search…) are accepted and never called. */
function readTools(tools: unknown, choice: unknown): ToolUse | undefined {
  const specs: ToolSpec[] = [];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw new Invalid('tools: Input should be a valid list');
    tools.forEach((tool: unknown, index) => {
      const where = `tools.${index}`;
      if (!isObject(tool)) throw new Invalid(`${where}: Input should be a valid dictionary`);
      if (typeof tool.name !== 'string' || tool.name === '')
        throw new Invalid(`${where}.name: Field required`);
      const client = tool.type === undefined || tool.type === null || tool.type === 'custom';
      if (!client) return;
      if (!isObject(tool.input_schema)) throw new Invalid(`${where}.input_schema: Field required`);
      specs.push({ name: tool.name, parameters: tool.input_schema });
    });
  }
  if (choice === undefined) {
    return specs.length > 0 ? { tools: specs, choice: { mode: 'auto' }, parallel: true } : undefined;
  }
  if (!isObject(choice)) throw new Invalid('tool_choice: Input should be a valid dictionary');
  if (typeof choice.type !== 'string' || !CHOICE_TYPES.includes(choice.type)) {
    const expected = CHOICE_TYPES.map((type) => `'${type}'`).join(', ');
    throw new Invalid(
      `tool_choice: Input tag '${String(choice.type)}' found using 'type' does not match any of the expected tags: ${expected}`,
    );
  }
  if (!Array.isArray(tools) || tools.length === 0) {
    if (choice.type === 'none') return undefined;
    throw new Invalid('tool_choice: `tool_choice` may only be specified while providing tools.');
  }
  const parallel = choice.disable_parallel_tool_use !== true;
  return { tools: specs, choice: readChoice(choice, specs), parallel };
}

function readChoice(choice: Record<string, unknown>, specs: readonly ToolSpec[]): ToolChoice {
  if (choice.type === 'none') return { mode: 'none' };
  if (choice.type === 'auto') return { mode: 'auto' };
  if (choice.type === 'any') return { mode: 'required' };
  const { name } = choice;
  if (typeof name !== 'string') throw new Invalid('tool_choice.tool.name: Field required');
  if (!specs.some((spec) => spec.name === name)) {
    throw new Invalid(`tool_choice.name: Tool '${name}' not found in provided tools`);
  }
  return { mode: 'forced', name };
}

/** Only the final assistant message (a prefill) may be empty. */
function contentText(content: unknown, where: string, mayBeEmpty: boolean): string {
  const empty = `${where}: all messages must have non-empty content except for the optional final assistant message`;
  if (content === undefined) throw new Invalid(`${where}.content: Field required`);
  if (typeof content === 'string') {
    if (content === '' && !mayBeEmpty) throw new Invalid(empty);
    return content;
  }
  if (!Array.isArray(content)) throw new Invalid(`${where}.content: Input should be a valid string or list`);
  if (content.length === 0 && !mayBeEmpty) throw new Invalid(empty);
  return textBlocks(content, `${where}.content`).join('\n');
}

function readSystem(system: unknown): number {
  if (system === undefined) return 0;
  if (typeof system === 'string') return system.length;
  if (!Array.isArray(system)) throw new Invalid('system: Input should be a valid string or list');
  return textBlocks(system, 'system', ['text']).join('\n').length;
}

function textBlocks(blocks: unknown[], where: string, allowed = BLOCK_TYPES): string[] {
  const texts: string[] = [];
  blocks.forEach((block: unknown, index) => {
    const path = `${where}.${index}`;
    if (!isObject(block)) throw new Invalid(`${path}: Input should be a valid dictionary`);
    if (typeof block.type !== 'string' || !allowed.includes(block.type)) {
      const expected = allowed.map((type) => `'${type}'`).join(', ');
      throw new Invalid(
        `${path}: Input tag '${String(block.type)}' found using 'type' does not match any of the expected tags: ${expected}`,
      );
    }
    if (block.type === 'tool_result') {
      if (typeof block.tool_use_id !== 'string') throw new Invalid(`${path}.tool_use_id: Field required`);
      texts.push(toolResultText(block.content, `${path}.content`));
      return;
    }
    if (block.type !== 'text') return;
    if (typeof block.text !== 'string') throw new Invalid(`${path}.text: Field required`);
    if (block.text === '') throw new Invalid(`${path}.text: text content blocks must be non-empty`);
    texts.push(block.text);
  });
  return texts;
}

/** A tool result's content: a string or text (and image, document…) blocks; it may be absent. */
function toolResultText(content: unknown, where: string): string {
  if (content === undefined || typeof content === 'string') return content ?? '';
  if (!Array.isArray(content)) throw new Invalid(`${where}: Input should be a valid string or list`);
  return textBlocks(content, where, ['text', 'image', 'document', 'search_result']).join('\n');
}

function unitInterval(body: Record<string, unknown>, name: string): void {
  const value = body[name];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Invalid(`${name}: Input should be a valid number`);
  if (value < 0) throw new Invalid(`${name}: Input should be greater than or equal to 0`);
  if (value > 1) throw new Invalid(`${name}: Input should be less than or equal to 1`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
