/** Function calling and embeddings in the Gemini dialect, on the wire. */
import { describe, expect, it } from 'vitest';
import type { MockServer } from '../server.js';
import { useMockServer } from '../test-helpers.js';

const MODEL = 'gemini-2.5-flash';
const start = useMockServer();

const TOOLS = [
  {
    functionDeclarations: [
      { name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } },
      { name: 'get_time' },
    ],
  },
  { googleSearch: {} },
];

function post(
  server: MockServer,
  method: string,
  body: unknown,
  model = MODEL,
  query = '',
): Promise<Response> {
  return fetch(`${server.url}/v1beta/models/${model}:${method}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function ask(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { contents: [{ role: 'user', parts: [{ text }] }], ...extra };
}

interface Candidate {
  content: { parts: Array<Record<string, unknown>>; role: string };
  finishReason?: string;
}

describe('gemini dialect: function calling', () => {
  it('answers functionCall parts (args an object) with finishReason STOP', async () => {
    const server = await start();
    const response = await post(
      server,
      'generateContent',
      ask('Call get_weather {"city": "Paris"}', { tools: TOOLS }),
    );
    const body = (await response.json()) as {
      candidates: Candidate[];
      usageMetadata: Record<string, number>;
    };
    const part = { functionCall: { name: 'get_weather', args: { city: 'Paris' } } };
    expect(body.candidates[0]).toEqual({
      content: { parts: [part], role: 'model' },
      finishReason: 'STOP',
      index: 0,
    });
    expect(body.usageMetadata.candidatesTokenCount).toBe(Math.ceil(JSON.stringify(part).length / 4));
  });

  it('reads toolConfig in either casing: ANY with allowedFunctionNames, NONE', async () => {
    const server = await start();
    const any = {
      tool_config: { function_calling_config: { mode: 'ANY', allowed_function_names: ['get_time'] } },
    };
    const forced = (await (
      await post(server, 'generateContent', ask('hello', { tools: TOOLS, ...any }))
    ).json()) as {
      candidates: Candidate[];
    };
    expect(forced.candidates[0]?.content.parts).toEqual([{ functionCall: { name: 'get_time', args: {} } }]);
    const none = { toolConfig: { functionCallingConfig: { mode: 'NONE' } } };
    const text = (await (
      await post(server, 'generateContent', ask('get_time', { tools: TOOLS, ...none }))
    ).json()) as {
      candidates: Candidate[];
    };
    expect(text.candidates[0]?.content.parts).toEqual([{ text: 'Echo: get_time' }]);
  });

  it('sends the calls whole in one chunk, in SSE and in the JSON-array stream', async () => {
    const server = await start();
    const body = ask('get_time and get_weather', { tools: TOOLS });
    const sse = await (await post(server, 'streamGenerateContent', body, MODEL, '?alt=sse')).text();
    const events = sse.split('\r\n\r\n').filter(Boolean);
    expect(events).toHaveLength(1);
    const chunk = JSON.parse(events[0]!.slice('data: '.length)) as { candidates: Candidate[] };
    expect(
      chunk.candidates[0]?.content.parts.map((part) => (part.functionCall as { name: string }).name),
    ).toEqual(['get_time', 'get_weather']);
    expect(chunk.candidates[0]?.finishReason).toBe('STOP');
    const array = JSON.parse(await (await post(server, 'streamGenerateContent', body)).text()) as Array<{
      candidates: Candidate[];
    }>;
    expect(array).toHaveLength(1);
    expect(array[0]?.candidates[0]?.content.parts).toHaveLength(2);
  });

  it('answers the function response with text', async () => {
    const server = await start();
    const contents = [
      { role: 'user', parts: [{ text: 'get_time' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_time', args: {} } }] },
      { role: 'user', parts: [{ function_response: { name: 'get_time', response: { now: 'noon' } } }] },
    ];
    const body = (await (await post(server, 'generateContent', { contents, tools: TOOLS })).json()) as {
      candidates: Candidate[];
    };
    expect(body.candidates[0]?.content.parts).toEqual([{ text: 'Echo: {"now":"noon"}' }]);
  });

  it.each([
    [
      { tools: [{ functionDeclarations: [{ description: 'x' }] }] },
      /function_declarations\[0\]\.name: Name cannot be empty/,
    ],
    [
      { tools: TOOLS, toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } } },
      /Invalid value at 'tool_config/,
    ],
    [
      {
        tools: TOOLS,
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['other'] } },
      },
      /function "other" is not declared/,
    ],
  ])('rejects bad tools with 400 INVALID_ARGUMENT (%j)', async (extra, message) => {
    const server = await start();
    const response = await post(server, 'generateContent', ask('hi', extra));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { status: string; message: string } };
    expect(body.error.status).toBe('INVALID_ARGUMENT');
    expect(body.error.message).toMatch(message);
  });
});

describe('gemini dialect: embeddings', () => {
  const content = (text: string) => ({ parts: [{ text }] });

  it('embedContent answers one embedding of the requested dimensionality', async () => {
    const server = await start();
    const response = await post(
      server,
      'embedContent',
      { content: content('the cat sat'), outputDimensionality: 8 },
      'gemini-embedding-001',
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { embedding: { values: number[] } };
    expect(Object.keys(body)).toEqual(['embedding']);
    expect(body.embedding.values).toHaveLength(8);
  });

  it('batchEmbedContents answers one embedding per request, in order, and counts their tokens', async () => {
    const server = await start();
    const model = 'models/gemini-embedding-001';
    const requests = ['the cat sat', 'sat the cat', 'stock prices'].map((text) => ({
      model,
      content: content(text),
    }));
    const response = await post(server, 'batchEmbedContents', { requests }, 'gemini-embedding-001');
    const body = (await response.json()) as { embeddings: Array<{ values: number[] }> };
    expect(body.embeddings).toHaveLength(3);
    expect(body.embeddings[0]?.values).toHaveLength(64);
    expect(body.embeddings[1]?.values).toEqual(body.embeddings[0]?.values);
    expect(body.embeddings[2]?.values).not.toEqual(body.embeddings[0]?.values);
  });

  it.each([
    ['embedContent', {}, /content is not specified/],
    ['embedContent', { content: { parts: [] } }, /parts must not be empty/],
    [
      'embedContent',
      { content: content('x'), outputDimensionality: 0 },
      /output_dimensionality must be an integer/,
    ],
    ['embedContent', { content: content('x'), dimensions: 8 }, /Unknown name "dimensions"/],
    ['batchEmbedContents', { requests: [] }, /requests is not specified/],
    ['batchEmbedContents', { requests: Array(101).fill({ content: content('x') }) }, /at most 100 requests/],
    [
      'batchEmbedContents',
      { requests: [{ model: 'models/other', content: content('x') }] },
      /differs from the model of the URL/,
    ],
  ])('%s rejects %j with 400 INVALID_ARGUMENT', async (method, body, message) => {
    const server = await start();
    const response = await post(server, method, body, 'gemini-embedding-001');
    expect(response.status).toBe(400);
    const error = (await response.json()) as { error: { status: string; message: string } };
    expect(error.error.status).toBe('INVALID_ARGUMENT');
    expect(error.error.message).toMatch(message);
  });

  it('checks the key like generateContent', async () => {
    const server = await start({ apiKey: 'k' });
    const response = await post(server, 'embedContent', { content: content('x') }, 'gemini-embedding-001');
    expect(response.status).toBe(403);
  });
});
