import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { quickParseResponse } from './openai-chat-quick.js';

// The schema of openai-chat.ts, restated: the quick path must agree with it wherever it answers.
const usageSchema = z.looseObject({
  prompt_tokens: z.number().optional(),
  completion_tokens: z.number().optional(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().optional() }).nullable().optional(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().optional() }).nullable().optional(),
});
const responseSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          refusal: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().optional(),
                function: z.object({ name: z.string(), arguments: z.string() }),
              }),
            )
            .nullable()
            .optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: usageSchema.nullable().optional(),
});

const openAi = {
  id: 'chatcmpl-1',
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: '3', refusal: null, annotations: [] },
      finish_reason: 'stop',
    },
  ],
  usage: {
    total_tokens: 5,
    prompt_tokens: 4,
    completion_tokens: 1,
    completion_tokens_details: { audio_tokens: 0, reasoning_tokens: 0 },
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    cost: 0.1,
  },
};

describe('quickParseResponse', () => {
  it.each([
    ['a full OpenAI answer', openAi],
    ['no usage', { choices: [{ message: { content: 'x' } }] }],
    ['null usage and content', { model: 'm', choices: [{ message: { content: null } }], usage: null }],
    ['null details', { choices: [{ message: {} }], usage: { prompt_tokens_details: null } }],
    ['a refusal', { choices: [{ message: { content: null, refusal: 'no' }, finish_reason: null }] }],
  ])('agrees with the zod schema on %s, usage key order included', (_name, body) => {
    const quick = quickParseResponse(body);
    const slow = responseSchema.parse(body);
    expect(quick).toBeDefined();
    const choice = quick!.choices[0];
    const expected = slow.choices[0]!;
    expect(choice.message.content).toBe(expected.message.content);
    expect(choice.message.refusal).toBe(expected.message.refusal);
    expect(choice.finish_reason).toBe(expected.finish_reason);
    expect(quick!.model).toBe(slow.model);
    expect(JSON.stringify(quick!.usage)).toBe(JSON.stringify(slow.usage));
    expect(quick!.usage).toEqual(slow.usage);
  });

  it.each([
    ['not an object', 'oops'],
    ['no choices', { choices: [] }],
    ['two choices', { choices: [{ message: {} }, { message: {} }] }],
    [
      'tool calls',
      { choices: [{ message: { tool_calls: [{ function: { name: 'f', arguments: '{}' } }] } }] },
    ],
    ['a numeric content', { choices: [{ message: { content: 1 } }] }],
    ['a string token count', { choices: [{ message: {} }], usage: { prompt_tokens: '4' } }],
    ['a bad details object', { choices: [{ message: {} }], usage: { prompt_tokens_details: 1 } }],
    ['a numeric model', { model: 1, choices: [{ message: {} }] }],
  ])('leaves %s to zod', (_name, body) => {
    expect(quickParseResponse(body)).toBeUndefined();
  });
});
