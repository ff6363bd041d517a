/**
 * Ollama's embeddings: `POST /api/embed` (`input` is a string or a list of strings, `dimensions` sets
 * the length; answers `embeddings`, one per input, with metrics) and the older `POST /api/embeddings`
 * (`prompt` is one string; answers `{"embedding": […]}` only). Vectors come from `embedText`.
 */
import { estimateTokens } from '../answer.js';
import type { MockReply, MockRequest } from '../dialect.js';
import { EMBEDDING_DIMENSIONS, embedText } from '../embeddings.js';
import { isObject, json, LOAD_NS } from './ollama-generate.js';

const PROMPT_NS_PER_TOKEN = 100_000;

export function embed(request: MockRequest): MockReply {
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

export function embeddings(request: MockRequest): MockReply {
  if (request.invalidJson || !isObject(request.body)) return json(400, { error: 'invalid request body' });
  const { model, prompt } = request.body;
  if (typeof model !== 'string' || model === '') return json(400, { error: 'model is required' });
  if (prompt !== undefined && typeof prompt !== 'string') {
    return json(400, {
      error: `json: cannot unmarshal ${typeof prompt} into Go struct field EmbeddingRequest.prompt of type string`,
    });
  }
  const text = prompt ?? '';
  // An empty prompt only loads the model: the embedding is empty.
  const embedding = text === '' ? [] : embedText(text);
  return { ...json(200, { embedding }), tokens: estimateTokens(text.length) };
}
