import { describe, expect, it } from 'vitest';
import type { JournalEntry } from './server.js';
import { chatBody, type ErrorBody, postChat, readJson, useMockServer } from './test-helpers.js';

const start = useMockServer();

describe('journal', () => {
  it('records every model-plane request with headers, body and the status sent', async () => {
    const server = await start();
    const before = Date.now();
    await postChat(server, chatBody('hi'), { 'x-stainless-retry-count': '0' });
    await postChat(server, chatBody('hi'), { 'x-mock-status': '503' });
    await fetch(`${server.url}/v1/models?limit=5`);
    await postChat(server, 'not json');

    const entries = server.journal();
    expect(entries.map((entry) => [entry.id, entry.method, entry.path, entry.status])).toEqual([
      [1, 'POST', '/v1/chat/completions', 200],
      [2, 'POST', '/v1/chat/completions', 503],
      [3, 'GET', '/v1/models?limit=5', 200],
      [4, 'POST', '/v1/chat/completions', 400],
    ]);
    expect(entries[0]?.body).toEqual(chatBody('hi'));
    expect(entries[0]?.headers['x-stainless-retry-count']).toBe('0');
    expect(entries[0]?.headers['content-type']).toBe('application/json');
    expect(entries[0]?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(entries[2]?.body).toBeUndefined();
    expect(entries[3]?.body).toBe('not json');
  });

  it('is served as JSON by GET /__mock/requests, which is not itself recorded', async () => {
    const server = await start();
    await postChat(server, chatBody('hi'));
    await fetch(`${server.url}/__mock/health`);
    const response = await fetch(`${server.url}/__mock/requests`);
    const entries = await readJson<JournalEntry[]>(response);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ id: 1, method: 'POST', path: '/v1/chat/completions', status: 200 });
    expect(server.journal()).toHaveLength(1);
  });

  it('is cleared by POST /__mock/reset and by reset(), ids restarting at 1', async () => {
    const server = await start();
    await postChat(server, chatBody('hi'));
    const response = await fetch(`${server.url}/__mock/reset`, { method: 'POST' });
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(server.journal()).toEqual([]);
    await postChat(server, chatBody('hi'));
    expect(server.journal()[0]?.id).toBe(1);
    server.reset();
    expect(server.journal()).toEqual([]);
  });

  it('can be disabled', async () => {
    const server = await start({ journal: false });
    expect((await postChat(server, chatBody('hi'))).status).toBe(200);
    expect(server.journal()).toEqual([]);
    expect(await (await fetch(`${server.url}/__mock/requests`)).json()).toEqual([]);
  });

  it('answers unknown control routes with 404', async () => {
    const server = await start();
    const response = await fetch(`${server.url}/__mock/nothing`);
    expect(response.status).toBe(404);
    expect((await readJson<ErrorBody>(response)).error.message).toContain('GET /__mock/nothing');
  });
});
