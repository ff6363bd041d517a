/** The official `@google/genai` client against `assay mock-server`: generateContent, streaming, function calls, embeddings, errors. */
import { ApiError, type Content, FunctionCallingConfigMode, GoogleGenAI, type Tool } from '@google/genai';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  EXAMPLE_WEATHER_ARGUMENTS,
  MOCK_KEY,
  useSdkMock,
  WEATHER_PARAMETERS,
} from './sdk-helpers.js';

const mock = useSdkMock();
let ai: GoogleGenAI;

beforeAll(() => {
  ai = new GoogleGenAI({ apiKey: MOCK_KEY, httpOptions: { baseUrl: mock.url } });
});

const MODEL = 'gemini-2.5-flash';
const TOOLS: Tool[] = [
  {
    functionDeclarations: [
      { name: 'get_weather', description: 'Weather now', parametersJsonSchema: WEATHER_PARAMETERS },
      { name: 'get_time', parameters: { type: 'OBJECT' as never, properties: {} } },
    ],
  },
];

describe('@google/genai: generateContent', () => {
  it('generates text with a finish reason and usage metadata', async () => {
    const response = await ai.models.generateContent({ model: MODEL, contents: 'What is 6 * 7?' });
    expect(response.text).toBe('42');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: 4,
      candidatesTokenCount: 1,
      totalTokenCount: 5,
    });
    expect(response.modelVersion).toBe(MODEL);
    expect(mock.fetched.at(-1)).toBe(`${mock.url}/v1beta/models/${MODEL}:generateContent`);
  });

  it('streams chunks (alt=sse) that join to the answer, with cumulative usage', async () => {
    const stream = await ai.models.generateContentStream({
      model: MODEL,
      contents: 'Say hello streaming world',
    });
    const chunks = await collect(stream);
    expect(chunks.map((chunk) => chunk.text ?? '').join('')).toBe('hello streaming world');
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(chunks.at(-1)?.usageMetadata?.candidatesTokenCount).toBe(
      Math.ceil('hello streaming world'.length / 4),
    );
  });

  it('keeps a multi-turn chat', async () => {
    const chat = ai.chats.create({ model: MODEL });
    expect((await chat.sendMessage({ message: 'What is 1 + 1?' })).text).toBe('2');
    expect((await chat.sendMessage({ message: 'Reply with exactly: again' })).text).toBe('again');
    expect(chat.getHistory()).toHaveLength(4);
  });
});

describe('@google/genai: function calling', () => {
  it('answers mode ANY with a functionCall part (args from the schema)', async () => {
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: 'How is the weather?',
      config: {
        tools: TOOLS,
        toolConfig: {
          functionCallingConfig: {
            mode: FunctionCallingConfigMode.ANY,
            allowedFunctionNames: ['get_weather'],
          },
        },
      },
    });
    expect(response.functionCalls).toEqual([{ name: 'get_weather', args: EXAMPLE_WEATHER_ARGUMENTS }]);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('streams the function calls the prompt names under AUTO, with the JSON args it gives', async () => {
    const stream = await ai.models.generateContentStream({
      model: MODEL,
      contents: 'Use get_weather {"city": "Rome", "unit": "celsius"} and get_time',
      config: { tools: TOOLS },
    });
    const calls = (await collect(stream)).flatMap((chunk) => chunk.functionCalls ?? []);
    expect(calls).toEqual([
      { name: 'get_weather', args: { city: 'Rome', unit: 'celsius' } },
      { name: 'get_time', args: {} },
    ]);
  });

  it('answers text after a function response, and with mode NONE', async () => {
    const contents: Content[] = [
      { role: 'user', parts: [{ text: 'Call get_time' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_time', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_time', response: { time: '12:00' } } }] },
    ];
    const after = await ai.models.generateContent({ model: MODEL, contents, config: { tools: TOOLS } });
    expect(after.functionCalls).toBeUndefined();
    expect(after.text).toBe('Echo: {"time":"12:00"}');
    const none = await ai.models.generateContent({
      model: MODEL,
      contents: 'Call get_time',
      config: {
        tools: TOOLS,
        toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } },
      },
    });
    expect(none.text).toBe('Echo: Call get_time');
  });
});

describe('@google/genai: embeddings and errors', () => {
  it('embeds several contents (batchEmbedContents) at the requested dimensionality', async () => {
    const response = await ai.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['the cat sat', 'sat the cat', 'stock prices fell'],
      config: { outputDimensionality: 8 },
    });
    const vectors = response.embeddings?.map((embedding) => embedding.values ?? []) ?? [];
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(8);
    expect(vectors[1]).toEqual(vectors[0]);
    expect(vectors[2]).not.toEqual(vectors[0]);
    expect(mock.fetched.at(-1)).toBe(`${mock.url}/v1beta/models/gemini-embedding-001:batchEmbedContents`);
  });

  it('raises ApiError with the status for a wrong key, a bad request and a rate limit', async () => {
    const stranger = new GoogleGenAI({ apiKey: 'wrong-key', httpOptions: { baseUrl: mock.url } });
    const denied = await stranger.models
      .generateContent({ model: MODEL, contents: 'hi' })
      .catch((caught: unknown) => caught);
    expect(denied).toBeInstanceOf(ApiError);
    expect((denied as ApiError).status).toBe(400);
    expect((denied as ApiError).message).toContain('API_KEY_INVALID');
    const bad = await ai.models
      .generateContent({ model: MODEL, contents: 'hi', config: { temperature: 'hot' as never } })
      .catch((caught: unknown) => caught);
    expect((bad as ApiError).status).toBe(400);
    const limited = await ai.models
      .generateContent({
        model: MODEL,
        contents: 'hi',
        config: { httpOptions: { headers: { 'x-mock-status': '429' } } },
      })
      .catch((caught: unknown) => caught);
    expect((limited as ApiError).status).toBe(429);
    expect((limited as ApiError).message).toContain('RESOURCE_EXHAUSTED');
  });
});
