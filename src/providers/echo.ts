import type { Provider } from './provider.js';

/** `echo`: answers with the last user message. Free and instant; useful to test prompts and scorers. */
export function createEchoProvider(): Provider {
  return {
    id: 'echo',
    model: 'echo',
    cacheScope: () => 'echo',
    async call(request) {
      const last = [...request.messages].reverse().find((message) => message.role === 'user');
      return { output: last?.content ?? '', usage: {}, costUsd: 0 };
    },
  };
}
