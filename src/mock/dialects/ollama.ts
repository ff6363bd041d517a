/**
 * Ollama's native API: `POST /api/chat` and `POST /api/generate` (NDJSON streaming by default, one JSON
 * object with `"stream": false`; see `ollama-generate.ts`), `POST /api/embed` and `/api/embeddings`,
 * `GET /api/tags` and `GET /api/version`. Errors are `{"error": "…"}`; a path under `/api/` that no route
 * serves gets Ollama's plain-text 404. Ollama has no authentication.
 */
import type { Dialect, MockFailure, MockReply, MockRequest, MockRoute } from '../dialect.js';
import { embed, embeddings } from './ollama-embed.js';
import { CREATED_AT, chat, generate, isObject, json } from './ollama-generate.js';

/** Models listed by `GET /api/tags`; any model name is accepted for chat. */
export const OLLAMA_MODELS = ['llama3.2:latest', 'qwen3:8b'] as const;

/** The Ollama version `GET /api/version` reports. */
export const OLLAMA_VERSION = '0.12.0';

const JSON_TYPE = 'application/json; charset=utf-8';

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

const routes: MockRoute[] = [
  { method: 'POST', path: '/api/chat', handle: chat },
  { method: 'POST', path: '/api/generate', handle: generate },
  { method: 'POST', path: '/api/embed', handle: embed },
  { method: 'POST', path: '/api/embeddings', handle: embeddings },
  {
    method: 'GET',
    path: '/api/tags',
    handle: () => ({ status: 200, headers: { 'content-type': JSON_TYPE }, body: TAGS_BODY }),
  },
  {
    method: 'GET',
    path: '/api/version',
    handle: () => json(200, { version: OLLAMA_VERSION }),
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

  claims: (path) => path.startsWith('/api/'),

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

function modelOf(request: MockRequest): string {
  return isObject(request.body) && typeof request.body.model === 'string' ? request.body.model : 'llama3.2';
}
