import { describe, expect, it } from 'vitest';
import { parseChatRequest } from './openai-request.js';

const user = { role: 'user', content: 'Hi' };
const tool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } };

function errorOf(body: unknown) {
  const parsed = parseChatRequest(body);
  if (parsed.ok) throw new Error('expected a validation error');
  return parsed.error;
}

describe('parseChatRequest', () => {
  it('extracts what the mock needs from a valid request', () => {
    const parsed = parseChatRequest({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: [{ type: 'text', text: 'first' }] },
        { role: 'assistant', content: null, tool_calls: [] },
        { role: 'tool', tool_call_id: 'call_1', content: 'result' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'image_url', image_url: { url: 'x' } },
            { type: 'text', text: 'b' },
          ],
        },
      ],
      max_tokens: 20,
      max_completion_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
      response_format: { type: 'json_object' },
    });
    expect(parsed).toEqual({
      ok: true,
      request: {
        model: 'gpt-4o-mini',
        lastUserText: 'a\nb',
        toolResult: false,
        promptChars: 'Be terse.'.length + 'first'.length + 'result'.length + 'a\nb'.length,
        maxTokens: 10,
        stream: true,
        includeUsage: true,
        json: true,
      },
    });
  });

  it('reads tools, tool_choice and parallel_tool_calls into the shared tool rule', () => {
    const custom = { type: 'custom', custom: { name: 'grammar' } };
    const parse = (extra: Record<string, unknown>) => {
      const parsed = parseChatRequest({ model: 'm', messages: [user], tools: [tool, custom], ...extra });
      return parsed.ok ? parsed.request.tools : undefined;
    };
    // Custom tools are accepted but never called, so only the function is offered.
    const offered = [{ name: 'lookup', parameters: { type: 'object' } }];
    expect(parse({})).toEqual({ tools: offered, choice: { mode: 'auto' }, parallel: true });
    expect(parse({ tool_choice: 'required', parallel_tool_calls: false })).toEqual({
      tools: offered,
      choice: { mode: 'required' },
      parallel: false,
    });
    expect(parse({ tool_choice: { type: 'function', function: { name: 'lookup' } } })?.choice).toEqual({
      mode: 'forced',
      name: 'lookup',
    });
    const allowed = { mode: 'required', tools: [{ type: 'function', function: { name: 'lookup' } }] };
    expect(parse({ tool_choice: { type: 'allowed_tools', allowed_tools: allowed } })?.choice).toEqual({
      mode: 'required',
      names: ['lookup'],
    });
    expect(parse({ tool_choice: { type: 'custom', custom: { name: 'grammar' } } })?.choice).toEqual({
      mode: 'none',
    });
    const after = parseChatRequest({
      model: 'm',
      messages: [user, { role: 'tool', tool_call_id: 'call_1', content: 'sunny' }],
    });
    expect(after.ok && after.request).toMatchObject({
      lastUserText: 'sunny',
      toolResult: true,
      tools: undefined,
    });
  });

  it('falls back to max_tokens and defaults stream to false', () => {
    const parsed = parseChatRequest({ model: 'm', messages: [user], max_tokens: 5, temperature: null });
    expect(parsed.ok && parsed.request).toMatchObject({
      maxTokens: 5,
      stream: false,
      includeUsage: false,
      json: false,
    });
  });

  it.each([
    [undefined, null, null, /could not parse the JSON body/],
    [[1], 'body', 'invalid_type', /expected an object, but got an array/],
    [{ messages: [user] }, null, null, /you must provide a model parameter/],
    [{ model: 3, messages: [user] }, 'model', 'invalid_type', /expected a string, but got an integer/],
    [{ model: 'm' }, 'messages', 'missing_required_parameter', /Missing required parameter: 'messages'/],
    [{ model: 'm', messages: [] }, 'messages', 'empty_array', /empty array/],
    [{ model: 'm', messages: ['hi'] }, 'messages[0]', 'invalid_type', /got a string/],
    [{ model: 'm', messages: [{ content: 'x' }] }, 'messages[0].role', 'missing_required_parameter', /role/],
    [
      { model: 'm', messages: [{ role: 'robot', content: 'x' }] },
      'messages[0].role',
      'invalid_value',
      /'robot'/,
    ],
    [
      { model: 'm', messages: [{ role: 'user' }] },
      'messages[0].content',
      'missing_required_parameter',
      /content/,
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: 5 }] },
      'messages[0].content',
      'invalid_type',
      /integer/,
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] },
      'messages[0].content[0].type',
      'invalid_value',
      /'video'/,
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      'messages[0].content[0].text',
      'missing_required_parameter',
      /text/,
    ],
    [
      { model: 'm', messages: [{ role: 'tool', content: 'x' }] },
      'messages[0].tool_call_id',
      'missing_required_parameter',
      /tool_call_id/,
    ],
    [
      { model: 'm', messages: [user], temperature: 2.5 },
      'temperature',
      'decimal_above_max_value',
      /<= 2, but got 2.5/,
    ],
    [{ model: 'm', messages: [user], temperature: -1 }, 'temperature', 'decimal_below_min_value', />= 0/],
    [{ model: 'm', messages: [user], temperature: 'hot' }, 'temperature', 'invalid_type', /a decimal/],
    [
      { model: 'm', messages: [user], max_tokens: 0 },
      'max_tokens',
      'integer_below_min_value',
      />= 1, but got 0/,
    ],
    [
      { model: 'm', messages: [user], max_completion_tokens: 1.5 },
      'max_completion_tokens',
      'invalid_type',
      /integer/,
    ],
    [{ model: 'm', messages: [user], stream: 'yes' }, 'stream', 'invalid_type', /boolean/],
    [
      { model: 'm', messages: [user], stream_options: { include_usage: true } },
      'stream_options',
      null,
      /only allowed/,
    ],
    [{ model: 'm', messages: [user], tools: {} }, 'tools', 'invalid_type', /an array of objects/],
    [{ model: 'm', messages: [user], tools: [{ type: 'web' }] }, 'tools[0].type', 'invalid_value', /'web'/],
    [
      { model: 'm', messages: [user], tools: [{ type: 'function', function: {} }] },
      'tools[0].function.name',
      'missing_required_parameter',
      /name/,
    ],
    [{ model: 'm', messages: [user], tool_choice: 'auto' }, 'tool_choice', null, /only allowed when 'tools'/],
    [
      { model: 'm', messages: [user], tools: [tool], tool_choice: 'sometimes' },
      'tool_choice',
      'invalid_value',
      /'sometimes'/,
    ],
    [
      {
        model: 'm',
        messages: [user],
        tools: [tool],
        tool_choice: { type: 'function', function: { name: 'x' } },
      },
      'tool_choice.function.name',
      'invalid_value',
      /no function named 'x'/,
    ],
  ])('rejects %j (param %s, code %s)', (body, param, code, message) => {
    const error = errorOf(body);
    expect(error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(error.message).toMatch(message);
  });
});
