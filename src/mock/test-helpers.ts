/** Helpers for the mock server's own tests. */
import { afterEach } from 'vitest';
import { type MockServer, type MockServerOptions, startMockServer } from './server.js';

/** Starts a server for one test and closes it afterwards. */
export function useMockServer(): (options?: MockServerOptions) => Promise<MockServer> {
  const started: MockServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  return async (options) => {
    const server = await startMockServer(options);
    started.push(server);
    return server;
  };
}

/** A minimal valid Chat Completions body asking `content`. */
export function chatBody(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'mock-model', messages: [{ role: 'user', content }], ...extra };
}

/** POSTs `body` as JSON to the server's `/v1/chat/completions`. */
export function postChat(
  server: MockServer,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

export interface UsageBody {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface CompletionBody {
  id: string;
  model: string;
  choices: Array<{ message: { role: string; content: string | null }; finish_reason: string }>;
  usage: UsageBody;
}

export interface ChunkBody {
  id: string;
  object: string;
  model: string;
  choices: Array<{ index: number; delta: { role?: string; content?: string }; finish_reason: string | null }>;
  usage?: UsageBody | null;
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The response body parsed as `T` (the test asserts the shape). */
export async function readJson<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** The chunks of an SSE body, and whether it ended with `data: [DONE]`. */
export function sseChunks(text: string): { chunks: ChunkBody[]; done: boolean } {
  const data = text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
  const done = data.at(-1) === '[DONE]';
  return { chunks: (done ? data.slice(0, -1) : data).map((line) => JSON.parse(line) as ChunkBody), done };
}
