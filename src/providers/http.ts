import { type Agent, errors as undiciErrors, util as undiciUtil } from 'undici';
import { ProviderError } from '../errors.js';
import type { HttpAgents } from './http-agents.js';
import { transportTimeouts } from './transport-context.js';

/** The dispatcher (the runtime's pool for the call's connect timeout) and per-request timeouts. */
export function requestTransport(http: HttpAgents): {
  dispatcher: Agent;
  headersTimeout?: number;
  bodyTimeout?: number;
} {
  const timeouts = transportTimeouts.getStore();
  return {
    dispatcher: http.agent(timeouts?.connectMs),
    ...(timeouts?.firstByteMs !== undefined ? { headersTimeout: timeouts.firstByteMs } : {}),
    ...(timeouts?.idleMs !== undefined ? { bodyTimeout: timeouts.idleMs } : {}),
  };
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** Milliseconds to wait according to `retry-after-ms` or `retry-after` (seconds or HTTP date). */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  const ms = Number(first(headers['retry-after-ms']));
  if (Number.isFinite(ms) && ms >= 0 && first(headers['retry-after-ms']) !== undefined) return ms;
  const value = first(headers['retry-after']);
  if (value === undefined) return undefined;
  const seconds = Number(value);
  // A number is never a date (V8 would parse "-1" as one): a negative one is no hint at all.
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Classifies an HTTP status into the error taxonomy (the body may refine a 429 into quota). */
export function classifyStatus(status: number): ProviderError['kind'] {
  if (status === 429) return 'rate_limit';
  if (status === 408 || status === 409 || status >= 500) return 'transient';
  return 'permanent';
}

/** Maps a transport failure to a ProviderError: timeouts, resets and refused connections. */
export function classifyTransportError(error: unknown, label: string, signal: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    const timedOut = reason?.name === 'TimeoutError';
    return new ProviderError(
      timedOut ? 'timeout' : 'transient',
      timedOut ? `${label}: timed out` : `${label}: aborted`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new ProviderError('timeout', `${label}: ${(error as Error).message}`, { cause: error });
  }
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  const message = (error as Error).message ?? String(error);
  return new ProviderError(
    'transient',
    `${label}: connection error ${code ?? ''} ${message}`.replace(/\s+/g, ' ').trim(),
    {
      cause: error,
    },
  );
}

/** JSON text parsed, or the text itself when it is not JSON (a proxy's HTML page, say). */
export function parseBody(text: string): unknown {
  if (!text) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** UTF-8 text of a body, without a leading byte-order mark (as undici's `body.text()` gives it). */
function decodeUtf8(bytes: Buffer): string {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bytes.toString('utf8', bom ? 3 : 0);
}

/** Origin and path of a URL, parsed once per distinct URL (adapters call a handful of URLs). */
const urlParts = new Map<string, { origin: string; path: string }>();

export function splitUrl(url: string): { origin: string; path: string } {
  let parts = urlParts.get(url);
  if (!parts) {
    const parsed = new URL(url);
    parts = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (urlParts.size > 1000) urlParts.clear();
    urlParts.set(url, parts);
  }
  return parts;
}

/**
 * Sends a request whose body is already JSON text (or none) and parses the answer. Never retries;
 * throws ProviderError for transport failures.
 *
 * Goes through undici's `dispatch` with a handler that only gathers the body, instead of
 * `request()`, which wraps every response in a Readable stream and an async resource: on the
 * per-call path that wrapping cost more CPU than the HTTP exchange itself (docs/benchmarks.md).
 */
export function sendJson(
  http: HttpAgents,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  signal: AbortSignal,
  label: string,
): Promise<JsonResponse> {
  return new Promise<JsonResponse>((resolve, reject) => {
    if (signal.aborted) {
      reject(classifyTransportError(signal.reason, label, signal));
      return;
    }
    let origin: string;
    let path: string;
    try {
      ({ origin, path } = splitUrl(url));
    } catch (error) {
      reject(classifyTransportError(error, label, signal));
      return;
    }
    const transport = requestTransport(http);
    const requestHeaders: Record<string, string> =
      body !== undefined
        ? { accept: 'application/json', 'content-type': 'application/json' }
        : { accept: 'application/json' };
    for (const name in headers) requestHeaders[name] = headers[name]!;
    let status = 0;
    let rawHeaders: Buffer[] = [];
    const chunks: Buffer[] = [];
    let abort: ((reason?: Error) => void) | undefined;
    const onAbort = () => abort?.(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal.removeEventListener('abort', onAbort);
    try {
      transport.dispatcher.dispatch(
        {
          origin,
          path,
          method,
          headers: requestHeaders,
          body: body ?? null,
          // null: the agent's default.
          headersTimeout: transport.headersTimeout ?? null,
          bodyTimeout: transport.bodyTimeout ?? null,
        },
        {
          onConnect(abortRequest) {
            abort = abortRequest;
            if (signal.aborted) abortRequest(signal.reason as Error);
          },
          onHeaders(statusCode, headerList) {
            // 1xx answers are informational; the final status follows.
            if (statusCode < 200) return true;
            status = statusCode;
            rawHeaders = headerList as Buffer[];
            return true;
          },
          onData(chunk) {
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            settle();
            const text = decodeUtf8(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
            resolve({ status, headers: undiciUtil.parseHeaders(rawHeaders), body: parseBody(text) });
          },
          onError(error) {
            settle();
            reject(classifyTransportError(error, label, signal));
          },
        },
      );
    } catch (error) {
      settle();
      reject(classifyTransportError(error, label, signal));
    }
  });
}

/** POSTs JSON and parses a JSON answer. Never retries; throws ProviderError for transport failures. */
export function postJson(
  http: HttpAgents,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
  label: string,
): Promise<JsonResponse> {
  return sendJson(http, 'POST', url, JSON.stringify(body), headers, signal, label);
}

/** Removes secret values from a message before it reaches a log, the database or a report. */
export function redact(message: string, secrets: Array<string | undefined>): string {
  let out = message;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out;
}
