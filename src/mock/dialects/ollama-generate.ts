/**
 * Ollama's generation endpoints: `POST /api/chat` (answer in `message`, tool calls in
 * `message.tool_calls` with `arguments` as an object) and `POST /api/generate` (answer in `response`, a
 * `context` on the final object; an empty prompt only loads the model, `done_reason: "load"`). Both
 * stream NDJSON by default and answer one JSON object with `"stream": false`; metrics come only on the
 * `done: true` object.
 */
import { answer, estimateTokens, splitTokens, truncateToTokens } from '../answer.js';
import type { MockReply, MockRequest } from '../dialect.js';
import { omitPromptCount, requestedReply, streamFault } from '../stream-faults.js';
import { chooseToolCalls, type ToolSpec, type ToolUse } from '../tools.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const NDJSON_TYPE = 'application/x-ndjson';
// Fixed durations (ns) so bodies are reproducible: 0.1 ms per prompt token, 10 ms per output token.
const PROMPT_NS_PER_TOKEN = 100_000;
const EVAL_NS_PER_TOKEN = 10_000_000;
/** Model load time (ns) reported in every answer. */
export const LOAD_NS = 1_000_000;
export const CREATED_AT = '2026-01-01T00:00:00.000000000Z';

/** What both endpoints share once their own fields are read. */
interface Prompt {
  model: string;
  /** The text the answer is computed from: the last user or tool message, or the prompt. */
  text: string;
  toolResult: boolean;
  promptChars: number;
  stream: boolean;
  numPredict: number | undefined;
  json: boolean;
  tools: ToolUse | undefined;
}

/** The fields of an answer to `text`: the whole of it, its streamed pieces, and the last (done) piece. */
type Render = (text: string) => { whole: object; pieces: object[]; last: object };

interface RespondOptions {
  /** Output characters of tool calls: the answer is the calls, no text is computed. */
  callChars?: number;
  /** Add `/api/generate`'s `context`. */
  context?: boolean;
}

export function chat(request: MockRequest): MockReply {
  const parsed = parseChat(request.body, request.invalidJson);
  if (typeof parsed === 'string') return json(400, { error: parsed });
  const message = (content: string) => ({ message: { role: 'assistant', content } });
  const calls = chooseToolCalls(parsed.tools, { text: parsed.text, toolResult: parsed.toolResult });
  if (calls.length > 0) {
    const toolCalls = calls.map((call) => ({ function: { name: call.name, arguments: call.arguments } }));
    const calling = { message: { role: 'assistant', content: '', tool_calls: toolCalls } };
    // Streamed, the calls come whole in one line before the done:true one.
    const render: Render = () => ({ whole: calling, pieces: [calling], last: message('') });
    return respond(request, parsed, render, { callChars: JSON.stringify(toolCalls).length });
  }
  const render: Render = (text) => ({
    whole: message(text),
    pieces: splitTokens(text).map(message),
    last: message(''),
  });
  return respond(request, parsed, render, {});
}

export function generate(request: MockRequest): MockReply {
  const parsed = parseGenerate(request.body, request.invalidJson);
  if (typeof parsed === 'string') return json(400, { error: parsed });
  const { prompt } = parsed;
  if (prompt.text === '') {
    const loaded = {
      model: prompt.model,
      created_at: CREATED_AT,
      response: '',
      done: true,
      done_reason: 'load',
    };
    return prompt.stream
      ? { status: 200, headers: { 'content-type': NDJSON_TYPE }, body: [line(loaded)] }
      : json(200, loaded);
  }
  const response = (text: string) => ({ response: text });
  const render: Render = (text) => ({
    whole: response(text),
    pieces: splitTokens(text).map(response),
    last: response(''),
  });
  return respond(request, prompt, render, { context: !parsed.raw });
}

/** The answer to `prompt`, as NDJSON lines or one object. */
function respond(request: MockRequest, prompt: Prompt, render: Render, options: RespondOptions): MockReply {
  const calling = options.callChars !== undefined;
  const full = calling
    ? ''
    : answer(prompt.text, { json: prompt.json, reply: requestedReply(request.headers) });
  const { text, truncated } =
    prompt.numPredict === undefined
      ? { text: full, truncated: false }
      : truncateToTokens(full, prompt.numPredict);
  const promptTokens = estimateTokens(prompt.promptChars);
  const evalTokens = estimateTokens(text.length + (options.callChars ?? 0));
  const promptMetrics = omitPromptCount(request.headers)
    ? {}
    : { prompt_eval_count: promptTokens, prompt_eval_duration: promptTokens * PROMPT_NS_PER_TOKEN };
  // `/api/generate` returns the conversation as token ids to send back as `context`; the mock's are 1…n.
  const context = options.context
    ? { context: Array.from({ length: promptTokens + evalTokens }, (_, index) => index + 1) }
    : {};
  const final = {
    done: true,
    done_reason: truncated ? 'length' : 'stop',
    ...context,
    total_duration: LOAD_NS + promptTokens * PROMPT_NS_PER_TOKEN + evalTokens * EVAL_NS_PER_TOKEN,
    load_duration: LOAD_NS,
    ...promptMetrics,
    eval_count: evalTokens,
    eval_duration: evalTokens * EVAL_NS_PER_TOKEN,
  };
  const tokens = promptTokens + evalTokens;
  const head = { model: prompt.model, created_at: CREATED_AT };
  const { whole, pieces, last } = render(text);
  if (!prompt.stream) return { ...json(200, { ...head, ...whole, ...final }), tokens };

  const lines = pieces.map((piece) => line({ ...head, ...piece, done: false }));
  const fault = streamFault(request.headers);
  if (fault === 'error') {
    // Ollama reports a failure after the 200 as one more line, then closes the stream.
    const error =
      'an error was encountered while running the model: unexpected EOF (injected by the mock server)';
    return {
      status: 200,
      headers: { 'content-type': NDJSON_TYPE },
      body: [...lines.slice(0, 1), line({ error })],
    };
  }
  // A line cut short after the first piece; the rest of the stream comes whole.
  if (fault === 'malformed') lines.splice(1, 0, `{"model":${JSON.stringify(prompt.model)},"message":{\n`);
  if (fault !== 'truncate') lines.push(line({ ...head, ...last, ...final }));
  return { status: 200, headers: { 'content-type': NDJSON_TYPE }, body: lines, tokens };
}

function parseChat(body: unknown, invalidJson: boolean): Prompt | string {
  if (invalidJson || body === undefined) return 'invalid request body';
  if (!isObject(body)) return 'json: cannot unmarshal request body into a chat request';
  const { model, messages } = body;
  if (typeof model !== 'string' || model === '') return 'model is required';
  if (messages !== undefined && !Array.isArray(messages)) {
    return 'json: cannot unmarshal messages into Go struct field ChatRequest.messages of type []api.Message';
  }
  let text = '';
  let toolResult = false;
  let promptChars = 0;
  for (const entry of messages ?? []) {
    if (!isObject(entry) || typeof entry.role !== 'string') return 'invalid message: role is required';
    const content = typeof entry.content === 'string' ? entry.content : '';
    promptChars += content.length;
    if (entry.role === 'user' || entry.role === 'tool') {
      text = content;
      toolResult = entry.role === 'tool';
    }
  }
  const tools = readTools(body.tools);
  if (typeof tools === 'string') return tools;
  const common = readCommon(body);
  if (typeof common === 'string') return common;
  return { model, text, toolResult, promptChars, ...common, tools };
}

function parseGenerate(body: unknown, invalidJson: boolean): { prompt: Prompt; raw: boolean } | string {
  if (invalidJson || body === undefined) return 'invalid request body';
  if (!isObject(body)) return 'json: cannot unmarshal request body into a generate request';
  const { model, prompt, system, raw } = body;
  if (typeof model !== 'string' || model === '') return 'model is required';
  for (const [name, value] of Object.entries({ prompt, system })) {
    if (value !== undefined && typeof value !== 'string') {
      return `json: cannot unmarshal ${typeof value} into Go struct field GenerateRequest.${name} of type string`;
    }
  }
  const common = readCommon(body);
  if (typeof common === 'string') return common;
  const text = (prompt as string | undefined) ?? '';
  const promptChars = text.length + ((system as string | undefined)?.length ?? 0);
  return {
    prompt: { model, text, toolResult: false, promptChars, ...common, tools: undefined },
    raw: raw === true,
  };
}

function readCommon(body: Record<string, unknown>): Pick<Prompt, 'stream' | 'numPredict' | 'json'> | string {
  const { stream, options, format } = body;
  if (stream !== undefined && typeof stream !== 'boolean') return 'json: stream must be a boolean';
  const numPredict =
    isObject(options) && typeof options.num_predict === 'number' ? options.num_predict : undefined;
  return {
    stream: stream !== false,
    // Ollama treats a negative num_predict as "no limit".
    numPredict: numPredict !== undefined && numPredict > 0 ? numPredict : undefined,
    json: format === 'json' || isObject(format),
  };
}

/** Ollama has no `tool_choice`: the mock's `auto` rule applies, several calls allowed. */
function readTools(tools: unknown): ToolUse | undefined | string {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) {
    return 'json: cannot unmarshal tools into Go struct field ChatRequest.tools of type api.Tools';
  }
  const specs: ToolSpec[] = [];
  for (const tool of tools) {
    const fn = isObject(tool) ? tool.function : undefined;
    if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '') {
      return 'invalid tool: every tool needs a function with a name';
    }
    specs.push({ name: fn.name, parameters: fn.parameters });
  }
  return specs.length > 0 ? { tools: specs, choice: { mode: 'auto' }, parallel: true } : undefined;
}

export function json(status: number, body: unknown): MockReply {
  return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
