import { describe, expect, it } from 'vitest';
import type { MockServer } from '../server.js';
import { useMockServer } from '../test-helpers.js';
import { OLLAMA_MODELS } from './ollama.js';

const start = useMockServer();

function postOllama(
  server: MockServer,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content }],
  ...extra,
});

function lines(text: string): Array<Record<string, unknown>> {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('POST /api/chat', () => {
  it('streams NDJSON by default: content lines, then done:true with the metrics', async () => {
    const server = await start();
    const prompt = 'Say hello world';
    const response = await postOllama(server, ask(prompt));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const all = lines(await response.text());
    const final = all.at(-1);
    const content = all
      .slice(0, -1)
      .map((line) => {
        expect(line).toMatchObject({ model: 'llama3.2', done: false, message: { role: 'assistant' } });
        expect(line).not.toHaveProperty('eval_count');
        return (line.message as { content: string }).content;
      })
      .join('');
    expect(content).toBe('hello world');
    expect(final).toEqual({
      model: 'llama3.2',
      created_at: expect.any(String),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      total_duration: expect.any(Number),
      load_duration: expect.any(Number),
      prompt_eval_count: Math.ceil(prompt.length / 4),
      prompt_eval_duration: expect.any(Number),
      eval_count: Math.ceil('hello world'.length / 4),
      eval_duration: expect.any(Number),
    });
  });

  it('answers one JSON object with "stream": false, truncating to num_predict', async () => {
    const server = await start();
    const prompt = 'Reply with exactly: the quick brown fox';
    const response = await postOllama(server, ask(prompt, { stream: false, options: { num_predict: 2 } }));
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toMatchObject({
      message: { role: 'assistant', content: 'the quic' },
      done: true,
      done_reason: 'length',
      prompt_eval_count: Math.ceil(prompt.length / 4),
      eval_count: 2,
    });
  });

  it('answers JSON for format "json" or a schema', async () => {
    const server = await start();
    for (const format of ['json', { type: 'object' }]) {
      const body = await (await postOllama(server, ask('What is 2 + 2?', { stream: false, format }))).json();
      expect(JSON.parse((body as { message: { content: string } }).message.content)).toEqual({ answer: 4 });
    }
  });

  it('omits prompt_eval_count (and its duration) on x-mock-omit-prompt-count', async () => {
    const server = await start();
    const headers = { 'x-mock-omit-prompt-count': '1' };
    const whole = (await (await postOllama(server, ask('hi', { stream: false }), headers)).json()) as object;
    const final = lines(await (await postOllama(server, ask('hi'), headers)).text()).at(-1);
    for (const body of [whole, final]) {
      expect(body).not.toHaveProperty('prompt_eval_count');
      expect(body).not.toHaveProperty('prompt_eval_duration');
      expect(body).toHaveProperty('eval_count', Math.ceil('Echo: hi'.length / 4));
    }
  });

  it('ends the stream with an {"error"} line after the first piece on x-mock-stream-error', async () => {
    const server = await start();
    const response = await postOllama(server, ask('Say hello world'), { 'x-mock-stream-error': '1' });
    expect(response.status).toBe(200);
    const all = lines(await response.text());
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ message: { content: 'hell' }, done: false });
    expect(all[1]).toEqual({
      error: expect.stringContaining('an error was encountered while running the model'),
    });
  });

  it('stops before the done:true line on x-mock-truncate', async () => {
    const server = await start();
    const all = lines(
      await (await postOllama(server, ask('Say hello world'), { 'x-mock-truncate': '1' })).text(),
    );
    expect(all.map((line) => line.done)).toEqual([false, false, false]);
  });

  it('rejects a request without a model, Ollama style', async () => {
    const server = await start();
    const response = await postOllama(server, { messages: [] });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'model is required' });
    const invalid = await postOllama(server, '{not json');
    expect(invalid.status).toBe(400);
  });

  it('renders injected failures as {"error": "…"}, 404 naming the model', async () => {
    const server = await start({ apiKey: 'sk-unused' });
    const missing = await postOllama(server, ask('hi', { model: 'qwen3:4b' }), { 'x-mock-status': '404' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'model "qwen3:4b" not found, try pulling it first' });
    const crashed = await postOllama(server, ask('hi'), { 'x-mock-status': '500' });
    expect(crashed.status).toBe(500);
    expect(await crashed.json()).toEqual({ error: expect.stringContaining('running the model') });
    // No authentication: the server key does not apply to Ollama.
    expect((await postOllama(server, ask('hi', { stream: false }))).status).toBe(200);
  });
});

describe('GET /api/tags', () => {
  it('lists the local models', async () => {
    const server = await start();
    const body = (await (await fetch(`${server.url}/api/tags`)).json()) as {
      models: Array<{ name: string }>;
    };
    expect(body.models.map((model) => model.name)).toEqual([...OLLAMA_MODELS]);
    expect(body.models[0]).toMatchObject({ details: { format: 'gguf' } });
  });
});

function postTo(server: MockServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('POST /api/chat with tools', () => {
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    },
  ];

  it('answers message.tool_calls with arguments as an object', async () => {
    const server = await start();
    const body = await (
      await postOllama(server, ask('get_weather {"city": "Lima"}', { tools, stream: false }))
    ).json();
    expect(body).toMatchObject({
      message: {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Lima' } } }],
      },
      done: true,
      done_reason: 'stop',
    });
  });

  it('streams the calls in one line before the done line, which carries none', async () => {
    const server = await start();
    const all = lines(await (await postOllama(server, ask('get_weather', { tools }))).text());
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({
      done: false,
      message: { tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'mock' } } }] },
    });
    expect(all[1]).toMatchObject({ done: true, message: { role: 'assistant', content: '' } });
    expect(all[1]?.message).not.toHaveProperty('tool_calls');
  });

  it('answers a tool message with text, and rejects a tool without a function name', async () => {
    const server = await start();
    const messages = [
      { role: 'user', content: 'get_weather' },
      { role: 'tool', content: 'rain', tool_name: 'get_weather' },
    ];
    const body = (await (
      await postOllama(server, { model: 'llama3.2', messages, tools, stream: false })
    ).json()) as {
      message: Record<string, unknown>;
    };
    expect(body.message).toEqual({ role: 'assistant', content: 'Echo: rain' });
    const bad = await postOllama(server, ask('hi', { tools: [{ type: 'function', function: {} }] }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.stringContaining('name') });
  });
});

describe('POST /api/generate', () => {
  it('answers one object with response, context and metrics', async () => {
    const server = await start();
    const prompt = 'What is 6 * 7?';
    const body = await (
      await postTo(server, '/api/generate', { model: 'llama3.2', prompt, system: 'Terse.', stream: false })
    ).json();
    const promptTokens = Math.ceil((prompt.length + 'Terse.'.length) / 4);
    expect(body).toEqual({
      model: 'llama3.2',
      created_at: expect.any(String),
      response: '42',
      done: true,
      done_reason: 'stop',
      context: Array.from({ length: promptTokens + 1 }, (_, index) => index + 1),
      total_duration: expect.any(Number),
      load_duration: expect.any(Number),
      prompt_eval_count: promptTokens,
      prompt_eval_duration: expect.any(Number),
      eval_count: 1,
      eval_duration: expect.any(Number),
    });
  });

  it('streams response pieces by default, leaves context out when raw, truncates to num_predict', async () => {
    const server = await start();
    const response = await postTo(server, '/api/generate', {
      model: 'llama3.2',
      prompt: 'Say the quick brown fox',
      raw: true,
      options: { num_predict: 2 },
    });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const all = lines(await response.text());
    expect(all.slice(0, -1).map((line) => line.response)).toEqual(['the ', 'quic']);
    expect(all.at(-1)).toMatchObject({ response: '', done: true, done_reason: 'length', eval_count: 2 });
    expect(all.at(-1)).not.toHaveProperty('context');
  });

  it('only loads the model for an empty prompt, and rejects a prompt that is not a string', async () => {
    const server = await start();
    const loaded = await (await postTo(server, '/api/generate', { model: 'llama3.2', stream: false })).json();
    expect(loaded).toEqual({
      model: 'llama3.2',
      created_at: expect.any(String),
      response: '',
      done: true,
      done_reason: 'load',
    });
    const bad = await postTo(server, '/api/generate', { model: 'llama3.2', prompt: 5 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.stringContaining('GenerateRequest.prompt') });
  });
});

describe('POST /api/embeddings, GET /api/version', () => {
  it('embeds one prompt the older way, and an empty prompt as an empty vector', async () => {
    const server = await start();
    const body = (await (
      await postTo(server, '/api/embeddings', { model: 'e', prompt: 'the cat' })
    ).json()) as {
      embedding: number[];
    };
    expect(Object.keys(body)).toEqual(['embedding']);
    expect(body.embedding).toHaveLength(64);
    expect(await (await postTo(server, '/api/embeddings', { model: 'e' })).json()).toEqual({ embedding: [] });
  });

  it('reports a version', async () => {
    const server = await start();
    expect(await (await fetch(`${server.url}/api/version`)).json()).toEqual({
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    });
  });
});
