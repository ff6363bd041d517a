/**
 * The Gemini adapter on the wire: the request it sends, checked against the documented
 * `GenerateContentRequest` shape, and `functionCall` parts read back as tool calls, from real-shaped answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError, UserError } from '../errors.js';
import type { ChatMessage, GenerationConfig } from '../types.js';
import { toolCallOutput } from './provider.js';
import { createProvider } from './registry.js';
import {
  type CannedReply,
  type CaptureServer,
  generateContentRequest,
  sse,
  startCaptureServer,
} from './request-shapes.contract.js';
import { testHttp } from './test-helpers.js';

const KEY = 'AIzaWireTestSecret0123456789';
const MODEL = 'gemini-2.5-flash';
const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'Answer with a number.' },
  { role: 'user', content: 'What is 6 * 7?' },
];

const TEXT_ANSWER = {
  candidates: [{ content: { role: 'model', parts: [{ text: '42' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 1, totalTokenCount: 10 },
  modelVersion: MODEL,
};

let capture: CaptureServer | undefined;
afterEach(async () => {
  await capture?.close();
  capture = undefined;
});

async function provider(
  reply: CannedReply,
  config?: GenerationConfig,
  stream = false,
): Promise<ReturnType<typeof createProvider>> {
  capture = await startCaptureServer(() => reply);
  return createProvider(
    `google:${MODEL}`,
    {
      options: { base_url: capture.url, stream },
      ...(config ? { config } : {}),
      env: { GEMINI_API_KEY: KEY },
      baseDir: '.',
      http: testHttp,
    },
    'target "gemini"',
  );
}

function ask(target: Awaited<ReturnType<typeof createProvider>>, config: GenerationConfig = {}) {
  return target.call({ messages: QUESTION, config, signal: AbortSignal.timeout(10_000) });
}

describe('the generateContent request on the wire', () => {
  it('puts tools, toolConfig, safetySettings, systemInstruction and cachedContent at the top level', async () => {
    const config: GenerationConfig = {
      temperature: 0,
      max_tokens: 256,
      top_p: 0.9,
      topK: 40,
      seed: 42,
      stop: ['END'],
      response_mime_type: 'application/json',
      thinking_config: { thinkingBudget: 0 },
      tools: [
        {
          functionDeclarations: [
            { name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } },
          ],
        },
      ],
      tool_config: { functionCallingConfig: { mode: 'ANY' } },
      safety_settings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      systemInstruction: 'Be terse.',
      cachedContent: 'cachedContents/abc123',
    };
    const target = await provider({ json: TEXT_ANSWER }, config);
    expect((await ask(target, config)).output).toBe('42');
    const body = capture!.onlyBody();
    expect(generateContentRequest.safeParse(body).error?.issues).toBeUndefined();
    expect(body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'What is 6 * 7?' }] }],
      systemInstruction: { parts: [{ text: 'Be terse.' }, { text: 'Answer with a number.' }] },
      generationConfig: {
        temperature: 0,
        maxOutputTokens: 256,
        topP: 0.9,
        topK: 40,
        seed: 42,
        stopSequences: ['END'],
        responseMimeType: 'application/json',
        thinkingConfig: { thinkingBudget: 0 },
      },
      tools: config.tools,
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      cachedContent: 'cachedContents/abc123',
    });
    expect(capture!.requests[0]?.url).toBe(`/v1beta/models/${MODEL}:generateContent`);
  });

  it('checks against a schema that refuses what the API refuses (tools inside generationConfig)', () => {
    const misplaced = { contents: [], generationConfig: { temperature: 0, tools: [] } };
    const result = generateContentRequest.safeParse(misplaced);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['generationConfig']);
  });

  it('refuses keys the Gemini API does not take before the run (labels is Vertex AI only)', async () => {
    const error = await provider({ json: TEXT_ANSWER }, { labels: { team: 'evals' }, temprature: 0.2 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    const userError = error as UserError;
    expect(userError.message).toBe(
      `google:${MODEL}: config keys \`labels\` (Vertex AI only; the Gemini API rejects it), \`temprature\` are not request fields of Gemini generateContent`,
    );
    expect(userError.hint).toMatch(/^remove them from the target's config; Gemini generateContent takes: /);
    expect(userError.hint).toContain('temperature');
  });

  it('never sends such a key from a config that skipped the check (library use)', async () => {
    const target = await provider({ json: TEXT_ANSWER });
    const error = await ask(target, { labels: { team: 'evals' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('permanent');
    expect(capture!.requests).toEqual([]);
  });
});

describe('functionCall parts', () => {
  const call = { functionCall: { name: 'get_weather', args: { city: 'Paris' } } };
  const answer = (parts: unknown[]) => ({
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 5, totalTokenCount: 14 },
  });

  it('come back as toolCalls, with args as JSON text, and as the output when there is no text', async () => {
    const response = await ask(await provider({ json: answer([call]) }));
    const toolCalls = [{ name: 'get_weather', arguments: '{"city":"Paris"}' }];
    expect(response.toolCalls).toEqual(toolCalls);
    expect(response.output).toBe(toolCallOutput(toolCalls));
    expect(JSON.parse(response.output)).toEqual([{ name: 'get_weather', arguments: { city: 'Paris' } }]);
  });

  it('leave the text as the output when the model also wrote some, and keep a call id', async () => {
    const withId = { functionCall: { id: 'fc-1', name: 'lookup', args: {} } };
    const response = await ask(await provider({ json: answer([{ text: 'Checking.' }, withId]) }));
    expect(response.output).toBe('Checking.');
    expect(response.toolCalls).toEqual([{ id: 'fc-1', name: 'lookup', arguments: '{}' }]);
  });

  it('are read from a stream (each call whole in one chunk)', async () => {
    const chunk = (parts: unknown[], finishReason?: string) => ({
      candidates: [
        { content: { role: 'model', parts }, ...(finishReason ? { finishReason } : {}), index: 0 },
      ],
      usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 5, totalTokenCount: 14 },
    });
    const text = sse([
      [undefined, chunk([{ text: 'Let me check. ' }])],
      [undefined, chunk([call])],
      [undefined, chunk([{ functionCall: { name: 'get_time', args: { zone: 'CET' } } }], 'STOP')],
    ]);
    const response = await ask(await provider({ text, contentType: 'text/event-stream' }, undefined, true));
    expect(capture!.requests[0]?.url).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
    expect(response.output).toBe('Let me check. ');
    expect(response.toolCalls).toEqual([
      { name: 'get_weather', arguments: '{"city":"Paris"}' },
      { name: 'get_time', arguments: '{"zone":"CET"}' },
    ]);
    expect(response.finishReason).toBe('STOP');
  });
});
