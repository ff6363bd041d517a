import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../errors.js';
import { classifyStatus, classifyTransportError, redact, retryAfterMs, sendJson } from './http.js';
import { HttpAgents } from './http-agents.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('prefers retry-after-ms', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(1500);
    expect(retryAfterMs({ 'retry-after-ms': '0' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after-ms': ['250', '999'] }, now)).toBe(250);
  });

  it('reads retry-after in seconds, fractions included', () => {
    expect(retryAfterMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': '0.5' }, now)).toBe(500);
  });

  it('reads retry-after as an HTTP date, never negative', () => {
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, now)).toBe(0);
  });

  it('falls back to retry-after when retry-after-ms is not a number', () => {
    expect(retryAfterMs({ 'retry-after-ms': 'soon', 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after-ms': '-5', 'retry-after': '1' }, now)).toBe(1000);
  });

  it('is undefined without a usable hint', () => {
    expect(retryAfterMs({}, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'later' }, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '-1' }, now)).toBeUndefined();
  });
});

describe('classifyStatus', () => {
  it.each([
    [429, 'rate_limit'],
    [408, 'transient'],
    [409, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [529, 'transient'],
    [400, 'permanent'],
    [401, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [422, 'permanent'],
  ] as const)('classifies %i as %s', (status, kind) => {
    expect(classifyStatus(status)).toBe(kind);
  });
});

describe('classifyTransportError', () => {
  it('returns a ProviderError unchanged', () => {
    const error = new ProviderError('quota', 'no money');
    expect(classifyTransportError(error, 'x', new AbortController().signal)).toBe(error);
  });

  it('calls an abort by a timeout signal a timeout, and any other abort transient', () => {
    const timedOut = new AbortController();
    timedOut.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const timeout = classifyTransportError(new Error('aborted'), 'openai:m', timedOut.signal);
    expect(timeout.kind).toBe('timeout');
    expect(timeout.message).toBe('openai:m: timed out');

    const stopped = new AbortController();
    stopped.abort();
    const aborted = classifyTransportError(new Error('aborted'), 'openai:m', stopped.signal);
    expect(aborted.kind).toBe('transient');
    expect(aborted.message).toBe('openai:m: aborted');
  });

  it('calls undici header and body timeouts timeouts', () => {
    const signal = new AbortController().signal;
    expect(classifyTransportError(new undiciErrors.HeadersTimeoutError(), 'x', signal).kind).toBe('timeout');
    expect(classifyTransportError(new undiciErrors.BodyTimeoutError(), 'x', signal).kind).toBe('timeout');
  });

  it('calls connection failures transient, naming the code and keeping the cause', () => {
    const refused = Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const error = classifyTransportError(refused, 'local', new AbortController().signal);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('local: connection error ECONNREFUSED fetch failed');
    expect(error.cause).toBe(refused);
  });
});

describe('redact', () => {
  it('replaces every occurrence of each secret', () => {
    expect(redact('key sk-abc123 and again sk-abc123; other tok-999', ['sk-abc123', 'tok-999'])).toBe(
      'key *** and again ***; other ***',
    );
  });

  it('ignores missing and very short secrets', () => {
    expect(redact('a b c', [undefined, '', 'b'])).toBe('a b c');
  });
});

describe('sendJson', () => {
  async function serve(
    handler: (response: ServerResponse) => void,
  ): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer((_request, response) => handler(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/v1/chat`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('parses a JSON answer that starts with a byte-order mark', async () => {
    const server = await serve((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r1' });
      response.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"ok":"é"}')]));
    });
    const http = new HttpAgents();
    try {
      const answer = await sendJson(http, 'POST', server.url, '{}', {}, AbortSignal.timeout(5000), 'test');
      expect(answer).toEqual({
        status: 200,
        headers: expect.objectContaining({ 'x-request-id': 'r1' }),
        body: { ok: 'é' },
      });
    } finally {
      await http.close();
      await server.close();
    }
  });

  it('turns a URL without a scheme into a transient ProviderError naming the adapter', async () => {
    const failure = await sendJson(
      new HttpAgents(),
      'POST',
      '127.0.0.1:8000/v1/chat',
      '{}',
      {},
      AbortSignal.timeout(5000),
      'test',
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({ kind: 'transient', message: expect.stringMatching(/^test: /) });
  });
});
