/** The official `ollama` npm client against `assay mock-server`: chat, generate, tools, embeddings, models, errors. */
import { type Message, Ollama, type Tool } from 'ollama';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, EXAMPLE_WEATHER_ARGUMENTS, useSdkMock, WEATHER_PARAMETERS } from './sdk-helpers.js';

const mock = useSdkMock();
let ollama: Ollama;

beforeAll(() => {
  ollama = new Ollama({ host: mock.url });
});

const MODEL = 'llama3.2';
const TOOLS: Tool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather now',
      parameters: WEATHER_PARAMETERS,
    },
  },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
];

describe('ollama: chat', () => {
  it('chats in one answer with the metrics', async () => {
    const response = await ollama.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'What is 6 * 7?' }],
    });
    expect(response.message).toEqual({ role: 'assistant', content: '42' });
    expect(response).toMatchObject({
      model: MODEL,
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 4,
      eval_count: 1,
    });
    // The client's types say Date, but it passes Ollama's RFC 3339 string through, as the real server sends it.
    expect(Number.isNaN(Date.parse(String(response.created_at)))).toBe(false);
  });

  it('streams parts that join to the answer; the last is done with the metrics', async () => {
    const parts = await collect(
      await ollama.chat({
        model: MODEL,
        messages: [{ role: 'user', content: 'Say hello streaming world' }],
        stream: true,
      }),
    );
    expect(parts.map((part) => part.message.content).join('')).toBe('hello streaming world');
    expect(parts.at(-1)).toMatchObject({
      done: true,
      eval_count: Math.ceil('hello streaming world'.length / 4),
    });
  });

  it('answers with message.tool_calls (arguments as an object) when the prompt names a tool, streamed or not', async () => {
    const messages: Message[] = [{ role: 'user', content: 'Check get_weather please' }];
    const whole = await ollama.chat({ model: MODEL, messages, tools: TOOLS });
    expect(whole.message.tool_calls).toEqual([
      { function: { name: 'get_weather', arguments: EXAMPLE_WEATHER_ARGUMENTS } },
    ]);
    expect(whole.message.content).toBe('');
    const parts = await collect(
      await ollama.chat({
        model: MODEL,
        messages: [
          { role: 'user', content: 'get_time then get_weather {"city": "Lima", "unit": "celsius"}' },
        ],
        tools: TOOLS,
        stream: true,
      }),
    );
    expect(parts.flatMap((part) => part.message.tool_calls ?? [])).toEqual([
      { function: { name: 'get_time', arguments: {} } },
      { function: { name: 'get_weather', arguments: { city: 'Lima', unit: 'celsius' } } },
    ]);
    // After the tool result the model answers in text.
    const after = await ollama.chat({
      model: MODEL,
      messages: [
        ...messages,
        whole.message,
        { role: 'tool', content: 'Rain, 12 degrees', tool_name: 'get_weather' },
      ],
      tools: TOOLS,
    });
    expect(after.message.tool_calls).toBeUndefined();
    expect(after.message.content).toBe('Echo: Rain, 12 degrees');
  });
});

describe('ollama: generate', () => {
  it('generates in one answer with a context, and streamed', async () => {
    const response = await ollama.generate({ model: MODEL, prompt: 'What is 6 * 7?', system: 'Be terse.' });
    expect(response).toMatchObject({ response: '42', done: true, done_reason: 'stop', eval_count: 1 });
    expect(response.prompt_eval_count).toBe(Math.ceil(('What is 6 * 7?'.length + 'Be terse.'.length) / 4));
    expect(response.context).toHaveLength(response.prompt_eval_count + response.eval_count);
    const parts = await collect(
      await ollama.generate({ model: MODEL, prompt: 'Say streamed text', stream: true }),
    );
    expect(parts.map((part) => part.response).join('')).toBe('streamed text');
    expect(parts.at(-1)?.done).toBe(true);
  });

  it('only loads the model for an empty prompt', async () => {
    expect(await ollama.generate({ model: MODEL, prompt: '' })).toMatchObject({
      response: '',
      done: true,
      done_reason: 'load',
    });
  });
});

describe('ollama: embeddings, models and errors', () => {
  it('embeds with /api/embed and the older /api/embeddings', async () => {
    const response = await ollama.embed({ model: 'nomic-embed-text', input: ['the cat sat', 'sat the cat'] });
    expect(response.embeddings).toHaveLength(2);
    expect(response.embeddings[1]).toEqual(response.embeddings[0]);
    expect(response.prompt_eval_count).toBeGreaterThan(0);
    const legacy = await ollama.embeddings({ model: 'nomic-embed-text', prompt: 'the cat sat' });
    expect(legacy.embedding).toEqual(response.embeddings[0]);
  });

  it('lists the models and tells its version', async () => {
    const { models } = await ollama.list();
    expect(models.map((model) => model.name)).toContain('llama3.2:latest');
    expect((await ollama.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('raises the error Ollama sends, status included, before and during a stream', async () => {
    const absent = new Ollama({ host: mock.url, headers: { 'x-mock-status': '404' } });
    const missing = await absent
      .chat({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(missing).toMatchObject({
      status_code: 404,
      error: `model "${MODEL}" not found, try pulling it first`,
    });
    const broken = new Ollama({ host: mock.url, headers: { 'x-mock-stream-error': '1' } });
    const failed = await collect(
      await broken.chat({
        model: MODEL,
        messages: [{ role: 'user', content: 'Say hello world' }],
        stream: true,
      }),
    ).catch((caught: unknown) => caught);
    expect(String(failed)).toContain('an error was encountered while running the model');
  });
});
