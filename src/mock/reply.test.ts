/** `x-mock-reply`: the exact answer, in every dialect, streamed or not. */
import { describe, expect, it } from 'vitest';
import type { MockServer } from './server.js';
import {
  type CompletionBody,
  chatBody,
  postChat,
  readJson,
  sseChunks,
  useMockServer,
} from './test-helpers.js';

const start = useMockServer();
const REPLY = 'I would rather not grade this.';

function post(
  server: MockServer,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-reply': REPLY, ...headers },
    body: JSON.stringify(body),
  });
}

describe('x-mock-reply', () => {
  it('replaces the answer of a chat completion, even a judge prompt, and counts its tokens', async () => {
    const server = await start();
    const judgePrompt = '<rubric>"x"</rubric><output>x</output>';
    const body = await readJson<CompletionBody>(
      await postChat(server, chatBody(judgePrompt), { 'x-mock-reply': REPLY }),
    );
    expect(body.choices[0]?.message.content).toBe(REPLY);
    expect(body.usage.completion_tokens).toBe(Math.ceil(REPLY.length / 4));
  });

  it('replaces a streamed answer', async () => {
    const server = await start();
    const response = await postChat(server, chatBody('What is 1 + 1?', { stream: true }), {
      'x-mock-reply': REPLY,
    });
    const { chunks } = sseChunks(await response.text());
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
  });

  it('reads a value starting with a double quote as a JSON string, for newlines and non-ASCII text', async () => {
    const server = await start();
    const header = JSON.stringify('```json\n{"score": "élevé"}\n```').replace(
      /[\u0080-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const body = await readJson<CompletionBody>(
      await postChat(server, chatBody('hi'), { 'x-mock-reply': header }),
    );
    expect(body.choices[0]?.message.content).toBe('```json\n{"score": "élevé"}\n```');
  });

  it('answers exactly that text in the Anthropic, Gemini, Ollama and custom dialects', async () => {
    const server = await start();
    const anthropic = await post(
      server,
      '/v1/messages',
      { model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'What is 2 + 2?' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(((await anthropic.json()) as { content: Array<{ text: string }> }).content[0]?.text).toBe(REPLY);

    const gemini = await post(
      server,
      '/v1beta/models/gemini-2.5-flash:generateContent',
      { contents: [{ role: 'user', parts: [{ text: 'What is 2 + 2?' }] }] },
      {},
    );
    const geminiBody = (await gemini.json()) as {
      candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
    };
    expect(geminiBody.candidates[0]?.content.parts[0]?.text).toBe(REPLY);

    const ollama = await post(
      server,
      '/api/chat',
      { model: 'llama3.2', stream: false, messages: [{ role: 'user', content: 'What is 2 + 2?' }] },
      {},
    );
    expect(((await ollama.json()) as { message: { content: string } }).message.content).toBe(REPLY);

    const custom = await post(server, '/custom/generate', { input: 'What is 2 + 2?' }, {});
    expect(((await custom.json()) as { result: { text: string } }).result.text).toBe(REPLY);
  });
});
