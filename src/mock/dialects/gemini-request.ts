/**
 * Validation of Gemini `GenerateContentRequest` bodies, with the messages Google sends for the mistakes
 * clients make. Field names are accepted in camelCase and snake_case, as proto-JSON parsing does.
 */
import type { ToolChoice, ToolSpec, ToolUse } from '../tools.js';

/** What the mock needs from a valid request. */
export interface GeminiRequest {
  /** Text of the last user turn (a `functionResponse` part counts as its JSON `response`). */
  lastUserText: string;
  /** That turn returns a function response. */
  toolResult: boolean;
  /** Characters of every text part, system instruction included, for the prompt token count. */
  promptChars: number;
  maxOutputTokens: number | undefined;
  /** `responseMimeType: application/json` asks for a JSON answer. */
  json: boolean;
  /** Thinking tokens to report: undefined without `thinkingConfig` or with `thinkingBudget: 0`. */
  thinking: { budget: number | undefined; includeThoughts: boolean } | undefined;
  /** Function declarations of `tools` and `toolConfig.functionCallingConfig`; undefined without any. */
  tools: ToolUse | undefined;
}

export type ParsedGeminiRequest =
  | { ok: true; request: GeminiRequest }
  | { ok: false; message: string; field?: string };

/** A 400 INVALID_ARGUMENT; `field` (snake_case path) adds a BadRequest field violation. */
class InvalidArgument extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const REQUEST_FIELDS = new Set([
  'model',
  'contents',
  'systemInstruction',
  'generationConfig',
  'tools',
  'toolConfig',
  'safetySettings',
  'cachedContent',
]);

const GENERATION_FIELDS = new Set([
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'responseModalities',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'enableEnhancedCivicAnswers',
  'speechConfig',
  'thinkingConfig',
  'imageConfig',
  'mediaResolution',
]);

const ROLES = new Set(['user', 'model']);

export function parseGeminiRequest(body: unknown, invalidJson: boolean): ParsedGeminiRequest {
  try {
    return { ok: true, request: readRequest(body, invalidJson) };
  } catch (error) {
    if (!(error instanceof InvalidArgument)) throw error;
    return { ok: false, message: error.message, ...(error.field ? { field: error.field } : {}) };
  }
}

function readRequest(body: unknown, invalidJson: boolean): GeminiRequest {
  if (invalidJson || body === undefined) {
    throw new InvalidArgument('Invalid JSON payload received. Unexpected token.');
  }
  if (!isObject(body)) {
    throw new InvalidArgument(
      `Invalid JSON payload received. Unknown name "": Root element must be a message.`,
    );
  }
  rejectUnknown(body, REQUEST_FIELDS, undefined);
  let promptChars = 0;
  const system = field(body, 'systemInstruction');
  if (isObject(system)) promptChars += partsText(field(system, 'parts')).length;
  const { lastUserText, toolResult, chars } = readContents(field(body, 'contents'));
  promptChars += chars;

  const config = field(body, 'generationConfig') ?? {};
  if (!isObject(config)) throw typeError('generation_config', 'TYPE_MESSAGE', config);
  rejectUnknown(config, GENERATION_FIELDS, 'generation_config');
  const maxOutputTokens = optionalNumber(config, 'maxOutputTokens', 'TYPE_INT32');
  optionalNumber(config, 'temperature', 'TYPE_FLOAT');
  optionalNumber(config, 'topP', 'TYPE_FLOAT');
  const mime = field(config, 'responseMimeType');
  return {
    lastUserText,
    toolResult,
    promptChars,
    maxOutputTokens: maxOutputTokens !== undefined && maxOutputTokens > 0 ? maxOutputTokens : undefined,
    json: mime === 'application/json',
    thinking: readThinking(field(config, 'thinkingConfig')),
    tools: readTools(field(body, 'tools'), field(body, 'toolConfig')),
  };
}

/** Function declarations are callable; other tools (Google Search, code execution…) are accepted and never called. */
function readTools(tools: unknown, toolConfig: unknown): ToolUse | undefined {
  const specs: ToolSpec[] = [];
  if (tools !== undefined && !Array.isArray(tools)) throw typeError('tools', 'TYPE_MESSAGE', tools);
  (tools ?? []).forEach((tool: unknown, index: number) => {
    if (!isObject(tool)) throw typeError(`tools[${index}]`, 'TYPE_MESSAGE', tool);
    const declarations = field(tool, 'functionDeclarations') ?? [];
    if (!Array.isArray(declarations)) {
      throw typeError(`tools[${index}].function_declarations`, 'TYPE_MESSAGE', declarations);
    }
    declarations.forEach((declaration: unknown, position) => {
      const path = `tools[${index}].function_declarations[${position}]`;
      if (!isObject(declaration)) throw typeError(path, 'TYPE_MESSAGE', declaration);
      const name = declaration.name;
      if (typeof name !== 'string' || name === '') {
        throw new InvalidArgument(
          `* GenerateContentRequest.${path}.name: Name cannot be empty.\n`,
          `${path}.name`,
        );
      }
      specs.push({ name, parameters: field(declaration, 'parametersJsonSchema') ?? declaration.parameters });
    });
  });
  const config = isObject(toolConfig) ? field(toolConfig, 'functionCallingConfig') : undefined;
  if (!isObject(config))
    return specs.length > 0 ? { tools: specs, choice: { mode: 'auto' }, parallel: true } : undefined;
  const choice = readMode(config, specs);
  return specs.length > 0 ? { tools: specs, choice, parallel: true } : undefined;
}

const MODES = new Set(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']);

function readMode(config: Record<string, unknown>, specs: readonly ToolSpec[]): ToolChoice {
  const mode = config.mode ?? 'AUTO';
  const path = 'tool_config.function_calling_config';
  if (typeof mode !== 'string' || !MODES.has(mode)) {
    throw new InvalidArgument(
      `Invalid JSON payload received. Invalid value at '${path}.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), ${JSON.stringify(mode)}`,
      `${path}.mode`,
    );
  }
  if (mode === 'NONE') return { mode: 'none' };
  const allowed = field(config, 'allowedFunctionNames');
  if (
    allowed !== undefined &&
    !(Array.isArray(allowed) && allowed.every((name) => typeof name === 'string'))
  ) {
    throw typeError(`${path}.allowed_function_names`, 'TYPE_STRING', allowed);
  }
  const names = allowed as string[] | undefined;
  for (const name of names ?? []) {
    if (!specs.some((spec) => spec.name === name)) {
      throw new InvalidArgument(
        `* GenerateContentRequest.${path}.allowed_function_names: function "${name}" is not declared in tools.\n`,
        `${path}.allowed_function_names`,
      );
    }
  }
  return { mode: mode === 'ANY' ? 'required' : 'auto', ...(names ? { names } : {}) };
}

function readContents(contents: unknown): { lastUserText: string; toolResult: boolean; chars: number } {
  if (contents !== undefined && !Array.isArray(contents)) {
    throw typeError('contents', 'TYPE_MESSAGE', contents);
  }
  if (!contents || contents.length === 0) {
    throw new InvalidArgument('* GenerateContentRequest.contents: contents is not specified\n', 'contents');
  }
  let lastUserText = '';
  let toolResult = false;
  let chars = 0;
  contents.forEach((content: unknown, index) => {
    if (!isObject(content)) throw typeError(`contents[${index}]`, 'TYPE_MESSAGE', content);
    const role = field(content, 'role');
    if (role !== undefined && (typeof role !== 'string' || !ROLES.has(role))) {
      throw new InvalidArgument('Please use a valid role: user, model.');
    }
    const parts = field(content, 'parts');
    if (!Array.isArray(parts) || parts.length === 0) {
      throw new InvalidArgument(
        `* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.\n`,
        `contents[${index}].parts`,
      );
    }
    const text = partsText(parts);
    chars += text.length;
    // A turn without a role is a user turn.
    if (role !== 'model') {
      lastUserText = text;
      toolResult = parts.some((part) => isObject(part) && field(part, 'functionResponse') !== undefined);
    }
  });
  return { lastUserText, toolResult, chars };
}

/** Text parts, and the `response` of function responses as JSON. */
function partsText(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  return parts
    .filter(isObject)
    .map((part) => {
      if (typeof part.text === 'string') return part.text;
      const response = field(part, 'functionResponse');
      return isObject(response) ? JSON.stringify(response.response ?? {}) : '';
    })
    .join('');
}

function readThinking(config: unknown): GeminiRequest['thinking'] {
  if (!isObject(config)) return undefined;
  const budget = field(config, 'thinkingBudget');
  if (budget === 0) return undefined;
  return {
    budget: typeof budget === 'number' && budget > 0 ? budget : undefined,
    includeThoughts: field(config, 'includeThoughts') === true,
  };
}

/** `object[name]` under its camelCase or its snake_case name. */
function field(object: Record<string, unknown>, name: string): unknown {
  return object[name] ?? object[snake(name)];
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function rejectUnknown(object: Record<string, unknown>, known: Set<string>, at: string | undefined): void {
  for (const name of Object.keys(object)) {
    if (known.has(camel(name))) continue;
    const where = at ? ` at '${at}'` : '';
    throw new InvalidArgument(
      `Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.`,
      at ?? '',
    );
  }
}

function optionalNumber(config: Record<string, unknown>, name: string, type: string): number | undefined {
  const value = field(config, name);
  if (value === undefined || value === null) return undefined;
  const ok = typeof value === 'number' && (type !== 'TYPE_INT32' || Number.isInteger(value));
  if (!ok) throw typeError(`generation_config.${snake(name)}`, type, value);
  return value;
}

function typeError(path: string, type: string, value: unknown): InvalidArgument {
  return new InvalidArgument(
    `Invalid JSON payload received. Invalid value at '${path}' (${type}), ${JSON.stringify(value)}`,
    path,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
