import { describe, expect, it } from 'vitest';
import { toolCallOutput } from '../providers/provider.js';
import type { GenerationConfig } from '../types.js';
import { CONTEXT, expectUserError, makeInput, makeTask, scoreWith, WHERE } from './test-helpers.js';
import { toolCallScorer } from './tool-call.js';

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      required: ['city'],
      additionalProperties: false,
      properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } },
    },
  },
};
const NOW = { type: 'function', function: { name: 'now' } };
const config: GenerationConfig = { tools: [WEATHER, NOW, { type: 'web_search' }, null] };

const call = (name: string, args: string) => ({ id: `call_${name}`, name, arguments: args });
const score = (
  toolCalls: ReturnType<typeof call>[],
  value?: unknown,
  overrides: Partial<GenerationConfig> = {},
) =>
  scoreWith(
    toolCallScorer,
    value === undefined ? {} : { value },
    makeInput(toolCallOutput(toolCalls), { config: { ...config, ...overrides }, toolCalls }),
  );

describe('tool-call', () => {
  it('passes when every call names a declared tool with valid arguments', () => {
    expect(score([call('get_weather', '{"city": "Paris", "unit": "c"}'), call('now', '')])).toEqual({
      value: 1,
      pass: true,
      reason: '2 tool calls, valid: get_weather, now',
    });
  });

  it('fails when there is no tool call', () => {
    expect(score([])).toEqual({ value: 0, pass: false, reason: 'no tool call' });
    const prose = scoreWith(toolCallScorer, {}, makeInput('It is sunny.', { config }));
    expect(prose.reason).toBe('no tool call: the output is not a tool-call list: "It is sunny."');
  });

  it('fails on an undeclared tool, listing the declared ones', () => {
    expect(score([call('get_time', '{}')]).reason).toBe(
      'call 1 "get_time": not a declared tool (declared: get_weather, now)',
    );
  });

  it('fails on arguments that are not JSON', () => {
    expect(score([call('get_weather', '{city: Paris}')]).reason).toBe(
      'call 1 "get_weather": arguments are not valid JSON: "{city: Paris}"',
    );
  });

  it("fails on arguments that do not match the tool's parameters", () => {
    expect(score([call('get_weather', '{"unit": "k", "town": "Paris"}')]).reason).toBe(
      'call 1 "get_weather": arguments do not match the parameters: ' +
        "(root) must have required property 'city'; " +
        '(root) must NOT have additional properties ("town"); ' +
        '/unit must be equal to one of the allowed values (["c","f"])',
    );
  });

  it('reports every failing call', () => {
    const verdict = score([call('get_weather', '{"city": 1}'), call('nope', '{}')]);
    expect(verdict.reason).toBe(
      'call 1 "get_weather": arguments do not match the parameters: /city must be string; ' +
        'call 2 "nope": not a declared tool (declared: get_weather, now)',
    );
  });

  it('requires the tools named in value', () => {
    const calls = [call('now', '{}')];
    expect(score(calls, 'now').pass).toBe(true);
    expect(score(calls, ['now', 'get_weather']).reason).toBe('expected a call to "get_weather"; called: now');
  });

  it('reads the calls from the output when the provider reported none', () => {
    const output = toolCallOutput([call('get_weather', '{"city": "Paris"}'), call('now', 'oops')]);
    const verdict = scoreWith(toolCallScorer, {}, makeInput(output, { config }));
    expect(verdict.reason).toBe('call 2 "now": arguments are not valid JSON: "oops"');
    const valid = toolCallOutput([call('get_weather', '{"city": "Paris"}')]);
    expect(scoreWith(toolCallScorer, {}, makeInput(valid, { config })).pass).toBe(true);
  });

  it('fails clearly when the config declares no function tool', () => {
    expect(scoreWith(toolCallScorer, {}, makeInput('[]')).reason).toMatch(
      /^no tools declared in the target's config/,
    );
    expect(score([call('now', '{}')], undefined, { tools: [{ type: 'web_search' }] }).reason).toMatch(
      /^no function tools in the target's config/,
    );
  });

  it("fails naming an invalid parameters schema, but accepts providers' extra keywords", () => {
    const broken = { type: 'function', function: { name: 'broken', parameters: { type: 'objekt' } } };
    expect(score([call('broken', '{}')], undefined, { tools: [broken] }).reason).toMatch(
      /^call 1 "broken": the tool's parameters schema is invalid: not a valid JSON Schema: \/type must be/,
    );
    const extended = {
      type: 'function',
      function: { name: 'x', parameters: { type: 'object', 'x-provider-hint': true, properties: {} } },
    };
    expect(score([call('x', '{}')], undefined, { tools: [extended] }).pass).toBe(true);
  });

  it('rejects a bad value at prepare', () => {
    const prepare = (value: unknown) => () =>
      toolCallScorer.prepare({ type: 'tool-call', value }, WHERE, makeTask(), CONTEXT);
    expectUserError(prepare(''), /tool name or a list of tool names, got "" \(string\)/);
    expectUserError(prepare([]), /got \[\] \(array\)/);
    expectUserError(prepare(['a', 3]), /got \["a",3\] \(array\)/);
    expectUserError(prepare({ name: 'a' }), /\(object\)/);
  });
});
