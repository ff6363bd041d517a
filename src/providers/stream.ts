import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Dispatcher } from 'undici';
import { ProviderError } from '../errors.js';
import { classifyTransportError, type JsonResponse, parseBody, requestTransport, splitUrl } from './http.js';
import type { HttpAgents } from './http-agents.js';

/** A streaming answer: either an error response (parsed like postJson) or the raw body chunks. */
export type StreamResponse =
  | { ok: false; response: JsonResponse }
  | {
      ok: true;
      status: number;
      headers: Record<string, string | string[] | undefined>;
      chunks: AsyncIterable<Uint8Array>;
      /** ms from the request to the first body byte; set once the first chunk arrives. */
      firstByteMs(): number | undefined;
    };

/**
 * POSTs JSON and returns the body as a stream of chunks when the status is 2xx. Failures after the
 * headers (resets, aborts) surface from the iteration as classified ProviderErrors.
 */
export async function postStream(
  http: HttpAgents,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
  label: string,
  accept = 'text/event-stream',
): Promise<StreamResponse> {
  const started = performance.now();
  let response: Dispatcher.ResponseData;
  try {
    const { dispatcher, ...timeouts } = requestTransport(http);
    response = await dispatcher.request({
      ...splitUrl(url),
      method: 'POST',
      ...timeouts,
      headers: { 'content-type': 'application/json', accept, ...headers },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    throw classifyTransportError(error, label, signal);
  }
  if (response.statusCode < 200 || response.statusCode >= 300) {
    let text = '';
    try {
      text = await response.body.text();
    } catch (error) {
      throw classifyTransportError(error, label, signal);
    }
    return {
      ok: false,
      response: { status: response.statusCode, headers: response.headers, body: parseBody(text) },
    };
  }
  let firstByte: number | undefined;
  const source = response.body;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of source) {
        firstByte ??= performance.now() - started;
        yield chunk as Uint8Array;
      }
    } catch (error) {
      throw classifyTransportError(error, label, signal);
    }
  }
  return {
    ok: true,
    status: response.statusCode,
    headers: response.headers,
    chunks: chunks(),
    firstByteMs: () => firstByte,
  };
}

/** Server-sent events from body chunks (comments such as keep-alives are skipped; CRLF and LF both work). */
export async function* sseEvents(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => queue.push(event) });
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (queue.length > 0) yield queue.shift()!;
  }
  parser.feed(decoder.decode());
  while (queue.length > 0) yield queue.shift()!;
}

/** One JSON value per line (Ollama's native streaming). A malformed line is a transient error. */
export async function* ndjsonLines(
  chunks: AsyncIterable<Uint8Array>,
  label: string,
): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  const parse = (line: string) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new ProviderError('transient', `${label}: malformed stream line: ${line.slice(0, 120)}`);
    }
  };
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield parse(line);
      newline = buffer.indexOf('\n');
    }
  }
  buffer += decoder.decode();
  if (buffer.trim()) yield parse(buffer.trim());
}

/** The error for a stream that ended without its dialect's terminal marker. */
export function truncatedStream(label: string, marker: string): ProviderError {
  return new ProviderError('transient', `${label}: stream ended before ${marker} (truncated)`);
}
