import { Agent, request, errors as undiciErrors } from 'undici';
import { ProviderError } from '../errors.js';
import { transportTimeouts } from './transport-context.js';

/** Keep-alive pools shared by every adapter, one per connect timeout (undici sets it on the pool). */
const agents = new Map<number, Agent>();
const DEFAULT_CONNECT_MS = 10_000;

export function httpAgent(connectMs = DEFAULT_CONNECT_MS): Agent {
  let agent = agents.get(connectMs);
  if (!agent) {
    agent = new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      connections: null,
      pipelining: 1,
      connect: { timeout: connectMs },
    });
    agents.set(connectMs, agent);
  }
  return agent;
}

/** The dispatcher and per-request timeouts for the current call. */
export function requestTransport(): { dispatcher: Agent; headersTimeout?: number; bodyTimeout?: number } {
  const timeouts = transportTimeouts.getStore();
  return {
    dispatcher: httpAgent(timeouts?.connectMs),
    ...(timeouts?.firstByteMs !== undefined ? { headersTimeout: timeouts.firstByteMs } : {}),
    ...(timeouts?.idleMs !== undefined ? { bodyTimeout: timeouts.idleMs } : {}),
  };
}

/** Closes the pools' idle keep-alive connections so the process can exit at once. */
export async function closeHttpAgent(): Promise<void> {
  const open = [...agents.values()];
  agents.clear();
  await Promise.all(open.map((agent) => agent.close()));
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

/**
 * Sends a request whose body is already JSON text (or none) and parses the answer. Never retries;
 * throws ProviderError for transport failures.
 */
export async function sendJson(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  signal: AbortSignal,
  label: string,
): Promise<JsonResponse> {
  try {
    const response = await request(url, {
      method,
      ...requestTransport(),
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body } : {}),
      signal,
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: parseBody(text) };
  } catch (error) {
    throw classifyTransportError(error, label, signal);
  }
}

/** POSTs JSON and parses a JSON answer. Never retries; throws ProviderError for transport failures. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
  label: string,
): Promise<JsonResponse> {
  return sendJson('POST', url, JSON.stringify(body), headers, signal, label);
}

/** Removes secret values from a message before it reaches a log, the database or a report. */
export function redact(message: string, secrets: Array<string | undefined>): string {
  let out = message;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out;
}
