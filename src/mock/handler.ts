/**
 * The request pipeline of the mock server: read and journal the request, apply latency and faults in
 * a fixed order, then let the matching dialect answer. Control-plane paths (`/__mock/…`) bypass it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ControlPlane, handleControl } from './control.js';
import type { Dialect, MockFailure, MockReply, MockRequest } from './dialect.js';
import { Faults, gatewayReply } from './faults.js';
import { Journal, type JournalEntry } from './journal.js';
import type { ResolvedMockOptions } from './options.js';
import { credentialOf, RateLimits, requestedRpm } from './rate-limit.js';
import type { RateSnapshot } from './rate-meter.js';
import { Router } from './router.js';

const CONTROL_PREFIX = '/__mock/';
const UNKNOWN_ROUTE: MockFailure = { kind: 'unknown-route' };

/** The 429 of the per-key rate limits, told apart from injected ones for the headers it reports. */
interface Throttled {
  kind: 'status';
  status: 429;
  retryAfterSeconds: number;
  throttled: true;
}

export class MockHandler implements ControlPlane {
  readonly journal: Journal | undefined;
  private readonly faults: Faults;
  private readonly limits: RateLimits;
  private readonly router: Router;
  private readonly timers = new Set<NodeJS.Timeout>();
  private sequence = 0;
  private closed = false;

  constructor(
    private readonly options: ResolvedMockOptions,
    private readonly dialects: readonly [Dialect, ...Dialect[]],
  ) {
    this.journal = options.journal ? new Journal() : undefined;
    this.faults = new Faults(options);
    this.limits = new RateLimits(options);
    this.router = new Router(dialects);
  }

  /** The `request` listener for `http.createServer`. */
  readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    this.serve(request, response).catch((error: unknown) => crash(response, error));
  };

  reset(): void {
    this.journal?.clear();
    this.faults.reset();
    this.limits.reset();
  }

  /** Stops pending latency timers; requests waiting on them are never answered. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const target = request.url ?? '/';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    if (path.startsWith(CONTROL_PREFIX)) return handleControl(this, request, response, path);

    const method = request.method ?? 'GET';
    const raw = method === 'GET' || method === 'HEAD' ? '' : await readBody(request);
    const { body, invalidJson } = parseJson(raw);
    const entry = this.journal?.record(method, target, request.headers, invalidJson ? raw : body, receivedAt);
    const sequence = ++this.sequence;
    const mockRequest: MockRequest = {
      method,
      path,
      query: queryStart === -1 ? '' : target.slice(queryStart + 1),
      headers: request.headers,
      body,
      invalidJson,
      requestId: `req_${sequence.toString(16).padStart(32, '0')}`,
      sequence,
    };

    const latency = this.faults.latencyMs(request.headers);
    if (latency > 0) await this.wait(latency);
    if (this.closed) return;
    const connectionFault = this.faults.connection(request.headers);
    if (connectionFault === 'reset') request.socket.destroy();
    if (connectionFault !== undefined) return;

    const match = this.router.find(method, path);
    const dialect = match?.dialect ?? this.dialectOf(path);
    // A proxy answers before the provider sees the request: no auth, no rate limits, no provider envelope.
    const gateway = this.faults.gateway(request.headers);
    if (gateway !== undefined)
      return this.send(response, gatewayReply(gateway), dialect, mockRequest, undefined, entry);
    const key = credentialOf(mockRequest);
    const failure =
      this.faults.requested(request.headers) ??
      (match ? this.admit(dialect, mockRequest, key) : UNKNOWN_ROUTE);
    const answer =
      match && !failure
        ? await match.route.handle(mockRequest)
        : dialect.error(failure ?? UNKNOWN_ROUTE, mockRequest);
    const reply = failure && 'throttled' in failure ? this.limits.shapeRefusal(answer) : answer;
    // Usage is known only once the answer is computed, so tokens are charged after the fact.
    if (reply.tokens) this.limits.charge(key, reply.tokens);
    const snapshot =
      dialect.rateLimitHeaders && this.limits.reported ? this.rateSnapshot(key, failure) : undefined;
    const stallAfter = typeof reply.body === 'string' ? undefined : this.faults.stallAfter(request.headers);
    const sent = stallAfter === undefined ? reply : { ...reply, stallAfter };
    this.send(response, sent, dialect, mockRequest, snapshot, entry);
  }

  /** The dialect whose errors an unserved path gets: the first that claims it, else the first of all. */
  private dialectOf(path: string): Dialect {
    return this.dialects.find((dialect) => dialect.claims?.(path)) ?? this.dialects[0];
  }

  // The checks a real provider makes in order: credentials, rate limits, then (simulated) server trouble.
  private admit(dialect: Dialect, request: MockRequest, key: string): MockFailure | Throttled | undefined {
    const { apiKey } = this.options;
    if (apiKey !== undefined && !dialect.authorized(request, apiKey)) {
      return { kind: 'status', status: 401, retryAfterSeconds: 0 };
    }
    const waitMs = this.limits.admit(key, requestedRpm(request.headers));
    if (waitMs !== undefined) {
      return {
        kind: 'status',
        status: 429,
        retryAfterSeconds: this.limits.hintSeconds(waitMs),
        throttled: true,
      };
    }
    return this.faults.scripted(request.headers) ?? this.faults.drawn();
  }

  // An injected 429 pretends the requests ran out until its retry-after; a real one reports the buckets.
  private rateSnapshot(key: string, failure: MockFailure | Throttled | undefined): RateSnapshot {
    const snapshot = this.limits.snapshot(key);
    if (failure?.kind !== 'status' || failure.status !== 429 || 'throttled' in failure) return snapshot;
    return { ...snapshot, remainingRequests: 0, resetRequestsMs: failure.retryAfterSeconds * 1000 };
  }

  private send(
    response: ServerResponse,
    reply: MockReply,
    dialect: Dialect,
    request: MockRequest,
    snapshot: RateSnapshot | undefined,
    entry: JournalEntry | undefined,
  ): void {
    const headers: Record<string, string> = { ...reply.headers, 'x-request-id': request.requestId };
    if (snapshot && dialect.rateLimitHeaders) Object.assign(headers, dialect.rateLimitHeaders(snapshot));
    // The client may have given up during the latency; the journal keeps status 0 (never answered).
    if (response.destroyed) return;
    if (entry) entry.status = reply.status;
    if (typeof reply.body === 'string') {
      headers['content-length'] = String(Buffer.byteLength(reply.body));
      response.writeHead(reply.status, headers).end(reply.body);
      return;
    }
    response.writeHead(reply.status, headers);
    const { stallAfter } = reply;
    const events = stallAfter === undefined ? reply.body : reply.body.slice(0, stallAfter);
    for (const event of events) response.write(event);
    if (stallAfter === undefined) {
      response.end();
      return;
    }
    // Stalled: the headers must still go out; the socket stays open until the client or close() ends it.
    if (events.length === 0) response.flushHeaders();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.once('end', () => resolve(text));
    request.once('error', reject);
    request.once('close', () => {
      // Checked first: building an Error (and its stack) on every request would dominate the hot path.
      if (!request.complete) reject(new Error('Request closed before its body was complete'));
    });
  });
}

function parseJson(raw: string): { body: unknown; invalidJson: boolean } {
  if (raw === '') return { body: undefined, invalidJson: false };
  try {
    return { body: JSON.parse(raw), invalidJson: false };
  } catch {
    return { body: undefined, invalidJson: true };
  }
}

function crash(response: ServerResponse, error: unknown): void {
  if (response.headersSent || response.destroyed) return;
  const message = `Mock server error: ${error instanceof Error ? error.message : String(error)}`;
  const body = JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } });
  response.writeHead(500, { 'content-type': 'application/json' }).end(body);
}
