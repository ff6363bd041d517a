import { describe, expect, it } from 'vitest';
import { chooseToolCalls, exampleValue, type ToolUse } from './tools.js';

const weather = {
  name: 'get_weather',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city'],
  },
};
const time = { name: 'get_time', parameters: { type: 'object', properties: {} } };

function use(choice: ToolUse['choice'], parallel = true): ToolUse {
  return { tools: [weather, time], choice, parallel };
}

const ask = (text: string, toolResult = false) => ({ text, toolResult });

describe('chooseToolCalls', () => {
  it('calls nothing without tools or with none', () => {
    expect(chooseToolCalls(undefined, ask('call get_weather'))).toEqual([]);
    expect(chooseToolCalls(use({ mode: 'none' }), ask('call get_weather'))).toEqual([]);
  });

  it('auto: calls the tools the message names (whole word, any case) in the order named, else answers text', () => {
    expect(chooseToolCalls(use({ mode: 'auto' }), ask('What is 2 + 2?'))).toEqual([]);
    // A longer word that contains the name is not a mention.
    expect(chooseToolCalls(use({ mode: 'auto' }), ask('use get_weather_v2'))).toEqual([]);
    expect(
      chooseToolCalls(use({ mode: 'auto' }), ask('First GET_TIME, then get_weather')).map(
        (call) => call.name,
      ),
    ).toEqual(['get_time', 'get_weather']);
  });

  it('auto: answers text after a tool result even if the result names a tool', () => {
    expect(chooseToolCalls(use({ mode: 'auto' }), ask('get_weather said: sunny', true))).toEqual([]);
  });

  it('takes the first JSON object after each name as its arguments, else an example from the schema', () => {
    const calls = chooseToolCalls(
      use({ mode: 'auto' }),
      ask('get_weather {"city": "Paris"} and get_time {not json} ok'),
    );
    expect(calls).toEqual([
      { name: 'get_weather', arguments: { city: 'Paris' } },
      { name: 'get_time', arguments: {} },
    ]);
    // The object written for the second tool is not taken by the first.
    expect(chooseToolCalls(use({ mode: 'auto' }), ask('get_time and get_weather {"city": "Oslo"}'))).toEqual([
      { name: 'get_time', arguments: {} },
      { name: 'get_weather', arguments: { city: 'Oslo' } },
    ]);
    expect(chooseToolCalls(use({ mode: 'auto' }), ask('get_weather now'))).toEqual([
      { name: 'get_weather', arguments: { city: 'mock', unit: 'celsius' } },
    ]);
  });

  it('required: calls the named tools, else the first offered (or allowed) one, after a tool result too', () => {
    expect(chooseToolCalls(use({ mode: 'required' }), ask('anything')).map((call) => call.name)).toEqual([
      'get_weather',
    ]);
    expect(chooseToolCalls(use({ mode: 'required' }), ask('get_time')).map((call) => call.name)).toEqual([
      'get_time',
    ]);
    expect(
      chooseToolCalls(use({ mode: 'required', names: ['get_time'] }), ask('result', true)).map(
        (call) => call.name,
      ),
    ).toEqual(['get_time']);
    // Tools outside `names` are never called, even when named.
    expect(chooseToolCalls(use({ mode: 'auto', names: ['get_time'] }), ask('get_weather'))).toEqual([]);
  });

  it('forced: calls that tool whatever the message, with JSON arguments when it gives them', () => {
    expect(chooseToolCalls(use({ mode: 'forced', name: 'get_time' }), ask('get_weather please'))).toEqual([
      { name: 'get_time', arguments: {} },
    ]);
    expect(
      chooseToolCalls(use({ mode: 'forced', name: 'get_weather' }), ask('get_weather {"city": "Rome"}')),
    ).toEqual([{ name: 'get_weather', arguments: { city: 'Rome' } }]);
  });

  it('makes one call only when parallel calls are off', () => {
    expect(chooseToolCalls(use({ mode: 'auto' }, false), ask('get_time, get_weather'))).toHaveLength(1);
  });
});

describe('exampleValue', () => {
  it('prefers const, enum and default', () => {
    expect(exampleValue({ type: 'string', const: 'fixed' })).toBe('fixed');
    expect(exampleValue({ type: 'integer', enum: [3, 4] })).toBe(3);
    expect(exampleValue({ type: 'boolean', default: true })).toBe(true);
  });

  it('builds a value of each type, within bounds', () => {
    expect(exampleValue({ type: 'string', minLength: 6 })).toBe('mockkk');
    expect(exampleValue({ type: 'integer', minimum: 5 })).toBe(5);
    expect(exampleValue({ type: 'integer', exclusiveMinimum: 5 })).toBe(6);
    expect(exampleValue({ type: 'number', maximum: -2 })).toBe(-2);
    expect(exampleValue({ type: 'number' })).toBe(0);
    expect(exampleValue({ type: 'boolean' })).toBe(false);
    expect(exampleValue({ type: 'null' })).toBeNull();
    expect(exampleValue({ type: 'array', items: { type: 'string' }, minItems: 2 })).toEqual(['mock', 'mock']);
    expect(exampleValue({ type: ['null', 'integer'] })).toBe(0);
  });

  it("reads Gemini's upper-case types, anyOf/oneOf/allOf and local $refs", () => {
    expect(exampleValue({ type: 'OBJECT', properties: { n: { type: 'INTEGER' } } })).toEqual({ n: 0 });
    expect(exampleValue({ anyOf: [{ type: 'null' }, { type: 'string' }] })).toBe('mock');
    expect(exampleValue({ oneOf: [{ type: 'boolean' }] })).toBe(false);
    expect(
      exampleValue({
        allOf: [{ properties: { a: { type: 'string' } } }, { required: ['a'], type: 'object' }],
      }),
    ).toEqual({ a: 'mock' });
    const schema = {
      type: 'object',
      properties: { place: { $ref: '#/$defs/Place' } },
      $defs: { Place: { type: 'object', properties: { name: { type: 'string' } } } },
    };
    expect(exampleValue(schema)).toEqual({ place: { name: 'mock' } });
  });

  it('stops on a self-referencing schema and gives null for no schema', () => {
    const loop = { type: 'object', properties: { next: { $ref: '#' } } };
    expect(JSON.stringify(exampleValue(loop)).length).toBeGreaterThan(0);
    expect(exampleValue(undefined)).toBeNull();
  });
});
