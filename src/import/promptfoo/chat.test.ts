import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chatMessages } from './chat.js';

const EXPECTED = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Why {{topic}}?' },
  { role: 'assistant', content: 'Because.' },
];

describe('chatMessages', () => {
  it.each([
    [
      'OpenAI messages with text parts and the developer role',
      `- role: developer
  content: You are terse.
- role: user
  content:
    - { type: text, text: "Why " }
    - { type: text, text: "{{topic}}?" }
- role: assistant
  content: [Because.]`,
    ],
    [
      'Gemini contents with model turns (a role left out is the user)',
      `- role: system
  parts: [{ text: You are terse. }]
- parts: [{ text: "Why {{topic}}?" }]
- role: model
  parts: [{ text: Because. }]`,
    ],
    [
      'Gemini system_instruction with contents',
      `system_instruction: { parts: [{ text: You are terse. }] }
contents:
  - { role: user, parts: [{ text: "Why {{topic}}?" }] }
  - { role: model, parts: [{ text: Because. }] }`,
    ],
  ])('reads %s', (_, yaml) => {
    expect(chatMessages(parse(yaml))).toEqual(EXPECTED);
  });

  it('reads one Gemini content object', () => {
    expect(chatMessages({ role: 'user', parts: [{ text: 'Hi' }] })).toEqual([
      { role: 'user', content: 'Hi' },
    ]);
  });

  it.each([
    [
      { role: 'user', content: 'Hi' },
      'not a chat prompt: expected a list of messages ([{role, content}] or [{role, parts}]) or {contents}',
    ],
    ['Hi', 'not a chat prompt: expected a list of {role, content} messages'],
    [[], 'the chat prompt holds no messages'],
    [['Hi'], 'message 1 is not a {role, content} mapping: "Hi" (string)'],
    [
      [
        { role: 'user', content: 'a' },
        { role: 'tool', content: '{}' },
      ],
      'message 2 has role "tool" (string); Assay chat prompts take system, user and assistant (developer and model are mapped)',
    ],
    [
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
      'message 1 has non-text content (images, audio, tool calls), which Assay chat prompts do not hold',
    ],
  ])('says why %j is not one', (value, reason) => {
    expect(chatMessages(value)).toBe(reason);
  });
});
