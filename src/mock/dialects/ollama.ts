/**
 * Ollama's native API: `POST /api/chat` (NDJSON streaming by default, one JSON object with
 * `"stream": false`), `POST /api/embed` and `GET /api/tags`. Metrics come only on the `done: true` object; errors are
 * `{"error": "…"}`. Ollama has no authentication.
 */
import { answer, estimateTokens, splitTokens, truncateToTokens } from '../answer.js';
import type { Dialect, MockFailure, MockReply, MockRequest, MockRoute } from '../dialect.js';
import { EMBEDDING_DIMENSIONS, embedText } from '../embeddings.js';
import { omitPromptCount, requestedReply, streamFault } from '../stream-faults.js';

/** Models listed by `GET /api/tags`; any model name is accepted for chat. */
export const OLLAMA_MODELS = ['llama3.2:latest', 'qwen3:8b'] as const;

const JSON_TYPE = 'application/json; charset=utf-8';
const NDJSON_TYPE = 'application/x-ndjson';
// Fixed durations (ns) so bodies are reproducible: 0.1 ms per prompt token, 10 ms per output token.
const PROMPT_NS_PER_TOKEN = 100_000;
const EVAL_NS_PER_TOKEN = 10_000_000;
const LOAD_NS = 1_000_000;
const CREATED_AT = '2026-01-01T00:00:00.000000000Z';

interface ChatRequest {
  model: string;
  lastUserText: string;
  promptChars: number;
  stream: boolean;
  numPredict: number | undefined;
  json: boolean;
}

function chat(request: MockRequest): MockReply {
  const parsed = parseChat(request.body, request.invalidJson);
  if (typeof parsed === 'string') return json(400, { error: parsed });
  const full = answer(parsed.lastUserText, { json: parsed.json, reply: requestedReply(request.headers) });
  const { text, truncated } =
    parsed.numPredict === undefined
      ? { text: full, truncated: false }
      : truncateToTokens(full, parsed.numPredict);
  const promptTokens = estimateTokens(parsed.promptChars);
  const evalTokens = estimateTokens(text.length);
  const promptMetrics = omitPromptCount(request.headers)
    ? {}
    : { prompt_eval_count: promptTokens, prompt_eval_duration: promptTokens * PROMPT_NS_PER_TOKEN };
  const final = {
    done: true,
    done_reason: truncated ? 'length' : 'stop',
    total_duration: LOAD_NS + promptTokens * PROMPT_NS_PER_TOKEN + evalTokens * EVAL_NS_PER_TOKEN,
    load_duration: LOAD_NS,
    ...promptMetrics,
    eval_count: evalTokens,
    eval_duration: evalTokens * EVAL_NS_PER_TOKEN,
  };
  const tokens = promptTokens + evalTokens;
  const message = (content: string) => ({ role: 'assistant', content });
  const head = { model: parsed.model, created_at: CREATED_AT };
  if (!parsed.stream) return { ...json(200, { ...head, message: message(text), ...final }), tokens };

  const lines = splitTokens(text).map((piece) => line({ ...head, message: message(piece), done: false }));
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
  if (fault === 'malformed') lines.splice(1, 0, `{"model":${JSON.stringify(parsed.model)},"message":{\n`);
  if (fault !== 'truncate') lines.push(line({ ...head, message: message(''), ...final }));
  return { status: 200, headers: { 'content-type': NDJSON_TYPE }, body: lines, tokens };
}

function parseChat(body: unknown, invalidJson: boolean): ChatRequest | string {
  if (invalidJson || body === undefined) return 'invalid request body';
  if (!isObject(body)) return 'json: cannot unmarshal request body into a chat request';
  const { model, messages, stream, options, format } = body;
  if (typeof model !== 'string' || model === '') return 'model is required';
  if (messages !== undefined && !Array.isArray(messages)) {
    return 'json: cannot unmarshal messages into Go struct field ChatRequest.messages of type []api.Message';
  }
  let lastUserText = '';
  let promptChars = 0;
  for (const entry of messages ?? []) {
    if (!isObject(entry) || typeof entry.role !== 'string') return 'invalid message: role is required';
    const content = typeof entry.content === 'string' ? entry.content : '';
    promptChars += content.length;
    if (entry.role === 'user') lastUserText = content;
  }
  if (stream !== undefined && typeof stream !== 'boolean') return 'json: stream must be a boolean';
  const numPredict =
    isObject(options) && typeof options.num_predict === 'number' ? options.num_predict : undefined;
  return {
    model,
    lastUserText,
    promptChars,
    stream: stream !== false,
    // Ollama treats a negative num_predict as "no limit".
    numPredict: numPredict !== undefined && numPredict > 0 ? numPredict : undefined,
    json: format === 'json' || isObject(format),
  };
}

// Constant: the listing never changes.
const TAGS_BODY = JSON.stringify({
  models: OLLAMA_MODELS.map((name) => ({
    name,
    model: name,
    modified_at: CREATED_AT,
    size: 2_019_393_189,
    digest: `mock${name.replace(/\W/g, '')}`.padEnd(64, '0'),
    details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
  })),
});

/** `/api/embed`: `input` is a string or a list of strings; `dimensions` sets the vector length. */
function embed(request: MockRequest): MockReply {
  if (request.invalidJson || !isObject(request.body)) return json(400, { error: 'invalid request body' });
  const { model, input, dimensions } = request.body;
  if (typeof model !== 'string' || model === '') return json(400, { error: 'model is required' });
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || !texts.every((text) => typeof text === 'string')) {
    return json(400, { error: 'invalid input type' });
  }
  const size =
    typeof dimensions === 'number' && Number.isInteger(dimensions) && dimensions > 0
      ? dimensions
      : EMBEDDING_DIMENSIONS;
  const promptTokens = texts.reduce((sum, text) => sum + estimateTokens(text.length), 0);
  const body = {
    model,
    embeddings: texts.map((text) => embedText(text, size)),
    total_duration: LOAD_NS + promptTokens * PROMPT_NS_PER_TOKEN,
    load_duration: LOAD_NS,
    prompt_eval_count: promptTokens,
  };
  return { ...json(200, body), tokens: promptTokens };
}

const routes: MockRoute[] = [
  { method: 'POST', path: '/api/chat', handle: chat },
  { method: 'POST', path: '/api/embed', handle: embed },
  {
    method: 'GET',
    path: '/api/tags',
    handle: () => ({ status: 200, headers: { 'content-type': JSON_TYPE }, body: TAGS_BODY }),
  },
];

const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  400: 'invalid request (injected by the mock server)',
  401: 'unauthorized',
  429: 'server busy, please try again.  maximum pending requests exceeded',
  500: 'an error was encountered while running the model (injected by the mock server)',
  502: 'an error was encountered while running the model: upstream unreachable (injected by the mock server)',
};

export const ollamaDialect: Dialect = {
  name: 'ollama',
  routes,

  authorized: () => true,

  error(failure: MockFailure, request: MockRequest): MockReply {
    if (failure.kind === 'unknown-route') {
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found' };
    }
    if (failure.kind === 'quota')
      return json(429, { error: 'you have reached your usage limit (injected by the mock server)' });
    const { status } = failure;
    if (status === 404)
      return json(404, { error: `model "${modelOf(request)}" not found, try pulling it first` });
    const message =
      STATUS_MESSAGES[status] ?? `request failed with status ${status} (injected by the mock server)`;
    return json(status, { error: message });
  },
};

function json(status: number, body: unknown): MockReply {
  return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

function modelOf(request: MockRequest): string {
  return isObject(request.body) && typeof request.body.model === 'string' ? request.body.model : 'llama3.2';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
