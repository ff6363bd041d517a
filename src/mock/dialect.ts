/**
 * The contract a provider dialect implements so the mock server can speak its wire format. The server
 * owns sockets, faults, auth decisions and the journal; a dialect only maps requests to replies.
 *
 * To add a provider: write `dialects/<name>.ts` exporting a `Dialect` (routes, the paths it claims,
 * auth check, error envelope, rate-limit headers), reuse `answer.ts` for content and token counts and
 * `tools.ts` for tool calls, append it to `DIALECTS` in `server.ts`, and describe it in docs/mock.md.
 * Faults and the journal then work for it unchanged.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RateSnapshot } from './rate-meter.js';

/** A request as a dialect sees it, body already read and parsed. */
export interface MockRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string without the leading `?` (empty when absent). */
  query: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; `undefined` when the body was empty or not JSON (see `invalidJson`). */
  body: unknown;
  invalidJson: boolean;
  /** Also sent back as the `x-request-id` header. */
  requestId: string;
  /** 1, 2, 3… per server, for deterministic ids in bodies. */
  sequence: number;
}

/** What the server writes back. */
export interface MockReply {
  status: number;
  headers: Record<string, string>;
  /** A complete body, or events written one by one (SSE, NDJSON) so pacing can be added later. */
  body: string | readonly string[];
  /**
   * Events of an event body to write before the stream stalls: the rest is never sent and the response
   * never ends, so the client waits until it gives up or the server closes. Set from `x-mock-stall-after`.
   */
  stallAfter?: number;
  /** Tokens this call consumed, fed to the rate-limit meter. */
  tokens?: number;
}

/** A failure the server decided on; the dialect renders it in the provider's error shape. */
export type MockFailure =
  /** An HTTP status (injected, auth, scripted); 429 means "rate limited", with the wait to suggest. */
  | { kind: 'status'; status: number; retryAfterSeconds: number }
  /** Billing quota exhausted: a 429 that must not be retried. */
  | { kind: 'quota' }
  /** No route matches the method and path. */
  | { kind: 'unknown-route' };

export interface MockRoute {
  method: 'GET' | 'POST';
  /** An exact path, or a pattern for paths with parameters (e.g. Gemini's `/v1beta/models/{m}:…`). */
  path: string | RegExp;
  handle(request: MockRequest): MockReply | Promise<MockReply>;
}

/** One provider wire format. */
export interface Dialect {
  readonly name: string;
  readonly routes: readonly MockRoute[];
  /**
   * Whether a path no route serves belongs to this dialect (e.g. Ollama's `/api/…`), so the 404 comes in
   * this provider's error shape. Paths no dialect claims are answered by the first dialect.
   */
  claims?(path: string): boolean;
  /** Whether the request carries `apiKey` the way this provider expects (header name, scheme). */
  authorized(request: MockRequest, apiKey: string): boolean;
  /** This provider's reply for a failure, headers included (e.g. `retry-after` on 429). */
  error(failure: MockFailure, request: MockRequest): MockReply;
  /** Rate-limit headers in this provider's naming; omit for providers that send none. */
  rateLimitHeaders?(snapshot: RateSnapshot): Record<string, string>;
}
