import { describe, expect, it } from 'vitest';
import { ProviderError, UserError } from '../errors.js';
import type { GenerationConfig } from '../types.js';
import { ConfigGate } from './config-keys.js';
import { createProvider } from './registry.js';
import { testHttp } from './test-helpers.js';

const keys = {
  api: 'Example API',
  accepted: new Set(['temperature', 'max_tokens']),
  reasons: { seed: 'no seed here' },
};

describe('ConfigGate', () => {
  it('lets a config of accepted keys through, and ignores keys set to undefined', () => {
    const gate = new ConfigGate('example:model', keys);
    expect(() => gate.prepare({ temperature: 0, max_tokens: 5, top_p: undefined })).not.toThrow();
    expect(() => gate.prepare(undefined)).not.toThrow();
    expect(() => gate.check({ temperature: 1 })).not.toThrow();
  });

  it('refuses other keys before the run with a UserError naming them, the reason, and what the API takes', () => {
    const gate = new ConfigGate('example:model', keys);
    let caught: unknown;
    try {
      gate.prepare({ temperature: 0, seed: 7, temprature: 1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toBe(
      'example:model: config keys `seed` (no seed here), `temprature` are not request fields of Example API',
    );
    expect((caught as UserError).hint).toBe(
      "remove them from the target's config; Example API takes: temperature, max_tokens",
    );
  });

  it('fails a call with such a config as permanent, once checked per config object', () => {
    const gate = new ConfigGate('example:model', keys);
    const config: GenerationConfig = { seed: 7 };
    for (let attempt = 0; attempt < 2; attempt++) {
      let caught: unknown;
      try {
        gate.check(config);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ProviderError);
      expect((caught as ProviderError).kind).toBe('permanent');
      expect((caught as ProviderError).message).toBe(
        'example:model: config key `seed` (no seed here) is not a request field of Example API; nothing was sent',
      );
    }
  });
});

/** Each adapter's decision, from its API's documented request fields. */
describe('which config keys each provider takes', () => {
  const env = {
    OPENAI_API_KEY: 'k',
    ANTHROPIC_API_KEY: 'k',
    GEMINI_API_KEY: 'k',
    OPENROUTER_API_KEY: 'k',
  };
  const cases: Array<{ id: string; options?: Record<string, unknown>; takes: string[]; refuses: string[] }> =
    [
      {
        id: 'openai:gpt-4o-mini',
        takes: ['temperature', 'max_tokens', 'seed', 'stop', 'tools', 'response_format', 'reasoning_effort'],
        refuses: ['top_k', 'temprature', 'messages', 'max_output_tokens'],
      },
      {
        id: 'openai:responses:gpt-4.1-mini',
        takes: ['temperature', 'max_tokens', 'reasoning', 'text', 'previous_response_id', 'response_format'],
        refuses: ['seed', 'stop', 'background', 'input'],
      },
      {
        id: 'anthropic:claude-3-5-haiku-latest',
        takes: ['temperature', 'max_tokens', 'top_k', 'stop', 'thinking', 'tools', 'output_config'],
        refuses: ['seed', 'response_format', 'model', 'frequency_penalty'],
      },
      {
        id: 'google:gemini-2.5-flash',
        takes: [
          'temperature',
          'max_tokens',
          'seed',
          'stop',
          'tools',
          'tool_config',
          'safetySettings',
          'thinking_config',
        ],
        refuses: ['labels', 'generationConfig', 'contents', 'response_format'],
      },
      // Servers whose parameter sets are open (vLLM, llama.cpp, OpenRouter's routing, Ollama's model options).
      {
        id: 'openai-compatible:llama3.2',
        options: { base_url: 'http://localhost:8000' },
        takes: ['top_k', 'min_p', 'seed'],
        refuses: [],
      },
      {
        id: 'openrouter:openai/gpt-4o-mini',
        takes: ['top_k', 'repetition_penalty', 'transforms'],
        refuses: [],
      },
      { id: 'ollama:llama3.2', takes: ['num_ctx', 'seed', 'think', 'logprobs'], refuses: [] },
    ];

  const build = (id: string, options: Record<string, unknown>, config: GenerationConfig) =>
    createProvider(id, { options, config, env, baseDir: '.', http: testHttp }, 'test');

  for (const { id, options = {}, takes, refuses } of cases) {
    it(`${id} takes ${takes.join(', ')}${refuses.length ? `; refuses ${refuses.join(', ')}` : ' and any other key'}`, async () => {
      await expect(
        build(id, options, Object.fromEntries(takes.map((key) => [key, 1]))),
      ).resolves.toBeDefined();
      for (const key of refuses) {
        await expect(build(id, options, { [key]: 1 })).rejects.toThrow(
          new RegExp(`config key \`${key}\`.* is not a request field of`),
        );
      }
    });
  }
});
