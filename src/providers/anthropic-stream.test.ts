/** Stream shapes the mock does not produce: other delta types, cache usage, byte-split events, bad data. */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../errors.js';
import { readMessageStream } from './anthropic-stream.js';
import { sseEvents } from './stream.js';

const LABEL = 'anthropic:claude-test';
const SECRET = 'sk-ant-stream-secret-0123';

function event(type: string, data: unknown, newline = '\n'): string {
  return `event: ${type}${newline}data: ${JSON.stringify(data)}${newline}${newline}`;
}

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let start = 0; start < bytes.length; start += size) yield bytes.slice(start, start + size);
}

function read(text: string, size = 1 << 16) {
  return readMessageStream(sseEvents(chunks(text, size)), LABEL, performance.now(), SECRET);
}

async function streamError(text: string): Promise<ProviderError> {
  const error = await read(text).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

const START = event('message_start', {
  type: 'message_start',
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    content: [],
    model: 'claude-sonnet-4-5-20250929',
    stop_reason: null,
    stop_sequence: null,
    usage: {
      input_tokens: 10,
      cache_creation_input_tokens: 200,
      cache_read_input_tokens: 3000,
      output_tokens: 1,
    },
  },
});
const STOP = event('message_stop', { type: 'message_stop' });

function textDelta(text: string, index = 0): string {
  return event('content_block_delta', {
    type: 'content_block_delta',
    index,
    delta: { type: 'text_delta', text },
  });
}

describe('readMessageStream', () => {
  it('keeps only text deltas and takes cumulative usage from message_delta, cache counts included', async () => {
    const text = [
      START,
      event('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking' },
      }),
      event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'Let me think' },
      }),
      event('ping', { type: 'ping' }),
      textDelta('Héllo, ', 1),
      textDelta('wörld', 1),
      event('content_block_delta', {
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '{"city":' },
      }),
      event('some_future_event', { type: 'some_future_event' }),
      event('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 42, input_tokens: null, cache_read_input_tokens: 3000 },
      }),
      STOP,
    ].join('');
    // One byte per chunk splits every event, and the UTF-8 of é and ö, across reads.
    const response = await read(text, 1);
    expect(response.output).toBe('Héllo, wörld');
    expect(response.finishReason).toBe('tool_use');
    expect(response.model).toBe('claude-sonnet-4-5-20250929');
    expect(response.ttftMs).toBeGreaterThanOrEqual(0);
    expect(response.usage).toEqual({
      inputTokens: 3210,
      outputTokens: 42,
      cachedInputTokens: 3000,
      cacheWriteInputTokens: 200,
      raw: {
        input_tokens: 10,
        cache_creation_input_tokens: 200,
        cache_read_input_tokens: 3000,
        output_tokens: 42,
      },
    });
  });

  it('reads CRLF-delimited events', async () => {
    const text = [START, textDelta('ok'), STOP].join('').replaceAll('\n', '\r\n');
    expect((await read(text)).output).toBe('ok');
  });

  it('leaves ttftMs unset when no text arrived', async () => {
    const response = await read([START, STOP].join(''));
    expect(response.output).toBe('');
    expect(response.ttftMs).toBeUndefined();
  });

  it('treats EOF before message_stop as a truncated stream', async () => {
    const error = await streamError([START, textDelta('partial')].join(''));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('stream ended before message_stop (truncated)');
  });

  it('classifies an in-band rate_limit_error as rate_limit and redacts the key', async () => {
    const failure = event('error', {
      type: 'error',
      error: { type: 'rate_limit_error', message: `Too many requests for key ${SECRET}` },
    });
    const error = await streamError([START, failure].join(''));
    expect(error.kind).toBe('rate_limit');
    expect(error.message).toBe(`${LABEL}: stream error rate_limit_error: Too many requests for key ***`);
  });

  it('treats malformed event data as a transient failure', async () => {
    const error = await streamError(`${START}event: content_block_delta\ndata: {"type":\n\n${STOP}`);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(`${LABEL}: malformed stream event: {"type":`);
  });

  it('treats a delta without its fields as a transient failure naming the event', async () => {
    const error = await streamError(
      [START, event('content_block_delta', { type: 'content_block_delta' }), STOP].join(''),
    );
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/malformed content_block_delta event at delta:/);
  });
});
