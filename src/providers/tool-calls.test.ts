import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createOpenAiChatProvider } from './openai-chat.js';
import { readChatStream } from './openai-chat-stream.js';
import { toolCallOutput } from './provider.js';
import { testHttp } from './test-helpers.js';

async function* events(...data: string[]) {
  for (const item of data) yield { data: item, event: undefined, id: undefined };
}

describe('tool calls (OpenAI dialect)', () => {
  it('assembles streamed tool-call deltas by index into the output and toolCalls', async () => {
    const chunk = (delta: unknown, finish: string | null = null) =>
      JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] });
    const result = await readChatStream(
      events(
        chunk({ role: 'assistant', content: null }),
        chunk({
          tool_calls: [
            { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }),
        chunk({}, 'tool_calls'),
        '[DONE]',
      ),
      { label: 'test', startedAt: 0, secret: undefined },
    );
    expect(result.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    expect(JSON.parse(result.output)).toEqual([{ name: 'get_weather', arguments: { city: 'Paris' } }]);
    expect(result.finishReason).toBe('tool_calls');
  });

  it('reads tool calls from a non-streamed answer', async () => {
    const server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          model: 'gpt-4o-mini',
          choices: [
            {
              finish_reason: 'tool_calls',
              message: {
                role: 'assistant',
                content: null,
                tool_calls: [
                  { id: 'call_9', type: 'function', function: { name: 'lookup', arguments: 'not json' } },
                ],
              },
            },
          ],
          usage: { prompt_tokens: 5, completion_tokens: 3 },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const provider = createOpenAiChatProvider({
        id: 'openai:gpt-4o-mini',
        model: 'gpt-4o-mini',
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: 'k',
        maxTokensField: 'max_tokens',
        headers: {},
        http: testHttp,
      });
      const response = await provider.call({
        messages: [{ role: 'user', content: 'weather?' }],
        config: { tools: [{ type: 'function', function: { name: 'lookup', parameters: {} } }] },
        signal: AbortSignal.timeout(5000),
      });
      expect(response.toolCalls).toEqual([{ id: 'call_9', name: 'lookup', arguments: 'not json' }]);
      // Arguments that are not valid JSON are kept as text.
      expect(response.output).toBe(toolCallOutput([{ name: 'lookup', arguments: 'not json' }]));
      expect(JSON.parse(response.output)).toEqual([{ name: 'lookup', arguments: 'not json' }]);
    } finally {
      server.close();
    }
  });
});
