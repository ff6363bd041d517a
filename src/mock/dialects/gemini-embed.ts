/**
 * Gemini embeddings: `POST /v1beta/models/{model}:embedContent` answers `{"embedding": {"values": […]}}`
 * for one `content`; `:batchEmbedContents` takes `{"requests": [EmbedContentRequest…]}` (each naming the
 * same `models/{model}` when it names one, at most 100) and answers `{"embeddings": [{"values": […]}…]}`
 * in request order. `outputDimensionality` sets the length. Vectors come from `embedText`.
 */
import { estimateTokens } from '../answer.js';
import type { MockReply } from '../dialect.js';
import { EMBEDDING_DIMENSIONS, embedText } from '../embeddings.js';
import { type GoogleStatus, invalidArgument } from './gemini-errors.js';

/** Gemini's limit on requests in one batch. */
export const MAX_BATCH_REQUESTS = 100;
const MAX_DIMENSIONS = 3072;
const FIELDS = new Set([
  'model',
  'content',
  'taskType',
  'title',
  'outputDimensionality',
  'embedContentConfig',
]);

interface Embedding {
  values: number[];
  tokens: number;
}

/** The reply body and tokens, or the INVALID_ARGUMENT status to answer with. */
export type EmbedResult = { body: unknown; tokens: number } | { error: GoogleStatus };

export function embedContent(body: unknown, invalidJson: boolean, model: string): EmbedResult {
  if (invalidJson || body === undefined) return { error: invalidArgument('Invalid JSON payload received.') };
  const embedding = readRequest(body, model, 'EmbedContentRequest', '');
  if ('error' in embedding) return embedding;
  return { body: { embedding: { values: embedding.values } }, tokens: embedding.tokens };
}

export function batchEmbedContents(body: unknown, invalidJson: boolean, model: string): EmbedResult {
  if (invalidJson || body === undefined) return { error: invalidArgument('Invalid JSON payload received.') };
  if (!isObject(body)) return { error: rootNotMessage() };
  for (const name of Object.keys(body)) {
    if (name !== 'requests') return { error: unknownName(name, '') };
  }
  const { requests } = body;
  if (!Array.isArray(requests) || requests.length === 0) {
    return {
      error: violation('BatchEmbedContentsRequest.requests', 'requests is not specified', 'requests'),
    };
  }
  if (requests.length > MAX_BATCH_REQUESTS) {
    const message = `at most ${MAX_BATCH_REQUESTS} requests can be in one batch`;
    return { error: violation('BatchEmbedContentsRequest.requests', message, 'requests') };
  }
  const embeddings: Embedding[] = [];
  for (const [index, request] of requests.entries()) {
    const embedding = readRequest(
      request,
      model,
      `BatchEmbedContentsRequest.requests[${index}]`,
      `requests[${index}]`,
    );
    if ('error' in embedding) return embedding;
    embeddings.push(embedding);
  }
  return {
    body: { embeddings: embeddings.map(({ values }) => ({ values })) },
    tokens: embeddings.reduce((sum, embedding) => sum + embedding.tokens, 0),
  };
}

function readRequest(
  request: unknown,
  model: string,
  where: string,
  at: string,
): Embedding | { error: GoogleStatus } {
  if (!isObject(request)) return { error: rootNotMessage() };
  for (const name of Object.keys(request)) {
    if (!FIELDS.has(camel(name))) return { error: unknownName(name, at) };
  }
  const named = request.model;
  if (named !== undefined && named !== `models/${model}`) {
    const message = `model "${String(named)}" differs from the model of the URL, models/${model}`;
    return { error: violation(`${where}.model`, message, join(at, 'model')) };
  }
  const content = request.content;
  if (!isObject(content)) {
    return { error: violation(`${where}.content`, 'content is not specified', join(at, 'content')) };
  }
  const parts = content.parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    const message = 'contents.parts must not be empty.';
    return { error: violation(`${where}.content.parts`, message, join(at, 'content.parts')) };
  }
  const text = parts
    .map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
  const dimensions = request.outputDimensionality ?? request.output_dimensionality;
  let length = EMBEDDING_DIMENSIONS;
  if (dimensions !== undefined) {
    if (
      typeof dimensions !== 'number' ||
      !Number.isInteger(dimensions) ||
      dimensions < 1 ||
      dimensions > MAX_DIMENSIONS
    ) {
      const message = `output_dimensionality must be an integer from 1 to ${MAX_DIMENSIONS}, got ${JSON.stringify(dimensions)}`;
      return {
        error: violation(`${where}.output_dimensionality`, message, join(at, 'output_dimensionality')),
      };
    }
    length = dimensions;
  }
  return { values: embedText(text, length), tokens: estimateTokens(text.length) };
}

function violation(where: string, message: string, field: string): GoogleStatus {
  return invalidArgument(`* ${where}: ${message}\n`, field);
}

function rootNotMessage(): GoogleStatus {
  return invalidArgument('Invalid JSON payload received. Unknown name "": Root element must be a message.');
}

function unknownName(name: string, at: string): GoogleStatus {
  const where = at ? ` at '${at}'` : '';
  return invalidArgument(
    `Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.`,
    at,
  );
}

function join(at: string, field: string): string {
  return at ? `${at}.${field}` : field;
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON reply for a successful embedding body. */
export function embedReply(result: { body: unknown; tokens: number }): MockReply {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(result.body),
    tokens: result.tokens,
  };
}
