/**
 * The Gemini API dialect: `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent`
 * (`?alt=sse` for server-sent events, otherwise a streamed JSON array), `:embedContent` and
 * `:batchEmbedContents`. The key comes in the `x-goog-api-key` header or the `key` query parameter.
 * Gemini sends no rate-limit headers.
 */
import type { Dialect, MockFailure, MockReply, MockRequest, MockRoute } from '../dialect.js';
import { batchEmbedContents, type EmbedResult, embedContent, embedReply } from './gemini-embed.js';
import { failureStatus, type GoogleStatus, invalidArgument, statusEnvelope } from './gemini-errors.js';
import { type GeminiMode, geminiReply } from './gemini-reply.js';
import { parseGeminiRequest } from './gemini-request.js';

const GENERATE = /^\/v1(?:beta)?\/models\/[^/:]+:generateContent$/;
const STREAM = /^\/v1(?:beta)?\/models\/[^/:]+:streamGenerateContent$/;
const EMBED = /^\/v1(?:beta)?\/models\/[^/:]+:embedContent$/;
const BATCH_EMBED = /^\/v1(?:beta)?\/models\/[^/:]+:batchEmbedContents$/;
// Paths of Google's API: versioned prefixes, or a model method such as `/v1/models/x:countTokens`.
const GOOGLE_PATH = /^\/(?:v1beta|v1alpha)\/|^\/v1\/models\/[^/]+:/;
const MODEL = /\/models\/([^/:]+):/;
const JSON_TYPE = 'application/json; charset=UTF-8';

function modelOf(request: MockRequest): string {
  const name = MODEL.exec(request.path)?.[1];
  return name ? decodeURIComponent(name) : 'gemini-mock';
}

function isSse(request: MockRequest): boolean {
  return new URLSearchParams(request.query).get('alt') === 'sse';
}

/** Google wraps an error in the array it would have streamed when `alt=sse` is absent. */
function errorReply(status: GoogleStatus, request: MockRequest): MockReply {
  const arrayStream = STREAM.test(request.path) && !isSse(request);
  const body = statusEnvelope(status);
  return {
    status: status.code,
    headers: { 'content-type': JSON_TYPE },
    body: arrayStream ? `[${body}]` : body,
  };
}

function generate(mode: (request: MockRequest) => GeminiMode) {
  return (request: MockRequest): MockReply => {
    const parsed = parseGeminiRequest(request.body, request.invalidJson);
    if (!parsed.ok) return errorReply(invalidArgument(parsed.message, parsed.field), request);
    return geminiReply(request, modelOf(request), parsed.request, mode(request));
  };
}

function embed(read: (body: unknown, invalidJson: boolean, model: string) => EmbedResult) {
  return (request: MockRequest): MockReply => {
    const result = read(request.body, request.invalidJson, modelOf(request));
    return 'error' in result ? errorReply(result.error, request) : embedReply(result);
  };
}

const routes: MockRoute[] = [
  { method: 'POST', path: GENERATE, handle: generate(() => 'json') },
  { method: 'POST', path: STREAM, handle: generate((request) => (isSse(request) ? 'sse' : 'array')) },
  { method: 'POST', path: EMBED, handle: embed(embedContent) },
  { method: 'POST', path: BATCH_EMBED, handle: embed(batchEmbedContents) },
];

export const geminiDialect: Dialect = {
  name: 'gemini',
  routes,

  claims: (path) => GOOGLE_PATH.test(path),

  authorized(request, apiKey) {
    const header = request.headers['x-goog-api-key'];
    return header === apiKey || new URLSearchParams(request.query).get('key') === apiKey;
  },

  error(failure: MockFailure, request: MockRequest): MockReply {
    return errorReply(failureStatus(failure, request, modelOf(request)), request);
  },
};
