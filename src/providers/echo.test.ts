import { describe, expect, it } from 'vitest';
import { createEchoProvider } from './echo.js';

const signal = new AbortController().signal;

describe('echo provider', () => {
  it('answers with the last user message, for free', async () => {
    const provider = createEchoProvider();
    const response = await provider.call({
      messages: [
        { role: 'system', content: 'be terse' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'reply' },
        { role: 'user', content: 'second' },
        { role: 'assistant', content: 'prefill' },
      ],
      config: { temperature: 1 },
      signal,
    });
    expect(response).toEqual({ output: 'second', usage: {}, costUsd: 0 });
  });

  it('answers with an empty string when there is no user message', async () => {
    const response = await createEchoProvider().call({
      messages: [{ role: 'system', content: 'only system' }],
      config: {},
      signal,
    });
    expect(response.output).toBe('');
  });

  it('has a fixed identity', () => {
    const provider = createEchoProvider();
    expect([provider.id, provider.model, provider.cacheScope()]).toEqual(['echo', 'echo', 'echo']);
    expect(provider.pricingProvider).toBeUndefined();
  });
});
