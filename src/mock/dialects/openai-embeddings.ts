/**
 * `POST /v1/embeddings` in OpenAI's wire format: `input` is a string or a list of strings (token-id
 * arrays are accepted too), `encoding_format` is `float` or `base64`, `dimensions` sets the length.
 * Vectors come from `embedText`, so they are deterministic; usage counts the mock's tokens.
 */
import { estimateTokens } from '../answer.js';
import type { MockReply, MockRequest } from '../dialect.js';
import { EMBEDDING_DIMENSIONS, embedText } from '../embeddings.js';
import { envelope, type OpenAiError } from './openai-errors.js';
import { UNPARSABLE } from './openai-request.js';

/** OpenAI's limit on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048;
const MAX_DIMENSIONS = 3072;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
// What OpenAI answers for an empty string, an empty list or a list of the wrong things.
const INVALID_INPUT: OpenAiError = {
  message:
    "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
  type: 'invalid_request_error',
  param: null,
  code: null,
};

interface EmbeddingsRequest {
  model: string;
  /** Each input as text; token ids become words such as `#1234`, so they embed deterministically too. */
  texts: string[];
  tokens: number;
  base64: boolean;
  dimensions: number;
}

export function embeddingsReply(request: MockRequest): MockReply {
  const parsed = parse(request.body);
  if ('error' in parsed) return { status: 400, headers: { ...JSON_HEADERS }, body: envelope(parsed.error) };
  const data = parsed.texts.map((text, index) => {
    const vector = embedText(text, parsed.dimensions);
    return { object: 'embedding', index, embedding: parsed.base64 ? toBase64(vector) : vector };
  });
  const body = {
    object: 'list',
    data,
    model: parsed.model,
    usage: { prompt_tokens: parsed.tokens, total_tokens: parsed.tokens },
  };
  return { status: 200, headers: { ...JSON_HEADERS }, body: JSON.stringify(body), tokens: parsed.tokens };
}

function parse(body: unknown): EmbeddingsRequest | { error: OpenAiError } {
  if (body === undefined) return { error: invalid(UNPARSABLE, null, null) };
  if (!isObject(body)) return { error: wrongType('body', 'an object', body) };
  const { model, input, encoding_format: format, dimensions } = body;
  if (model === undefined || model === null || model === '') {
    return { error: invalid('you must provide a model parameter', null, null) };
  }
  if (typeof model !== 'string') return { error: wrongType('model', 'a string', model) };
  if (input === undefined || input === null) {
    return { error: invalid("Missing required parameter: 'input'.", 'input', 'missing_required_parameter') };
  }
  const inputs = readInputs(input);
  if (!inputs) return { error: INVALID_INPUT };
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    const message = `Invalid value: '${String(format)}'. Supported values are: 'float' and 'base64'.`;
    return { error: invalid(message, 'encoding_format', 'invalid_value') };
  }
  let length = EMBEDDING_DIMENSIONS;
  if (dimensions !== undefined && dimensions !== null) {
    if (typeof dimensions !== 'number' || !Number.isInteger(dimensions)) {
      return { error: wrongType('dimensions', 'an integer', dimensions) };
    }
    if (dimensions < 1 || dimensions > MAX_DIMENSIONS) {
      const message = `Invalid 'dimensions': integer out of range. Expected a value between 1 and ${MAX_DIMENSIONS}, but got ${dimensions} instead.`;
      return { error: invalid(message, 'dimensions', 'integer_out_of_range') };
    }
    length = dimensions;
  }
  return { model, ...inputs, base64: format === 'base64', dimensions: length };
}

/** Texts and token count of a valid `input`; undefined for anything OpenAI rejects as invalid. */
function readInputs(input: unknown): { texts: string[]; tokens: number } | undefined {
  if (typeof input === 'string') {
    return input === '' ? undefined : { texts: [input], tokens: estimateTokens(input.length) };
  }
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_EMBEDDING_INPUTS) return undefined;
  if (input.every((item) => typeof item === 'string' && item !== '')) {
    const texts = input as string[];
    return { texts, tokens: texts.reduce((sum, text) => sum + estimateTokens(text.length), 0) };
  }
  if (input.every(isTokenId)) return { texts: [tokenText(input)], tokens: input.length };
  if (input.every((item) => Array.isArray(item) && item.length > 0 && item.every(isTokenId))) {
    const lists = input as number[][];
    return { texts: lists.map(tokenText), tokens: lists.reduce((sum, list) => sum + list.length, 0) };
  }
  return undefined;
}

function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function tokenText(ids: number[]): string {
  return ids.map((id) => `#${id}`).join(' ');
}

/** OpenAI's base64 encoding: the float32 little-endian bytes of the vector. */
function toBase64(vector: number[]): string {
  const floats = new Float32Array(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

function invalid(message: string, param: string | null, code: string | null): OpenAiError {
  return { message, type: 'invalid_request_error', param, code };
}

function wrongType(param: string, expected: string, value: unknown): OpenAiError {
  const got = Array.isArray(value)
    ? 'an array'
    : typeof value === 'object'
      ? 'an object'
      : typeof value === 'number'
        ? 'a decimal'
        : `a ${typeof value}`;
  const message = `Invalid type for '${param}': expected ${expected}, but got ${got} instead.`;
  return invalid(message, param, 'invalid_type');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
